// RUN: torch-circt-opt --stage unroll-outputs --unroll-outputs 2 --args 1 --results 1 %s | filecheck %s
// RUN: torch-circt-opt --stage unroll-outputs --unroll-outputs 1 --args 1 --results 1 %s | filecheck %s --check-prefix=ONE

// h[o] = sum_k x[k] * w[o, k] (w a 4 x 8 parameter, row-major), kept on chip, then copied out. Two outputs
// per iteration: the o loop runs twice, its one k loop carries two accumulators and loads x[k] once for
// both; w is split into 2 banks of whole rows (bank 0 holds rows 0 and 2, bank 1 rows 1 and 3), output j
// reading bank j at row q; the two sums are stored side by side.
// CHECK:       torch_circt.params = [{{.*}}name = "w_bank0", shape = array<i64: 16>, values = array<i64: 0, 1, 2, 3, 4, 5, 6, 7, 16, 17,
// CHECK-SAME:    name = "w_bank1", shape = array<i64: 16>, values = array<i64: 8, 9, 10, 11, 12, 13, 14, 15, 24,
// CHECK-LABEL: func.func @layer
// CHECK-SAME:    (%[[X:.*]]: memref<8xi8>, %[[Y:.*]]: memref<4xi32>, %[[B0:.*]]: memref<16xi8>, %[[B1:.*]]: memref<16xi8>)
// CHECK:         %[[H:.*]] = memref.alloc() : memref<4xi32>
// CHECK:         affine.for %[[Q:.*]] = 0 to 2 {
// CHECK-NEXT:      %[[SUMS:.*]]:2 = affine.for %[[K:.*]] = 0 to 8 iter_args(%[[A0:.*]] = %{{.*}}, %[[A1:.*]] = %{{.*}}) -> (i32, i32) {
// CHECK-NEXT:        %[[XK:.*]] = affine.load %[[X]][%[[K]]]
// CHECK-NOT:         affine.load %[[X]]
// CHECK-DAG:         affine.load %[[B0]][%[[Q]] * 8 + %[[K]]]
// CHECK-DAG:         affine.load %[[B1]][%[[Q]] * 8 + %[[K]]]
// CHECK:             affine.yield %{{.*}}, %{{.*}} : i32, i32
// CHECK:           affine.store %[[SUMS]]#0, %[[H]][%[[Q]] * 2]
// CHECK-NEXT:      affine.store %[[SUMS]]#1, %[[H]][%[[Q]] * 2 + 1]
// The copy out, which stores into the top's memory and has no reduction, is left alone.
// CHECK:         affine.for %{{.*}} = 0 to 4 {
// ONE-LABEL:   func.func @layer
// ONE:           affine.for %{{.*}} = 0 to 4 {
// ONE-NEXT:        affine.for %{{.*}} = 0 to 8 iter_args(%{{.*}} = %{{.*}}) -> (i32) {
module attributes {torch_circt.params = [{element = "i8", name = "w", shape = array<i64: 32>,
                                          values = array<i64: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
                                                              16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31>}]} {
  func.func @layer(%x: memref<8xi8>, %y: memref<4xi32>, %w: memref<32xi8>) {
    %zero = arith.constant 0 : i32
    %h = memref.alloc() : memref<4xi32>
    affine.for %o = 0 to 4 {
      %sum = affine.for %k = 0 to 8 iter_args(%acc = %zero) -> (i32) {
        %a = affine.load %x[%k] : memref<8xi8>
        %b = affine.load %w[%o * 8 + %k] : memref<32xi8>
        %a32 = arith.extsi %a : i8 to i32
        %b32 = arith.extsi %b : i8 to i32
        %p = arith.muli %a32, %b32 : i32
        %next = arith.addi %acc, %p : i32
        affine.yield %next : i32
      }
      affine.store %sum, %h[%o] : memref<4xi32>
    }
    affine.for %i = 0 to 4 {
      %v = affine.load %h[%i] : memref<4xi32>
      affine.store %v, %y[%i] : memref<4xi32>
    }
    return
  }

// An accumulator kept in memory: each output's sum (of x[k] * o) starts from the element it is stored back to
// (a bias written there first), at an address that moves with o. Each output reads only its own element, so two side
// by side load their two, sum, and store them back.
// CHECK-LABEL: func.func @accumulator_in_memory
// CHECK:         affine.for %[[Q:.*]] = 0 to 2 {
// CHECK-DAG:       %[[S0:.*]] = affine.load %[[H:.*]][%[[Q]] * 2]
// CHECK-DAG:       %[[S1:.*]] = affine.load %[[H]][%[[Q]] * 2 + 1]
// CHECK:           %[[SUMS:.*]]:2 = affine.for %{{.*}} = 0 to 8 iter_args(%{{.*}} = %[[S0]], %{{.*}} = %[[S1]]) -> (i32, i32) {
// CHECK:           affine.store %[[SUMS]]#0, %[[H]][%[[Q]] * 2]
// CHECK-NEXT:      affine.store %[[SUMS]]#1, %[[H]][%[[Q]] * 2 + 1]
  func.func @accumulator_in_memory(%x: memref<8xi8>, %y: memref<4xi32>) {
    %h = memref.alloc() : memref<4xi32>
    affine.for %i = 0 to 4 {
      %bias = arith.constant 7 : i32
      affine.store %bias, %h[%i] : memref<4xi32>
    }
    affine.for %o = 0 to 4 {
      %start = affine.load %h[%o] : memref<4xi32>
      %sum = affine.for %k = 0 to 8 iter_args(%acc = %start) -> (i32) {
        %a = affine.load %x[%k] : memref<8xi8>
        %a32 = arith.extsi %a : i8 to i32
        %scale = arith.index_cast %o : index to i32
        %p = arith.muli %a32, %scale : i32
        %next = arith.addi %acc, %p : i32
        affine.yield %next : i32
      }
      affine.store %sum, %h[%o] : memref<4xi32>
    }
    affine.for %i = 0 to 4 {
      %v = affine.load %h[%i] : memref<4xi32>
      affine.store %v, %y[%i] : memref<4xi32>
    }
    return
  }

// A reduction that stores straight into the top's memory (one store port) is left alone, and so is one
// whose loop reads a memory it writes (the next output's reduction would read this one's result).
// CHECK-LABEL: func.func @to_the_top
// CHECK:         affine.for %{{.*}} = 0 to 4 {
// CHECK-NEXT:      affine.for %{{.*}} = 0 to 8 iter_args(%{{.*}} = %{{.*}}) -> (i32) {
// CHECK-LABEL: func.func @reads_what_it_writes
// CHECK:         affine.for %{{.*}} = 0 to 4 {
// CHECK-NEXT:      affine.for %{{.*}} = 0 to 4 iter_args(%{{.*}} = %{{.*}}) -> (i32) {
  func.func @to_the_top(%x: memref<8xi8>, %y: memref<4xi32>) {
    %zero = arith.constant 0 : i32
    affine.for %o = 0 to 4 {
      %sum = affine.for %k = 0 to 8 iter_args(%acc = %zero) -> (i32) {
        %a = affine.load %x[%k] : memref<8xi8>
        %a32 = arith.extsi %a : i8 to i32
        %next = arith.addi %acc, %a32 : i32
        affine.yield %next : i32
      }
      affine.store %sum, %y[%o] : memref<4xi32>
    }
    return
  }
  func.func @reads_what_it_writes(%x: memref<4xi32>, %y: memref<4xi32>) {
    %zero = arith.constant 0 : i32
    %h = memref.alloc() : memref<4xi32>
    affine.for %o = 0 to 4 {
      %sum = affine.for %k = 0 to 4 iter_args(%acc = %zero) -> (i32) {
        %a = affine.load %h[%k] : memref<4xi32>
        %next = arith.addi %acc, %a : i32
        affine.yield %next : i32
      }
      affine.store %sum, %h[%o] : memref<4xi32>
    }
    affine.for %i = 0 to 4 {
      %v = affine.load %h[%i] : memref<4xi32>
      affine.store %v, %y[%i] : memref<4xi32>
    }
    return
  }
}
