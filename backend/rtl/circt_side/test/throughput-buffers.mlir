// RUN: torch-circt-opt --stage throughput-buffers %s | filecheck %s

// A 2x4 copy loop nest after the completion carrier, the handshake lowering and
// CIRCT's buffer insertion (`handshake-buffers`, strategy cycles, one slot).
// CHECK-LABEL: handshake.func @main
// Slack on the select of the carrier's mux: the select comes early from the loop control.
// CHECK:         %[[SELECT:.*]] = buffer [4] seq %{{.*}} : index
// CHECK-NEXT:    mux %[[SELECT]] [%{{.*}}, %{{.*}}] : index, i7
// CIRCT buffered the control merge's index; now it feeds the muxes' fork directly.
// CHECK:         %result, %[[INDEX:.*]] = control_merge
// CHECK-NOT:     buffer [{{[0-9]+}}] seq %[[INDEX]]
// CHECK:         fork [7] %[[INDEX]] : index
// The done tokens the carrier's increment waits for get the carrier's slack.
// CHECK:         %[[DONE1:.*]] = buffer [4] seq %{{.*}} : none
// CHECK-NEXT:    %[[DONE2:.*]] = buffer [4] seq %{{.*}} : none
// CHECK-NEXT:    %[[DONES:.*]] = join %[[DONE1]], %[[DONE2]] : none, none
// Every store operand gets one slot, so address and control do not wait in forks for the data.
// CHECK:         %[[ADDRESS:.*]] = buffer [1] seq %{{.*}} : index
// CHECK-NEXT:    %[[DATA:.*]] = buffer [1] seq %dataResult : i32
// CHECK-NEXT:    %[[CONTROL:.*]] = buffer [1] seq %{{.*}} : none
// CHECK-NEXT:    store [%[[ADDRESS]]] %[[DATA]], %[[CONTROL]] : index, i32
// CHECK:         constant %[[DONES]] {value = 1 : i7} : i7

// After extmem-to-hw a lone store's done token is a function argument, and the
// carrier's increment reads it directly (a model whose loads all folded away: `x ^ x`).
// CHECK-LABEL: handshake.func @done_argument
// CHECK:         %[[SLACK:.*]] = buffer [4] seq %arg0 : none
// CHECK-NEXT:    constant %[[SLACK]] {value = 1 : i7} : i7
module {
  handshake.func @main(%arg0: memref<8xi32>, %arg1: memref<8xi32>, %arg2: none, ...) -> none attributes {argNames = ["in0", "in1", "in2"], resNames = ["out0"]} {
    %0:2 = fork [2] %arg2 : none
    %1 = extmemory[ld = 0, st = 1] (%arg1 : memref<8xi32>) (%dataResult_30, %addressResult) {id = 1 : i32} : (i32, index) -> none
    %2:2 = extmemory[ld = 1, st = 0] (%arg0 : memref<8xi32>) (%addressResults) {id = 0 : i32} : (index) -> (i32, none)
    %3 = constant %0#1 {value = 0 : i7} : i7
    %4 = source
    %5 = constant %4 {value = 0 : index} : index
    %6:2 = fork [2] %5 : index
    %7 = source
    %8 = constant %7 {value = 1 : index} : index
    %9 = source
    %10 = constant %9 {value = 2 : index} : index
    %11 = source
    %12 = constant %11 {value = 4 : index} : index
    %13 = buffer [1] seq %33#0 {initValues = [0]} : i1
    %14:7 = fork [7] %13 : i1
    %15 = mux %14#6 [%0#0, %falseResult_29] : i1, none
    %16 = buffer [1] seq %15 : none
    %17 = mux %14#5 [%6#1, %69] : i1, index
    %18 = buffer [1] seq %17 : index
    %19:2 = fork [2] %18 : index
    %20 = mux %14#4 [%3, %falseResult_17] : i1, i7
    %21 = buffer [1] seq %20 : i7
    %22 = mux %14#3 [%6#0, %falseResult_19] : i1, index
    %23 = buffer [1] seq %22 : index
    %24:2 = fork [2] %23 : index
    %25 = mux %14#2 [%8, %57#0] : i1, index
    %26 = buffer [1] seq %25 : index
    %27 = mux %14#1 [%10, %falseResult_23] : i1, index
    %28 = buffer [1] seq %27 : index
    %29:2 = fork [2] %28 : index
    %30 = mux %14#0 [%12, %falseResult_25] : i1, index
    %31 = buffer [1] seq %30 : index
    %32 = arith.cmpi slt, %19#1, %29#1 : index
    %33:9 = fork [9] %32 : i1
    %trueResult, %falseResult = cond_br %33#8, %19#0 : index
    sink %falseResult : index
    %trueResult_0, %falseResult_1 = cond_br %33#7, %21 : i7
    %trueResult_2, %falseResult_3 = cond_br %33#6, %24#1 : index
    sink %falseResult_3 : index
    %trueResult_4, %falseResult_5 = cond_br %33#5, %24#0 : index
    sink %falseResult_5 : index
    %trueResult_6, %falseResult_7 = cond_br %33#4, %26 : index
    sink %falseResult_7 : index
    %trueResult_8, %falseResult_9 = cond_br %33#3, %29#0 : index
    sink %falseResult_9 : index
    %trueResult_10, %falseResult_11 = cond_br %33#2, %31 : index
    sink %falseResult_11 : index
    %trueResult_12, %falseResult_13 = cond_br %33#1, %16 : none
    %34:2 = fork [2] %falseResult_13 : none
    %35 = mux %53#0 [%66, %trueResult_4] : index, index
    %36 = buffer [1] seq %35 : index
    %37:2 = fork [2] %36 : index
    %38 = mux %53#1 [%68, %trueResult_0] : index, i7
    %39 = buffer [1] seq %38 : i7
    %40 = mux %53#2 [%trueResult_18, %trueResult_2] : index, index
    %41 = buffer [1] seq %40 : index
    %42 = mux %53#3 [%58#0, %trueResult_6] : index, index
    %43 = buffer [1] seq %42 : index
    %44 = mux %53#4 [%trueResult_22, %trueResult_8] : index, index
    %45 = buffer [1] seq %44 : index
    %46 = mux %53#5 [%59#0, %trueResult_10] : index, index
    %47 = buffer [1] seq %46 : index
    %48:2 = fork [2] %47 : index
    %49 = mux %53#6 [%60#0, %trueResult] : index, index
    %50 = buffer [1] seq %49 : index
    %result, %index = control_merge %61#0, %trueResult_12 : none, index
    %51 = buffer [1] seq %index : index
    %52 = buffer [1] seq %result : none
    %53:7 = fork [7] %51 : index
    %54 = arith.cmpi slt, %37#1, %48#1 : index
    %55:8 = fork [8] %54 : i1
    %trueResult_14, %falseResult_15 = cond_br %55#7, %37#0 : index
    sink %falseResult_15 : index
    %56:2 = fork [2] %trueResult_14 : index
    %trueResult_16, %falseResult_17 = cond_br %55#6, %39 : i7
    %trueResult_18, %falseResult_19 = cond_br %55#5, %41 : index
    %trueResult_20, %falseResult_21 = cond_br %55#4, %43 : index
    %57:2 = fork [2] %falseResult_21 : index
    %58:2 = fork [2] %trueResult_20 : index
    %trueResult_22, %falseResult_23 = cond_br %55#3, %45 : index
    %trueResult_24, %falseResult_25 = cond_br %55#2, %48#0 : index
    %59:2 = fork [2] %trueResult_24 : index
    %trueResult_26, %falseResult_27 = cond_br %55#1, %50 : index
    %60:2 = fork [2] %trueResult_26 : index
    %trueResult_28, %falseResult_29 = cond_br %55#0, %52 : none
    %61:3 = fork [3] %trueResult_28 : none
    %62 = join %2#1, %1 : none, none
    %63 = arith.muli %60#1, %59#1 : index
    %64 = arith.addi %63, %56#0 : index
    %65:2 = fork [2] %64 : index
    %dataResult, %addressResults = load [%65#1] %2#0, %61#2 : index, i32
    %dataResult_30, %addressResult = store [%65#0] %dataResult, %61#1 : index, i32
    %66 = arith.addi %56#1, %58#1 : index
    %67 = constant %62 {value = 1 : i7} : i7
    %68 = arith.addi %trueResult_16, %67 : i7
    %69 = arith.addi %falseResult_27, %57#1 : index
    %70 = constant %34#1 {value = 2 : i7} : i7
    %71 = join %34#0, %72 : none, i7
    %72 = arith.addi %falseResult_1, %70 : i7
    return %71 : none
  }
  handshake.func @done_argument(%arg0: none, %arg1: none, ...) -> (none, i7) {
    %0 = constant %arg0 {value = 1 : i7} : i7
    return %arg1, %0 : none, i7
  }
}
