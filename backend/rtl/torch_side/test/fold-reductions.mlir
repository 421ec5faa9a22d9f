// RUN: torch-circt-opt --stage fold-reductions --fold 4 --args 1 --results 1 %s | filecheck %s
// RUN: torch-circt-opt --stage fold-reductions --fold 8 --args 1 --results 1 %s | filecheck %s --check-prefix=EIGHT
// RUN: torch-circt-opt --stage fold-reductions --fold-layers 2,1,24 --args 1 --results 1 %s | filecheck %s --check-prefix=LAYERS
// RUN: torch-circt-opt --stage fold-reductions --target-interval 70 --args 1 --results 1 %s | filecheck %s --check-prefix=TARGET

// The reduction nests, in walk order: @dot's k loop (16 iterations in all), @running_max's (6) and
// @nest's taps and channels (24); the other loops take 46 iterations. --fold-layers gives each its
// own fold: @nest's 24 takes both its loops whole. --target-interval 70 folds the biggest nest
// first, one step at a time: @nest by 2 (92 -> 80), @dot by 2 (-> 72), @nest by 4 (-> 66). The
// module records the folds applied.
// LAYERS:      torch_circt.folds = array<i64: 2, 1, 24>
// LAYERS-LABEL: func.func @dot
// LAYERS:        affine.for %{{.*}} = 0 to 4 iter_args
// LAYERS-LABEL: func.func @running_max
// LAYERS:        affine.for %{{.*}} = 0 to 6 iter_args
// LAYERS-LABEL: func.func @nest
// LAYERS:        affine.for %{{.*}} = 0 to 24 {
// LAYERS-NOT:    affine.for
// LAYERS-COUNT-24: arith.muli
// LAYERS-NOT:    affine.for
// TARGET:      torch_circt.folds = array<i64: 2, 1, 4>

// y[o] = sum_k x[k] * w[o, k] with w a parameter (row-major, 2 x 8), after scalar replacement.
// Folded by 4: the k loop runs 2 iterations of 4 terms summed in a tree, then added to the
// accumulator once. The weight is split into 4 banks (bank b holds the words b, b + 4, ...),
// each read by one term at (8 * o + 4 * q + b) / 4; the input, read by four terms, is copied
// into an on-chip memory first.
// CHECK:       torch_circt.params = [{{.*}}name = "w_bank0", shape = array<i64: 4>, values = array<i64: 0, 4, 8, 12>}
// CHECK-SAME:    name = "w_bank1", shape = array<i64: 4>, values = array<i64: 1, 5, 9, 13>}
// CHECK-SAME:    name = "w_bank3", shape = array<i64: 4>, values = array<i64: 3, 7, 11, 15>}
// CHECK-LABEL: func.func @dot
// CHECK-SAME:    (%[[X:.*]]: memref<8xi8>, %[[Y:.*]]: memref<2xi32>, %[[B0:.*]]: memref<4xi8>, %[[B1:.*]]: memref<4xi8>, %[[B2:.*]]: memref<4xi8>, %[[B3:.*]]: memref<4xi8>)
// CHECK:         %[[COPY:.*]] = memref.alloc() : memref<8xi8>
// CHECK:         affine.for %[[I:.*]] = 0 to 8 {
// CHECK-NEXT:      %[[V:.*]] = affine.load %[[X]][%[[I]]]
// CHECK-NEXT:      affine.store %[[V]], %[[COPY]][%[[I]]]
// CHECK:         affine.for %[[O:.*]] = 0 to 2 {
// CHECK:           affine.for %[[Q:.*]] = 0 to 2 iter_args(%[[ACC:.*]] = %{{.*}}) -> (i32) {
// CHECK-DAG:         affine.load %[[COPY]][%[[Q]] * 4 + 1]
// CHECK-DAG:         affine.load %[[B1]][%[[O]] * 2 + %[[Q]]]
// CHECK-DAG:         affine.load %[[COPY]][%[[Q]] * 4 + 3]
// CHECK-DAG:         affine.load %[[B3]][%[[O]] * 2 + %[[Q]]]
// CHECK-DAG:         affine.load %[[COPY]][%[[Q]] * 4]
// CHECK-DAG:         affine.load %[[B0]][%[[O]] * 2 + %[[Q]]]
// CHECK:             %[[P01:.*]] = arith.addi %{{.*}}, %{{.*}} : i32
// CHECK-NEXT:        %[[P23:.*]] = arith.addi %{{.*}}, %{{.*}} : i32
// CHECK-NEXT:        %[[TREE:.*]] = arith.addi %[[P01]], %[[P23]] : i32
// CHECK-NEXT:        %[[NEXT:.*]] = arith.addi %[[ACC]], %[[TREE]] : i32
// CHECK-NEXT:        affine.yield %[[NEXT]] : i32
module attributes {torch_circt.params = [{element = "i8", name = "w", shape = array<i64: 16>,
                                          values = array<i64: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15>}]} {
  func.func @dot(%x: memref<8xi8>, %y: memref<2xi32>, %w: memref<16xi8>) {
    %zero = arith.constant 0 : i32
    affine.for %o = 0 to 2 {
      %sum = affine.for %k = 0 to 8 iter_args(%acc = %zero) -> (i32) {
        %a = affine.load %x[%k] : memref<8xi8>
        %b = affine.load %w[%o * 8 + %k] : memref<16xi8>
        %a32 = arith.extsi %a : i8 to i32
        %b32 = arith.extsi %b : i8 to i32
        %p = arith.muli %a32, %b32 : i32
        %next = arith.addi %acc, %p : i32
        affine.yield %next : i32
      }
      affine.store %sum, %y[%o] : memref<2xi32>
    }
    return
  }

// A trip count of 6 folds by gcd(4, 6) = 2; a max reduction folds as a sum does; the memory the
// terms read is on chip already (written by another loop), so it keeps one port per term.
// CHECK-LABEL: func.func @running_max
// CHECK:         affine.for %[[Q:.*]] = 0 to 3 iter_args(%[[M:.*]] = %{{.*}}) -> (i32) {
// CHECK-DAG:       affine.load %[[BUF:.*]][%[[Q]] * 2]
// CHECK-DAG:       affine.load %[[BUF]][%[[Q]] * 2 + 1]
// CHECK:           %[[PAIR:.*]] = arith.maxsi %{{.*}}, %{{.*}} : i32
// CHECK-NEXT:      %[[NEXT:.*]] = arith.maxsi %[[M]], %[[PAIR]] : i32
func.func @running_max(%x: memref<6xi32>, %y: memref<1xi32>) {
  %buf = memref.alloc() : memref<6xi32>
  affine.for %i = 0 to 6 {
    %v = affine.load %x[%i] : memref<6xi32>
    affine.store %v, %buf[%i] : memref<6xi32>
  }
  %low = arith.constant -2147483648 : i32
  %m = affine.for %k = 0 to 6 iter_args(%acc = %low) -> (i32) {
    %v = affine.load %buf[%k] : memref<6xi32>
    %next = arith.maxsi %acc, %v : i32
    affine.yield %next : i32
  }
  affine.store %m, %y[0] : memref<1xi32>
  return
}

// Not folded: a float sum (rounding depends on the order), and a loop that stores.
// CHECK-LABEL: func.func @left_alone
// CHECK:         affine.for %{{.*}} = 0 to 8 iter_args
// CHECK:         affine.for %{{.*}} = 0 to 8 {
func.func @left_alone(%x: memref<8xf32>, %y: memref<8xi32>) {
  %zero = arith.constant 0.0 : f32
  %s = affine.for %k = 0 to 8 iter_args(%acc = %zero) -> (f32) {
    %v = affine.load %x[%k] : memref<8xf32>
    %next = arith.addf %acc, %v : f32
    affine.yield %next : f32
  }
  %one = arith.constant 1 : i32
  affine.for %k = 0 to 8 {
    affine.store %one, %y[%k] : memref<8xi32>
  }
  return
}

// A reduction nest (a convolution's channels and taps): folding by 8 takes the 4 taps in one
// iteration, which leaves that loop one iteration, so its body joins the channel loop, which
// takes the remaining factor 2. The kernel (rows of 4) is banked by 4 along the taps only, as
// the channel loop moves by whole rows.
// EIGHT-LABEL: func.func @nest
// EIGHT:         affine.for %[[C:.*]] = 0 to 3 iter_args(%[[ACC:.*]] = %{{.*}}) -> (i32) {
// EIGHT-NOT:       affine.for
// EIGHT-COUNT-8:   arith.muli
// EIGHT-NOT:       affine.for
// EIGHT:           %[[NEXT:.*]] = arith.addi %[[ACC]], %{{.*}} : i32
// EIGHT-NEXT:      affine.yield %[[NEXT]] : i32
func.func @nest(%x: memref<24xi32>, %y: memref<1xi32>) {
  %buf = memref.alloc() : memref<24xi32>
  affine.for %i = 0 to 24 {
    %v = affine.load %x[%i] : memref<24xi32>
    affine.store %v, %buf[%i] : memref<24xi32>
  }
  %zero = arith.constant 0 : i32
  %sum = affine.for %c = 0 to 6 iter_args(%outer = %zero) -> (i32) {
    %row = affine.for %t = 0 to 4 iter_args(%inner = %outer) -> (i32) {
      %v = affine.load %buf[%c * 4 + %t] : memref<24xi32>
      %sq = arith.muli %v, %v : i32
      %next = arith.addi %inner, %sq : i32
      affine.yield %next : i32
    }
    affine.yield %row : i32
  }
  affine.store %sum, %y[0] : memref<1xi32>
  return
}
}
