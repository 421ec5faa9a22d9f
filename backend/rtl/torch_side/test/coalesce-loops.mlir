// RUN: torch-circt-opt --stage coalesce-loops %s | filecheck %s

// A contiguous copy: the batch loop of one iteration goes, the pair merges into one
// loop whose index addresses both memories, no division left.
// CHECK-LABEL: func.func @copy(%arg0: memref<15xi32>, %arg1: memref<15xi32>)
// CHECK-NEXT:    affine.for %[[X:.*]] = 0 to 15 {
// CHECK-NEXT:      affine.load %arg0[%[[X]]] : memref<15xi32>
// CHECK-NEXT:      affine.store %{{.*}}, %arg1[%[[X]]] : memref<15xi32>
// CHECK-NOT:     floordiv
func.func @copy(%a: memref<1x3x5xi32>, %b: memref<1x3x5xi32>) {
  affine.for %n = 0 to 1 {
    affine.for %i = 0 to 3 {
      affine.for %j = 0 to 5 {
        %v = affine.load %a[%n, %i, %j] : memref<1x3x5xi32>
        affine.store %v, %b[%n, %i, %j] : memref<1x3x5xi32>
      }
    }
  }
  return
}

// A transpose would need a divider by 5: its loops stay apart.
// CHECK-LABEL: func.func @transpose
// CHECK-NEXT:    affine.for %{{.*}} = 0 to 3 {
// CHECK-NEXT:      affine.for %{{.*}} = 0 to 5 {
// CHECK-NOT:     floordiv
// CHECK-NOT:     mod
func.func @transpose(%a: memref<1x3x5xi32>, %b: memref<1x3x5xi32>) {
  affine.for %n = 0 to 1 {
    affine.for %i = 0 to 3 {
      affine.for %j = 0 to 5 {
        %v = affine.load %a[%n, %i, %j] : memref<1x3x5xi32>
        affine.store %v, %b[%n, %j, %i] : memref<1x3x5xi32>
      }
    }
  }
  return
}

// So would a broadcast over rows of 5.
// CHECK-LABEL: func.func @broadcast
// CHECK-NEXT:    affine.for %{{.*}} = 0 to 3 {
// CHECK-NEXT:      affine.for %{{.*}} = 0 to 5 {
func.func @broadcast(%r: memref<3xi32>, %b: memref<1x3x5xi32>) {
  affine.for %n = 0 to 1 {
    affine.for %i = 0 to 3 {
      affine.for %j = 0 to 5 {
        %v = affine.load %r[%i] : memref<3xi32>
        affine.store %v, %b[%n, %i, %j] : memref<1x3x5xi32>
      }
    }
  }
  return
}

// A transpose of 4x4 coalesces: dividing by 4 is wires.
// CHECK-LABEL: func.func @square_transpose
// CHECK-NEXT:    affine.for %[[X:.*]] = 0 to 16 {
// CHECK:           affine.store %{{.*}}, %arg1[%[[X]] * 4 - (%[[X]] floordiv 4) * 15]
func.func @square_transpose(%a: memref<1x4x4xi32>, %b: memref<1x4x4xi32>) {
  affine.for %n = 0 to 1 {
    affine.for %i = 0 to 4 {
      affine.for %j = 0 to 4 {
        %v = affine.load %a[%n, %i, %j] : memref<1x4x4xi32>
        affine.store %v, %b[%n, %j, %i] : memref<1x4x4xi32>
      }
    }
  }
  return
}

// Accesses through views address the memory itself; the views go.
// CHECK-LABEL: func.func @views(%arg0: memref<4xi32>, %arg1: memref<12xi32>)
// CHECK-NOT:     subview
// CHECK-NOT:     collapse_shape
// CHECK:           affine.load %arg0[%[[I:.*]]] : memref<4xi32>
// CHECK-NEXT:      affine.store %{{.*}}, %arg1[%[[I]] + 4] : memref<12xi32>
func.func @views(%a: memref<2x2xi32>, %b: memref<3x4xi32>) {
  %flat = memref.collapse_shape %a [[0, 1]] : memref<2x2xi32> into memref<4xi32>
  %row = memref.subview %b[1, 0] [1, 4] [1, 1] : memref<3x4xi32> to memref<4xi32, strided<[1], offset: 4>>
  affine.for %i = 0 to 4 {
    %v = affine.load %flat[%i] : memref<4xi32>
    affine.store %v, %row[%i] : memref<4xi32, strided<[1], offset: 4>>
  }
  return
}

// A memory another op uses is left to the cf level (linearize-memrefs).
// CHECK-LABEL: func.func @copied(%arg0: memref<2x2xi32>, %arg1: memref<2x2xi32>)
// CHECK-NEXT:    memref.copy %arg0, %arg1 : memref<2x2xi32> to memref<2x2xi32>
func.func @copied(%a: memref<2x2xi32>, %b: memref<2x2xi32>) {
  memref.copy %a, %b : memref<2x2xi32> to memref<2x2xi32>
  return
}

// conv's kh x kw window: two reduction loops carrying one accumulator become one loop of 9.
// CHECK-LABEL: func.func @window
// CHECK:         %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK-NEXT:    affine.for %[[X:.*]] = 0 to 9 iter_args(%{{.*}} = %[[ZERO]]) -> (i32) {
// CHECK-NEXT:      affine.load %arg0[%[[X]]] : memref<9xi32>
func.func @window(%w: memref<9xi32>) -> i32 {
  %zero = arith.constant 0 : i32
  %r = affine.for %kh = 0 to 3 iter_args(%a = %zero) -> (i32) {
    %s = affine.for %kw = 0 to 3 iter_args(%b = %a) -> (i32) {
      %v = affine.load %w[%kh * 3 + %kw] : memref<9xi32>
      %n = arith.addi %b, %v : i32
      affine.yield %n : i32
    }
    affine.yield %s : i32
  }
  return %r : i32
}
