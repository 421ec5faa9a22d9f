// RUN: torch-circt-opt --stage split-memory-hazards %s | filecheck %s

// A store, a load of what was stored and a store again, in one block: each
// access that must wait for an earlier one starts a block of its own.
// CHECK-LABEL: func.func @straight
// CHECK:         memref.store %{{.*}}, %arg2
// CHECK-NEXT:    cf.br ^bb1
// CHECK:       ^bb1:
// CHECK-NEXT:    memref.load %arg2
// CHECK-NEXT:    arith.addi
// CHECK-NEXT:    cf.br ^bb2
// CHECK:       ^bb2:
// CHECK-NEXT:    memref.store %{{.*}}, %arg2
// A load of a memory nobody stores is no hazard: it stays where it was.
// CHECK-NEXT:    memref.load %arg0
// CHECK-NEXT:    return
func.func @straight(%a: memref<1xi32>, %b: memref<1xi32>, %out: memref<1xi32>) {
  %c0 = arith.constant 0 : index
  %x = memref.load %a[%c0] : memref<1xi32>
  %y = memref.load %b[%c0] : memref<1xi32>
  memref.store %x, %out[%c0] : memref<1xi32>
  %z = memref.load %out[%c0] : memref<1xi32>
  %w = arith.addi %z, %y : i32
  memref.store %w, %out[%c0] : memref<1xi32>
  %v = memref.load %a[%c0] : memref<1xi32>
  return
}

// In a loop body a store computed from the load before it (an accumulator) is
// ordered by its data already: no split.
// CHECK-LABEL: func.func @loop
// CHECK:       ^bb2:
// CHECK-NEXT:    memref.load %arg1
// CHECK-NEXT:    arith.addi
// CHECK-NEXT:    memref.store
// CHECK-NEXT:    arith.addi
// CHECK-NEXT:    cf.br ^bb1
func.func @loop(%in: memref<8xi32>, %acc: memref<1xi32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %c1 = arith.constant 1 : index
  cf.br ^head(%c0 : index)
^head(%i: index):
  %more = arith.cmpi slt, %i, %c8 : index
  cf.cond_br %more, ^body, ^exit
^body:
  %a = memref.load %acc[%c0] : memref<1xi32>
  %r = arith.addi %a, %a : i32
  memref.store %r, %acc[%c0] : memref<1xi32>
  %next = arith.addi %i, %c1 : index
  cf.br ^head(%next : index)
^exit:
  return
}

// Stores at one base plus different constants never meet: they stay in one
// block and go at once. A load of an element stored before still waits, and
// so does a store whose address is not known; a load of element 2, which no
// store wrote, does not.
// CHECK-LABEL: func.func @distinct
// CHECK:         memref.store %{{.*}}, %arg1[%{{.*}}]
// CHECK-NEXT:    memref.store %{{.*}}, %arg1[%{{.*}}]
// CHECK-NEXT:    memref.store %{{.*}}, %arg1[%{{.*}}]
// CHECK-NEXT:    memref.load %arg1[%c2]
// CHECK-NEXT:    cf.br ^bb1
// CHECK:       ^bb1:
// CHECK-NEXT:    memref.load %arg1
// CHECK-NEXT:    cf.br ^bb2
// CHECK:       ^bb2:
// CHECK-NEXT:    memref.store %{{.*}}, %arg1[%arg2]
// CHECK-NEXT:    return
func.func @distinct(%x: i32, %out: memref<4xi32>, %i: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %one = arith.addi %c1, %c0 : index
  memref.store %x, %out[%c0] : memref<4xi32>
  memref.store %x, %out[%c1] : memref<4xi32>
  memref.store %x, %out[%c3] : memref<4xi32>
  %z = memref.load %out[%c2] : memref<4xi32>
  %y = memref.load %out[%one] : memref<4xi32>
  memref.store %y, %out[%i] : memref<4xi32>
  return
}

// In a loop body a swap's store to m[i] needs nothing from m[i]'s load: it
// starts a block of its own. The store to m[j] may write the same word (i == j),
// so it waits for the first in a block of its own too.
// CHECK-LABEL: func.func @swap_in_loop
// CHECK:         %[[T:.*]] = memref.load %[[M:.*]][%[[I:.*]]] : memref<8xi32>
// CHECK-NEXT:    %[[U:.*]] = memref.load %[[M]][%[[J:.*]]] : memref<8xi32>
// CHECK-NEXT:    cf.br ^[[FIRST:bb[0-9]+]]
// CHECK:       ^[[FIRST]]:
// CHECK-NEXT:    memref.store %[[U]], %[[M]][%[[I]]]
// CHECK-NEXT:    cf.br ^[[SECOND:bb[0-9]+]]
// CHECK:       ^[[SECOND]]:
// CHECK-NEXT:    memref.store %[[T]], %[[M]][%[[J]]]
func.func @swap_in_loop(%j: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %m = memref.alloc() : memref<8xi32>
  cf.br ^head(%c0 : index)
^head(%i: index):
  %more = arith.cmpi slt, %i, %c8 : index
  cf.cond_br %more, ^body, ^exit
^body:
  %t = memref.load %m[%i] : memref<8xi32>
  %u = memref.load %m[%j] : memref<8xi32>
  memref.store %u, %m[%i] : memref<8xi32>
  memref.store %t, %m[%j] : memref<8xi32>
  %next = arith.addi %i, %c1 : index
  cf.br ^head(%next : index)
^exit:
  return
}
