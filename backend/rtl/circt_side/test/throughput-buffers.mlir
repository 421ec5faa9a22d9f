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
// The done tokens the carrier's increment waits for get one slot less than its select: they come a cycle later.
// CHECK:         %[[DONE1:.*]] = buffer [3] seq %{{.*}} : none
// CHECK-NEXT:    %[[DONE2:.*]] = buffer [3] seq %{{.*}} : none
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
// CHECK:         %[[SLACK:.*]] = buffer [3] seq %arg0 : none
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
// A dot product folded by 2 (`fold-reductions`): the input vector, copied into an on-chip memory, meets
// the weights, read from external memories (ROM banks later), in each product. The on-chip read answers
// in the cycle of its address, the external one a cycle later; each on-chip load's data gets one slot,
// so its port takes the next address at once and the loop control does not wait a cycle per iteration.
// The accumulator's memory, whose loads meet nothing external in their iteration, gets none.
// CHECK-LABEL: handshake.func @folded_dot
// CHECK:         %[[ACC:.*]]:6 = memory[ld = 2, st = 2]
// CHECK:         %[[COPY:.*]]:5 = memory[ld = 2, st = 1]
// CHECK:         load [%{{.*}}] %[[ACC]]#0,
// CHECK:         %[[EARLY0:.*]] = buffer [1] seq %[[COPY]]#0 : i8
// CHECK-NEXT:    load [%{{.*}}] %[[EARLY0]],
// CHECK:         %[[EARLY1:.*]] = buffer [1] seq %[[COPY]]#1 : i8
// CHECK-NEXT:    load [%{{.*}}] %[[EARLY1]],
// CHECK-NOT:     buffer [1] seq %[[ACC]]#1
  handshake.func @folded_dot(%arg0: i8, %arg1: none, %arg2: i32, %arg3: i32, %arg4: none, ...) -> (none, i2, !hw.struct<address: i0, data: i32>, i1, i1) attributes {argNames = ["in0_ld0.data", "in1_st0.done", "in2_ld0.data", "in3_ld0.data", "in4"], resNames = ["out0", "in0_ld0.addr", "in1_st0", "in2_ld0.addr", "in3_ld0.addr"]} {
    %0:2 = fork [2] %arg4 : none
    %1:6 = memory[ld = 2, st = 2] (%dataResult_5, %addressResult_6, %dataResult_27, %addressResult_28, %addressResults_8, %addressResults_30) {id = 5 : i32, lsq = false} : memref<1xi12>, (i12, index, i12, index, index, index) -> (i12, i12, none, none, none, none)
    %2:5 = memory[ld = 2, st = 1] (%dataResult_4, %addressResult, %addressResults_20, %addressResults_24) {id = 4 : i32, lsq = false} : memref<4xi8>, (i8, index, index, index) -> (i8, i8, none, none, none)
    %3:2 = fork [2] %arg3 : i32
    %4 = join %3#1 : i32
    %5 = arith.index_cast %addressResults_26 : index to i1
    %6:2 = fork [2] %arg2 : i32
    %7 = join %6#1 : i32
    %8 = arith.index_cast %addressResults_22 : index to i1
    %9 = join %addressResult_32 : index
    %10 = constant %9 {value = 0 : i0} : i0
    %11 = hw.struct_create (%10, %dataResult_31) : !hw.struct<address: i0, data: i32>
    %12:2 = fork [2] %arg0 : i8
    %13 = join %12#1 : i8
    %14 = arith.index_cast %addressResults : index to i2
    %15 = constant %0#1 {value = 0 : i7} : i7
    %16 = source
    %17 = constant %16 {value = 0 : i4} : i4
    %18 = mux %25#0 [%38, %17] : index, i4
    %19 = buffer [1] seq %18 : i4
    %20:2 = fork [2] %19 : i4
    %21 = mux %25#1 [%40, %15] : index, i7
    %22 = buffer [1] seq %21 : i7
    %result, %index = control_merge %32#0, %0#0 : none, index
    %23 = buffer [1] seq %index : index
    %24 = buffer [1] seq %result : none
    %25:2 = fork [2] %23 : index
    %26 = source
    %27 = constant %26 {value = 4 : i4} : i4
    %28 = arith.cmpi slt, %20#1, %27 : i4
    %29:3 = fork [3] %28 : i1
    %trueResult, %falseResult = cond_br %29#2, %20#0 : i4
    sink %falseResult : i4
    %30:2 = fork [2] %trueResult : i4
    %trueResult_0, %falseResult_1 = cond_br %29#1, %22 : i7
    %trueResult_2, %falseResult_3 = cond_br %29#0, %24 : none
    %31:2 = fork [2] %falseResult_3 : none
    %32:3 = fork [3] %trueResult_2 : none
    %33 = join %13, %2#2 : none, none
    %34 = arith.index_cast %30#0 : i4 to index
    %35:2 = fork [2] %34 : index
    %dataResult, %addressResults = load [%35#1] %12#0, %32#2 : index, i8
    %dataResult_4, %addressResult = store [%35#0] %dataResult, %32#1 : index, i8
    %36 = source
    %37 = constant %36 {value = 1 : i4} : i4
    %38 = arith.addi %30#1, %37 : i4
    %39 = constant %33 {value = 1 : i7} : i7
    %40 = arith.addi %trueResult_0, %39 : i7
    %41 = join %45#1, %1#2 : none, none
    %42:2 = fork [2] %41 : none
    %43 = constant %31#1 {value = 2 : i7} : i7
    %44 = join %31#0, %47#1 : none, i7
    %45:2 = fork [2] %44 : none
    %46 = arith.addi %falseResult_1, %43 : i7
    %47:2 = fork [2] %46 : i7
    %48 = source
    %49 = constant %48 {value = 0 : index} : index
    %50 = source
    %51 = constant %50 {value = 0 : i12} : i12
    %dataResult_5, %addressResult_6 = store [%49] %51, %45#0 : index, i12
    %52 = join %55#1, %1#4 : none, none
    %53 = constant %42#1 {value = 2 : i7} : i7
    %54 = join %42#0, %57#1 : none, i7
    %55:2 = fork [2] %54 : none
    %56 = arith.addi %47#0, %53 : i7
    %57:2 = fork [2] %56 : i7
    %58 = source
    %59 = constant %58 {value = 0 : index} : index
    %dataResult_7, %addressResults_8 = load [%59] %1#0, %55#0 : index, i12
    %60 = source
    %61 = constant %60 {value = 0 : i3} : i3
    %62 = arith.extsi %dataResult_7 : i12 to i14
    %63 = mux %72#0 [%107, %61] : index, i3
    %64 = buffer [1] seq %63 : i3
    %65:2 = fork [2] %64 : i3
    %66 = mux %72#1 [%104, %62] : index, i14
    %67 = buffer [1] seq %66 : i14
    %68 = mux %72#2 [%109, %57#0] : index, i7
    %69 = buffer [1] seq %68 : i7
    %result_9, %index_10 = control_merge %79#0, %52 : none, index
    %70 = buffer [1] seq %index_10 : index
    %71 = buffer [1] seq %result_9 : none
    %72:3 = fork [3] %70 : index
    %73 = source
    %74 = constant %73 {value = 2 : i3} : i3
    %75 = arith.cmpi slt, %65#1, %74 : i3
    %76:4 = fork [4] %75 : i1
    %trueResult_11, %falseResult_12 = cond_br %76#3, %65#0 : i3
    sink %falseResult_12 : i3
    %77:3 = fork [3] %trueResult_11 : i3
    %trueResult_13, %falseResult_14 = cond_br %76#2, %67 : i14
    %trueResult_15, %falseResult_16 = cond_br %76#1, %69 : i7
    %trueResult_17, %falseResult_18 = cond_br %76#0, %71 : none
    %78:2 = fork [2] %falseResult_18 : none
    %79:5 = fork [5] %trueResult_17 : none
    %80 = join %7, %4, %2#3, %2#4 : none, none, none, none
    %81 = arith.extsi %77#0 : i3 to i4
    %82 = source
    %83 = constant %82 {value = 2 : i4} : i4
    %84 = arith.muli %81, %83 : i4
    %85:2 = fork [2] %84 : i4
    %86 = arith.index_cast %85#1 : i4 to index
    %dataResult_19, %addressResults_20 = load [%86] %2#0, %79#4 : index, i8
    %87 = arith.index_cast %77#1 : i3 to index
    %88:2 = fork [2] %87 : index
    %dataResult_21, %addressResults_22 = load [%88#1] %6#0, %79#3 : index, i32
    %89 = arith.trunci %dataResult_21 : i32 to i3
    %90 = arith.extsi %dataResult_19 : i8 to i10
    %91 = arith.extsi %89 : i3 to i10
    %92 = arith.muli %90, %91 : i10
    %93 = source
    %94 = constant %93 {value = 1 : i4} : i4
    %95 = arith.addi %85#0, %94 : i4
    %96 = arith.index_cast %95 : i4 to index
    %dataResult_23, %addressResults_24 = load [%96] %2#1, %79#2 : index, i8
    %dataResult_25, %addressResults_26 = load [%88#0] %3#0, %79#1 : index, i32
    %97 = arith.trunci %dataResult_25 : i32 to i3
    %98 = arith.extsi %dataResult_23 : i8 to i11
    %99 = arith.extsi %97 : i3 to i11
    %100 = arith.muli %98, %99 : i11
    %101 = arith.extsi %92 : i10 to i11
    %102 = arith.addi %101, %100 : i11
    %103 = arith.extsi %102 : i11 to i14
    %104 = arith.addi %trueResult_13, %103 : i14
    %105 = source
    %106 = constant %105 {value = 1 : i3} : i3
    %107 = arith.addi %77#2, %106 : i3
    %108 = constant %80 {value = 1 : i7} : i7
    %109 = arith.addi %trueResult_15, %108 : i7
    %110 = join %114#1, %1#3 : none, none
    %111:2 = fork [2] %110 : none
    %112 = constant %78#1 {value = 2 : i7} : i7
    %113 = join %78#0, %116#1 : none, i7
    %114:2 = fork [2] %113 : none
    %115 = arith.addi %falseResult_16, %112 : i7
    %116:2 = fork [2] %115 : i7
    %117 = source
    %118 = constant %117 {value = 0 : index} : index
    %119 = arith.trunci %falseResult_14 : i14 to i12
    %dataResult_27, %addressResult_28 = store [%118] %119, %114#0 : index, i12
    %120 = join %123#2, %arg1, %1#5 : none, none, none
    %121 = constant %111#1 {value = 2 : i7} : i7
    %122 = join %111#0, %124 : none, i7
    %123:3 = fork [3] %122 : none
    %124 = arith.addi %116#0, %121 : i7
    %125 = source
    %126 = constant %125 {value = 0 : index} : index
    %127:2 = fork [2] %126 : index
    %dataResult_29, %addressResults_30 = load [%127#1] %1#1, %123#1 : index, i12
    %128 = arith.extsi %dataResult_29 : i12 to i32
    %dataResult_31, %addressResult_32 = store [%127#0] %128, %123#0 : index, i32
    return %120, %14, %11, %8, %5 : none, i2, !hw.struct<address: i0, data: i32>, i1, i1
  }
}
