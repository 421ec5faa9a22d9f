// RUN: torch-circt-opt --stage forward-fills %s | filecheck %s

// A matmul's output filled with 0, then accumulated into: the accumulator starts at the 0 itself
// and the fill loop goes (each element is read once, first, by its own iteration, then overwritten).
// CHECK-LABEL: func.func @matvec
// CHECK:         %[[ZERO:.+]] = arith.constant 0 : i32
// CHECK-NEXT:    %[[ACC:.+]] = memref.alloc() : memref<4xi32>
// CHECK-NEXT:    affine.for %[[O:.+]] = 0 to 4 {
// CHECK-NEXT:      %[[SUM:.+]] = affine.for %{{.+}} = 0 to 8 iter_args(%{{.+}} = %[[ZERO]]) -> (i32) {
// CHECK:           affine.store %[[SUM]], %[[ACC]][%[[O]]]
// CHECK:         affine.for
// CHECK-NOT:     affine.for
func.func @matvec(%x: memref<8xi32>, %w: memref<32xi32>, %y: memref<4xi32>) {
  %zero = arith.constant 0 : i32
  %acc = memref.alloc() : memref<4xi32>
  affine.for %i = 0 to 4 {
    affine.store %zero, %acc[%i] : memref<4xi32>
  }
  affine.for %o = 0 to 4 {
    %init = affine.load %acc[%o] : memref<4xi32>
    %sum = affine.for %k = 0 to 8 iter_args(%a = %init) -> (i32) {
      %v = affine.load %x[%k] : memref<8xi32>
      %u = affine.load %w[%o * 8 + %k] : memref<32xi32>
      %p = arith.muli %v, %u : i32
      %n = arith.addi %a, %p : i32
      affine.yield %n : i32
    }
    affine.store %sum, %acc[%o] : memref<4xi32>
  }
  affine.for %o = 0 to 4 {
    %v = affine.load %acc[%o] : memref<4xi32>
    affine.store %v, %y[%o] : memref<4xi32>
  }
  return
}

// Left alone: the nest reads an element other than its own (the fill's value of element o + 1
// is still needed), a nest over a shorter range (elements 2 and 3 keep the fill), and a fill of
// a function argument (the caller may read it).
// CHECK-LABEL: func.func @left_alone
// CHECK:         affine.for %{{.+}} = 0 to 4 {
// CHECK-NEXT:      affine.store
// CHECK:         affine.for %{{.+}} = 0 to 3 {
// CHECK-NEXT:      affine.load %{{.+}}[%{{.+}} + 1]
// CHECK-LABEL: func.func @short
// CHECK:         affine.for %{{.+}} = 0 to 4 {
// CHECK-NEXT:      affine.store
// CHECK-LABEL: func.func @argument
// CHECK:         affine.for %{{.+}} = 0 to 4 {
// CHECK-NEXT:      affine.store
func.func @left_alone(%y: memref<4xi32>) {
  %zero = arith.constant 0 : i32
  %b = memref.alloc() : memref<4xi32>
  affine.for %i = 0 to 4 {
    affine.store %zero, %b[%i] : memref<4xi32>
  }
  affine.for %o = 0 to 3 {
    %v = affine.load %b[%o + 1] : memref<4xi32>
    affine.store %v, %y[%o] : memref<4xi32>
  }
  return
}

func.func @short(%y: memref<2xi32>) {
  %one = arith.constant 1 : i32
  %b = memref.alloc() : memref<4xi32>
  affine.for %i = 0 to 4 {
    affine.store %one, %b[%i] : memref<4xi32>
  }
  affine.for %o = 0 to 2 {
    %v = affine.load %b[%o] : memref<4xi32>
    %w = arith.addi %v, %one : i32
    affine.store %w, %b[%o] : memref<4xi32>
    affine.store %w, %y[%o] : memref<2xi32>
  }
  return
}

func.func @argument(%b: memref<4xi32>) {
  %one = arith.constant 1 : i32
  affine.for %i = 0 to 4 {
    affine.store %one, %b[%i] : memref<4xi32>
  }
  affine.for %o = 0 to 4 {
    %v = affine.load %b[%o] : memref<4xi32>
    %w = arith.addi %v, %one : i32
    affine.store %w, %b[%o] : memref<4xi32>
  }
  return
}

// The same when the addresses carry a batch index that is the constant 0 (`%b * 4 + %o`, a [1, 4]
// output after linearising): it still reaches element o.
// CHECK-LABEL: func.func @batched
// CHECK:         %[[ZERO:.+]] = arith.constant 0 : i32
// CHECK:         affine.for %{{.+}} = 0 to 4 {
// CHECK-NEXT:      affine.for %{{.+}} = 0 to 8 iter_args(%{{.+}} = %[[ZERO]]) -> (i32) {
func.func @batched(%x: memref<8xi32>, %w: memref<32xi32>, %y: memref<4xi32>) {
  %zero = arith.constant 0 : i32
  %b = arith.constant 0 : index
  %acc = memref.alloc() : memref<4xi32>
  affine.for %i = 0 to 4 {
    affine.store %zero, %acc[%b * 4 + %i] : memref<4xi32>
  }
  affine.for %o = 0 to 4 {
    %init = affine.load %acc[%b * 4 + %o] : memref<4xi32>
    %sum = affine.for %k = 0 to 8 iter_args(%a = %init) -> (i32) {
      %v = affine.load %x[%k] : memref<8xi32>
      %u = affine.load %w[%o * 8 + %k] : memref<32xi32>
      %p = arith.muli %v, %u : i32
      %n = arith.addi %a, %p : i32
      affine.yield %n : i32
    }
    affine.store %sum, %acc[%b * 4 + %o] : memref<4xi32>
  }
  affine.for %o = 0 to 4 {
    %v = affine.load %acc[%o] : memref<4xi32>
    affine.store %v, %y[%o] : memref<4xi32>
  }
  return
}
