// RUN: torch-circt-opt --stage scalar-replacement %s | filecheck %s

// C[i] += A[i, k] over k: the load of C[i] moves before the k loop and seeds
// its iter_args, the store moves after it.
// CHECK-LABEL: func.func @reduce
// CHECK:         affine.for %[[I:.*]] = 0 to 2 {
// CHECK-NEXT:      %[[INIT:.*]] = affine.load %arg1[%[[I]]]
// CHECK-NEXT:      %[[SUM:.*]] = affine.for %[[K:.*]] = 0 to 3 iter_args(%[[ACC:.*]] = %[[INIT]]) -> (i32) {
// CHECK-NEXT:        %[[X:.*]] = affine.load %arg0[%[[I]], %[[K]]]
// CHECK-NEXT:        %[[NEXT:.*]] = arith.addi %[[ACC]], %[[X]] : i32
// CHECK-NEXT:        affine.yield %[[NEXT]] : i32
// CHECK-NEXT:      }
// CHECK-NEXT:      affine.store %[[SUM]], %arg1[%[[I]]]
func.func @reduce(%a: memref<2x3xi32>, %c: memref<2xi32>) {
  affine.for %i = 0 to 2 {
    affine.for %k = 0 to 3 {
      %x = affine.load %a[%i, %k] : memref<2x3xi32>
      %acc = affine.load %c[%i] : memref<2xi32>
      %sum = arith.addi %acc, %x : i32
      affine.store %sum, %c[%i] : memref<2xi32>
    }
  }
  return
}

// The loop touches C at another address too: nothing moves.
// CHECK-LABEL: func.func @elsewhere
// CHECK-NOT:     iter_args
// CHECK:         affine.load %arg1
// CHECK-NEXT:    arith.addi
// CHECK-NEXT:    affine.store %{{.*}}, %arg1
// CHECK-NEXT:    affine.store %{{.*}}, %arg1
func.func @elsewhere(%a: memref<2x3xi32>, %c: memref<2xi32>) {
  affine.for %i = 0 to 2 {
    affine.for %k = 0 to 3 {
      %x = affine.load %a[%i, %k] : memref<2x3xi32>
      %acc = affine.load %c[%i] : memref<2xi32>
      %sum = arith.addi %acc, %x : i32
      affine.store %sum, %c[%i] : memref<2xi32>
      affine.store %x, %c[%k] : memref<2xi32>
    }
  }
  return
}

// acc[j] = max over i of a[i, j]: the reduction is the outer loop, so the pair
// is interchanged first (j outer), then the accumulator is carried by i.
// CHECK-LABEL: func.func @outer
// CHECK:         affine.for %[[J:.*]] = 0 to 4 {
// CHECK-NEXT:      %[[INIT:.*]] = affine.load %arg1[%[[J]]]
// CHECK-NEXT:      affine.for %[[I:.*]] = 0 to 5 iter_args(%{{.*}} = %[[INIT]]) -> (i32) {
// CHECK-NEXT:        affine.load %arg0[%[[I]], %[[J]]]
func.func @outer(%a: memref<5x4xi32>, %acc: memref<4xi32>) {
  affine.for %i = 0 to 5 {
    affine.for %j = 0 to 4 {
      %x = affine.load %a[%i, %j] : memref<5x4xi32>
      %m = affine.load %acc[%j] : memref<4xi32>
      %r = arith.maxsi %x, %m : i32
      affine.store %r, %acc[%j] : memref<4xi32>
    }
  }
  return
}

// Nested reductions reach a fixpoint: both inner loops carry the accumulator.
// CHECK-LABEL: func.func @nested
// CHECK:         %[[INIT:.*]] = affine.load %arg1
// CHECK-NEXT:    affine.for %{{.*}} = 0 to 3 iter_args(%[[OUTER:.*]] = %[[INIT]]) -> (i32) {
// CHECK-NEXT:      affine.for %{{.*}} = 0 to 2 iter_args(%{{.*}} = %[[OUTER]]) -> (i32) {
// CHECK-NOT:         affine.load %arg1
// CHECK:         affine.store %{{.*}}, %arg1
func.func @nested(%a: memref<2x3xi32>, %c: memref<2xi32>) {
  affine.for %i = 0 to 2 {
    affine.for %k = 0 to 3 {
      affine.for %l = 0 to 2 {
        %x = affine.load %a[%i, %k] : memref<2x3xi32>
        %acc = affine.load %c[%i] : memref<2xi32>
        %sum = arith.addi %acc, %x : i32
        affine.store %sum, %c[%i] : memref<2xi32>
      }
    }
  }
  return
}

// An element written at addresses of both loops: no interchange, nothing moves.
// CHECK-LABEL: func.func @skewed
// CHECK:         affine.for %{{.*}} = 0 to 5 {
// CHECK-NEXT:      affine.for %{{.*}} = 0 to 4 {
// CHECK-NOT:     iter_args
// CHECK:         return
func.func @skewed(%a: memref<5x4xi32>, %acc: memref<9xi32>) {
  affine.for %i = 0 to 5 {
    affine.for %j = 0 to 4 {
      %x = affine.load %a[%i, %j] : memref<5x4xi32>
      %m = affine.load %acc[%i + %j] : memref<9xi32>
      %r = arith.maxsi %x, %m : i32
      affine.store %r, %acc[%i + %j] : memref<9xi32>
    }
  }
  return
}
