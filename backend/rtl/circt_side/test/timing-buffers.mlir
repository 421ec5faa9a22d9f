// RUN: torch-circt-opt --stage timing-buffers %s | filecheck %s

// `((x + 1) * y).sum(1)` on 2x4 int32 tensors after `throughput-buffers`: an
// accumulation loop (the i35 mux and branch) nested in a row loop, then a copy nest.
// CHECK-LABEL: handshake.func @main
// The accumulator's mux waits for a product behind two registers: its select gets two more slots (1 -> 3).
// CHECK:         %[[ACC_SELECT:.*]] = buffer [3] seq %{{.*}} : index
// CHECK-NEXT:    mux %[[ACC_SELECT]] [%{{.*}}, %{{.*}}] : index, i35
// So does the branch that keeps the accumulator in the loop or lets it out.
// CHECK:         %[[ACC_CONDITION:.*]] = buffer [3] seq %{{.*}} : i1
// CHECK-NEXT:    cond_br %[[ACC_CONDITION]], %{{.*}} : i35
// The address multiply (a loop index times the row length) is not cut: it leads the loop.
// CHECK:         %[[ROW:.*]] = arith.muli %{{.*}}, %{{.*}} : i5
// CHECK-NEXT:    arith.extsi
// CHECK-NEXT:    arith.addi %[[ROW]]
// The data multiply: its computed operand (x + 1) and its product are registered; the loaded y is a
// register's output already.
// CHECK:         %[[X:.*]], %{{.*}} = load
// CHECK-NEXT:    %[[Y:.*]], %{{.*}} = load
// CHECK-NEXT:    %[[X1:.*]] = arith.addi %[[X]], %{{.*}} : i32
// CHECK-NEXT:    %[[X1_REG:.*]] = buffer [1] seq %[[X1]] : i32
// CHECK-NEXT:    %[[PRODUCT:.*]] = arith.muli %[[X1_REG]], %[[Y]] : i32
// CHECK-NEXT:    %[[PRODUCT_REG:.*]] = buffer [1] seq %[[PRODUCT]] : i32
// CHECK-NEXT:    arith.extsi %[[PRODUCT_REG]] : i32 to i35
// The sum's store waits for the sum: its address and control get the same two slots more (1 -> 3).
// CHECK:         %[[ADDRESS:.*]] = buffer [3] seq %{{.*}} : index
// CHECK-NEXT:    %[[DATA:.*]] = buffer [1] seq %{{.*}} : i34
// CHECK-NEXT:    %[[CONTROL:.*]] = buffer [3] seq %{{.*}} : none
// CHECK-NEXT:    store [%[[ADDRESS]]] %[[DATA]], %[[CONTROL]] : index, i34
// The later copy nest's index mux keeps no buffer on its select: its loop control is not behind a cut.
// CHECK:         mux %{{.*}}#0 [%{{.*}}, %falseResult_9] : index, i3
module attributes {torch_circt.folds = array<i64: 1>} {
  handshake.func @main(%arg0: i32, %arg1: i32, %arg2: none, %arg3: none, ...) -> (none, i3, i3, !hw.struct<address: i1, data: i64>) attributes {argNames = ["in0_ld0.data", "in1_ld0.data", "in2_st0.done", "in3"], resNames = ["out0", "in0_ld0.addr", "in1_ld0.addr", "in2_st0"]} {
    %0:2 = fork [2] %arg3 : none
    %1:3 = memory[ld = 1, st = 1] (%dataResult_24, %addressResult, %addressResults_34) {id = 3 : i32, lsq = false} : memref<2xi34>, (i34, index, index) -> (i34, none, none)
    %2 = arith.index_cast %addressResult_36 : index to i1
    %3 = hw.struct_create (%2, %dataResult_35) : !hw.struct<address: i1, data: i64>
    %4:2 = fork [2] %arg1 : i32
    %5 = join %4#1 : i32
    %6 = arith.index_cast %addressResults_23 : index to i3
    %7:2 = fork [2] %arg0 : i32
    %8 = join %7#1 : i32
    %9 = arith.index_cast %addressResults : index to i3
    %10 = constant %0#1 {value = 0 : i7} : i7
    %11 = source
    %12 = constant %11 {value = 0 : i3} : i3
    %13 = mux %20#0 [%86, %12] : index, i3
    %14 = buffer [1] seq %13 : i3
    %15:2 = fork [2] %14 : i3
    %16 = buffer [4] seq %20#1 : index
    %17 = mux %16 [%89, %10] : index, i7
    %18 = buffer [1] seq %17 : i7
    %result, %index = control_merge %55#0, %0#0 : none, index
    %19 = buffer [1] seq %result : none
    %20:2 = fork [2] %index : index
    %21 = source
    %22 = constant %21 {value = 2 : i3} : i3
    %23 = arith.cmpi slt, %15#1, %22 : i3
    %24:6 = fork [6] %23 : i1
    %25 = source
    %26 = constant %25 {value = 0 : i4} : i4
    %27 = source
    %28 = constant %27 {value = 0 : i35} : i35
    %29 = source
    %30 = constant %29 {value = 0 : i3} : i3
    %trueResult, %falseResult = cond_br %24#5, %15#0 : i3
    sink %falseResult : i3
    %31 = buffer [4] seq %24#4 : i1
    %trueResult_0, %falseResult_1 = cond_br %31, %18 : i7
    %trueResult_2, %falseResult_3 = cond_br %24#3, %19 : none
    %32:2 = fork [2] %falseResult_3 : none
    %trueResult_4, %falseResult_5 = cond_br %24#2, %26 : i4
    sink %falseResult_5 : i4
    %trueResult_6, %falseResult_7 = cond_br %24#1, %28 : i35
    sink %falseResult_7 : i35
    %trueResult_8, %falseResult_9 = cond_br %24#0, %30 : i3
    sink %trueResult_8 : i3
    %33 = mux %45#0 [%76, %trueResult_4] : index, i4
    %34 = buffer [1] seq %33 : i4
    %35:2 = fork [2] %34 : i4
    %36 = buffer [1] seq %45#1 : index
    %37 = mux %36 [%73, %trueResult_6] : index, i35
    %38 = buffer [1] seq %37 : i35
    %39 = buffer [4] seq %45#2 : index
    %40 = mux %39 [%78, %trueResult_0] : index, i7
    %41 = buffer [1] seq %40 : i7
    %42 = mux %45#3 [%54#0, %trueResult] : index, i3
    %43 = buffer [1] seq %42 : i3
    %result_10, %index_11 = control_merge %56#0, %trueResult_2 : none, index
    %44 = buffer [1] seq %result_10 : none
    %45:4 = fork [4] %index_11 : index
    %46 = source
    %47 = constant %46 {value = 4 : i4} : i4
    %48 = arith.cmpi slt, %35#1, %47 : i4
    %49:5 = fork [5] %48 : i1
    %trueResult_12, %falseResult_13 = cond_br %49#4, %35#0 : i4
    sink %falseResult_13 : i4
    %50:2 = fork [2] %trueResult_12 : i4
    %51 = buffer [1] seq %49#3 : i1
    %trueResult_14, %falseResult_15 = cond_br %51, %38 : i35
    %52 = buffer [4] seq %49#2 : i1
    %trueResult_16, %falseResult_17 = cond_br %52, %41 : i7
    %trueResult_18, %falseResult_19 = cond_br %49#1, %43 : i3
    %53:2 = fork [2] %falseResult_19 : i3
    %54:2 = fork [2] %trueResult_18 : i3
    %trueResult_20, %falseResult_21 = cond_br %49#0, %44 : none
    %55:2 = fork [2] %falseResult_21 : none
    %56:3 = fork [3] %trueResult_20 : none
    %57 = buffer [4] seq %8 : none
    %58 = buffer [4] seq %5 : none
    %59 = join %57, %58 : none, none
    %60 = source
    %61 = constant %60 {value = 1 : i32} : i32
    %62 = arith.extsi %54#1 : i3 to i5
    %63 = source
    %64 = constant %63 {value = 4 : i5} : i5
    %65 = arith.muli %62, %64 : i5
    %66 = arith.extsi %50#0 : i4 to i5
    %67 = arith.addi %65, %66 : i5
    %68 = arith.index_cast %67 : i5 to index
    %69:2 = fork [2] %68 : index
    %dataResult, %addressResults = load [%69#1] %7#0, %56#2 : index, i32
    %dataResult_22, %addressResults_23 = load [%69#0] %4#0, %56#1 : index, i32
    %70 = arith.addi %dataResult, %61 : i32
    %71 = arith.muli %70, %dataResult_22 : i32
    %72 = arith.extsi %71 : i32 to i35
    %73 = arith.addi %72, %trueResult_14 : i35
    %74 = source
    %75 = constant %74 {value = 1 : i4} : i4
    %76 = arith.addi %50#1, %75 : i4
    %77 = constant %59 {value = 1 : i7} : i7
    %78 = arith.addi %trueResult_16, %77 : i7
    %79 = arith.trunci %falseResult_15 : i35 to i34
    %80 = arith.index_cast %53#0 : i3 to index
    %81 = buffer [1] seq %80 : index
    %82 = buffer [1] seq %79 : i34
    %83 = buffer [1] seq %55#1 : none
    %dataResult_24, %addressResult = store [%81] %82, %83 : index, i34
    %84 = source
    %85 = constant %84 {value = 1 : i3} : i3
    %86 = arith.addi %53#1, %85 : i3
    %87 = buffer [4] seq %1#1 : none
    %88 = constant %87 {value = 1 : i7} : i7
    %89 = arith.addi %falseResult_17, %88 : i7
    %90 = constant %32#1 {value = 2 : i7} : i7
    %91 = join %32#0, %93#1 : none, i7
    %92 = arith.addi %falseResult_1, %90 : i7
    %93:2 = fork [2] %92 : i7
    %94 = mux %101#0 [%121, %falseResult_9] : index, i3
    %95 = buffer [1] seq %94 : i3
    %96:2 = fork [2] %95 : i3
    %97 = buffer [4] seq %101#1 : index
    %98 = mux %97 [%123, %93#0] : index, i7
    %99 = buffer [1] seq %98 : i7
    %result_25, %index_26 = control_merge %109#0, %91 : none, index
    %100 = buffer [1] seq %result_25 : none
    %101:2 = fork [2] %index_26 : index
    %102 = source
    %103 = constant %102 {value = 2 : i3} : i3
    %104 = arith.cmpi slt, %96#1, %103 : i3
    %105:3 = fork [3] %104 : i1
    %trueResult_27, %falseResult_28 = cond_br %105#2, %96#0 : i3
    sink %falseResult_28 : i3
    %106:2 = fork [2] %trueResult_27 : i3
    %107 = buffer [4] seq %105#1 : i1
    %trueResult_29, %falseResult_30 = cond_br %107, %99 : i7
    %trueResult_31, %falseResult_32 = cond_br %105#0, %100 : none
    %108:2 = fork [2] %falseResult_32 : none
    %109:3 = fork [3] %trueResult_31 : none
    %110 = buffer [4] seq %arg2 : none
    %111 = buffer [4] seq %1#2 : none
    %112 = join %110, %111 : none, none
    %113 = arith.index_cast %106#0 : i3 to index
    %114:2 = fork [2] %113 : index
    %dataResult_33, %addressResults_34 = load [%114#1] %1#0, %109#2 : index, i34
    %115 = arith.extsi %dataResult_33 : i34 to i64
    %116 = buffer [1] seq %114#0 : index
    %117 = buffer [1] seq %115 : i64
    %118 = buffer [1] seq %109#1 : none
    %dataResult_35, %addressResult_36 = store [%116] %117, %118 : index, i64
    %119 = source
    %120 = constant %119 {value = 1 : i3} : i3
    %121 = arith.addi %106#1, %120 : i3
    %122 = constant %112 {value = 1 : i7} : i7
    %123 = arith.addi %trueResult_29, %122 : i7
    %124 = constant %108#1 {value = 2 : i7} : i7
    %125 = join %108#0, %126 : none, i7
    %126 = arith.addi %falseResult_30, %124 : i7
    return %125, %9, %6, %3 : none, i3, i3, !hw.struct<address: i1, data: i64>
  }
}
