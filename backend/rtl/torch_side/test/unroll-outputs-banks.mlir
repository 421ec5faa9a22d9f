// RUN: torch-circt-opt --stage unroll-outputs --unroll-outputs 8 --args 1 --results 1 %s | filecheck %s

// Eight outputs side by side, each starting from a per-group bias b[o floordiv 4] of a 2-word parameter: fewer
// words than banks, so b cannot be banked by 8 (and used to divide by a row width of 0); it is copied on chip
// once and read there, while w is banked by row as usual.
// CHECK-LABEL: func.func @few
// CHECK:         %[[B:.*]] = memref.alloc() : memref<2xi32>
// CHECK:         affine.for %[[I:.*]] = 0 to 2 {
// CHECK-NEXT:      %[[WORD:.*]] = affine.load %arg2[%[[I]]]
// CHECK-NEXT:      affine.store %[[WORD]], %[[B]][%[[I]]]
// CHECK:         affine.for %[[Q:.*]] = 0 to 1 {
// CHECK-COUNT-4:   affine.load %[[B]][%[[Q]] * 2]
// CHECK-COUNT-4:   affine.load %[[B]][%[[Q]] * 2 + 1]
// CHECK:           affine.for %{{.*}} = 0 to 8 iter_args({{.*}}) -> (i32, i32, i32, i32, i32, i32, i32, i32) {
module attributes {torch_circt.params = [{element = "i8", name = "w", shape = array<i64: 64>, values = array<i64: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63>},
                                         {element = "i32", name = "b", shape = array<i64: 2>, values = array<i64: 5, -5>}]} {
  func.func @few(%x: memref<8xi8>, %y: memref<8xi32>, %w: memref<64xi8>, %b: memref<2xi32>) {
    %h = memref.alloc() : memref<8xi32>
    affine.for %o = 0 to 8 {
      %init = affine.load %b[%o floordiv 4] : memref<2xi32>
      %sum = affine.for %k = 0 to 8 iter_args(%acc = %init) -> (i32) {
        %a = affine.load %x[%k] : memref<8xi8>
        %c = affine.load %w[%o * 8 + %k] : memref<64xi8>
        %a32 = arith.extsi %a : i8 to i32
        %c32 = arith.extsi %c : i8 to i32
        %p = arith.muli %a32, %c32 : i32
        %next = arith.addi %acc, %p : i32
        affine.yield %next : i32
      }
      affine.store %sum, %h[%o] : memref<8xi32>
    }
    affine.for %i = 0 to 8 {
      %v = affine.load %h[%i] : memref<8xi32>
      affine.store %v, %y[%i] : memref<8xi32>
    }
    return
  }
}
