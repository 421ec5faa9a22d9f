// RUN: torch-circt-opt --stage fuse-epilogues --args 1 --results 1 %s | filecheck %s

// y[o] = trunc(sum_k x[k] * w[o, k] + b[o]) with both outputs side by side (unroll-outputs on a loop of two
// outputs): the epilogue (the bias, the cast) is copied once per sum right after the reduction, the bias words
// become constants, and the results are stored where the epilogue stored them; the on-chip sums and the
// epilogue loop go.
// CHECK-LABEL: func.func @fused
// CHECK-NOT:     memref.alloc
// CHECK:         affine.for %[[Q:.*]] = 0 to 1 {
// CHECK:           %[[SUMS:.*]]:2 = affine.for
// CHECK:           }
// CHECK-NEXT:      %[[AT0:.*]] = arith.constant 0 : index
// CHECK-NEXT:      %[[B0:.*]] = arith.constant 100 : i32
// CHECK-NEXT:      %[[R0:.*]] = arith.addi %[[SUMS]]#0, %[[B0]] : i32
// CHECK-NEXT:      %[[T0:.*]] = arith.trunci %[[R0]] : i32 to i8
// CHECK-NEXT:      affine.store %[[T0]], %arg1[%[[AT0]]]
// CHECK-NEXT:      %[[AT1:.*]] = arith.constant 1 : index
// CHECK-NEXT:      %[[B1:.*]] = arith.constant -7 : i32
// CHECK-NEXT:      %[[R1:.*]] = arith.addi %[[SUMS]]#1, %[[B1]] : i32
// CHECK-NEXT:      %[[T1:.*]] = arith.trunci %[[R1]] : i32 to i8
// CHECK-NEXT:      affine.store %[[T1]], %arg1[%[[AT1]]]
// CHECK-NEXT:    }
// CHECK-NEXT:    return
module attributes {torch_circt.params = [
    {element = "i8", name = "w_bank0", shape = array<i64: 8>, values = array<i64: 1, 2, 3, 4, 5, 6, 7, 8>},
    {element = "i8", name = "w_bank1", shape = array<i64: 8>, values = array<i64: 8, 7, 6, 5, 4, 3, 2, 1>},
    {element = "i32", name = "b", shape = array<i64: 2>, values = array<i64: 100, -7>}]} {
  func.func @fused(%x: memref<8xi8>, %y: memref<2xi8>, %w0: memref<8xi8>, %w1: memref<8xi8>, %b: memref<2xi32>) {
    %zero = arith.constant 0 : i32
    %h = memref.alloc() : memref<2xi32>
    affine.for %q = 0 to 1 {
      %sums:2 = affine.for %k = 0 to 8 iter_args(%a0 = %zero, %a1 = %zero) -> (i32, i32) {
        %xk = affine.load %x[%k] : memref<8xi8>
        %u = affine.load %w0[%k] : memref<8xi8>
        %v = affine.load %w1[%k] : memref<8xi8>
        %xe = arith.extsi %xk : i8 to i32
        %ue = arith.extsi %u : i8 to i32
        %ve = arith.extsi %v : i8 to i32
        %p0 = arith.muli %xe, %ue : i32
        %p1 = arith.muli %xe, %ve : i32
        %n0 = arith.addi %a0, %p0 : i32
        %n1 = arith.addi %a1, %p1 : i32
        affine.yield %n0, %n1 : i32, i32
      }
      affine.store %sums#0, %h[%q * 2] : memref<2xi32>
      affine.store %sums#1, %h[%q * 2 + 1] : memref<2xi32>
    }
    affine.for %i = 0 to 2 {
      %s = affine.load %h[%i] : memref<2xi32>
      %bi = affine.load %b[%i] : memref<2xi32>
      %r = arith.addi %s, %bi : i32
      %t = arith.trunci %r : i32 to i8
      affine.store %t, %y[%i] : memref<2xi8>
    }
    return
  }

  // An epilogue that also reads the input (a residual) reads it in each copy, at the copy's element (a port
  // each); the copies follow the epilogue's order, element 0 first, whatever order the sums were stored in.
  // CHECK-LABEL: func.func @residual
  // CHECK-NOT:     memref.alloc
  // CHECK:           %[[SUMS:.*]]:2 = affine.for
  // CHECK:           }
  // CHECK-NEXT:      %[[AT0:.*]] = arith.constant 0 : index
  // CHECK-NEXT:      %[[X0:.*]] = affine.load %arg0[%[[AT0]]]
  // CHECK-NEXT:      %[[E0:.*]] = arith.extsi %[[X0]]
  // CHECK-NEXT:      arith.addi %[[SUMS]]#0, %[[E0]]
  // CHECK:           %[[AT1:.*]] = arith.constant 1 : index
  // CHECK-NEXT:      %[[X1:.*]] = affine.load %arg0[%[[AT1]]]
  // CHECK-NEXT:      %[[E1:.*]] = arith.extsi %[[X1]]
  // CHECK-NEXT:      arith.addi %[[SUMS]]#1, %[[E1]]
  // CHECK-NOT:     affine.for
  func.func @residual(%x: memref<8xi8>, %y: memref<2xi8>, %w0: memref<8xi8>, %w1: memref<8xi8>, %b: memref<2xi32>) {
    %zero = arith.constant 0 : i32
    %h = memref.alloc() : memref<2xi32>
    affine.for %q = 0 to 1 {
      %sums:2 = affine.for %k = 0 to 8 iter_args(%a0 = %zero, %a1 = %zero) -> (i32, i32) {
        %xk = affine.load %x[%k] : memref<8xi8>
        %u = affine.load %w0[%k] : memref<8xi8>
        %v = affine.load %w1[%k] : memref<8xi8>
        %xe = arith.extsi %xk : i8 to i32
        %ue = arith.extsi %u : i8 to i32
        %ve = arith.extsi %v : i8 to i32
        %p0 = arith.muli %xe, %ue : i32
        %p1 = arith.muli %xe, %ve : i32
        %n0 = arith.addi %a0, %p0 : i32
        %n1 = arith.addi %a1, %p1 : i32
        affine.yield %n0, %n1 : i32, i32
      }
      affine.store %sums#1, %h[%q * 2 + 1] : memref<2xi32>
      affine.store %sums#0, %h[%q * 2] : memref<2xi32>
    }
    affine.for %i = 0 to 2 {
      %s = affine.load %h[%i] : memref<2xi32>
      %xi = affine.load %x[%i] : memref<8xi8>
      %xe = arith.extsi %xi : i8 to i32
      %r = arith.addi %s, %xe : i32
      %t = arith.trunci %r : i32 to i8
      affine.store %t, %y[%i] : memref<2xi8>
    }
    return
  }
}
