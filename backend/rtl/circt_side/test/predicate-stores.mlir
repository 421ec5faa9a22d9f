// RUN: torch-circt-opt --stage predicate-stores %s | filecheck %s

// A bubble sort's step: swap two neighbours of an on-chip memory when out of
// order. The swap block runs on both arms: each store writes the swapped value
// when the compare says swap, else the value loaded from its address, and the
// compare block branches to it always; the index passed on is the same on both
// arms, so it needs no select.
// CHECK-LABEL: func.func @swap
// CHECK:         %[[A:.*]] = memref.load %[[M:.*]][%[[I:[0-9]+]]]
// CHECK:         %[[B:.*]] = memref.load %[[M]][%[[J:[0-9]+]]]
// CHECK-NEXT:    %[[KEEP:.*]] = arith.cmpi sle, %[[A]], %[[B]]
// CHECK-NEXT:    cf.br ^[[SWAP:bb[0-9]+]]
// CHECK:       ^[[SWAP]]:
// CHECK-NEXT:    %[[J2:.*]] = arith.addi
// CHECK-NEXT:    %[[LOW:.*]] = arith.select %[[KEEP]], %[[A]], %[[B]]
// CHECK-NEXT:    memref.store %[[LOW]], %[[M]][%[[I]]]
// CHECK-NEXT:    %[[HIGH:.*]] = arith.select %[[KEEP]], %[[B]], %[[A]]
// CHECK-NEXT:    memref.store %[[HIGH]], %[[M]][%[[J2]]]
// CHECK-NEXT:    cf.br ^bb1(%[[J]] : index)
func.func @swap(%in: memref<8xi32>, %out: memref<8xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c7 = arith.constant 7 : index
  %m = memref.alloc() : memref<8xi32>
  cf.br ^head(%c0 : index)
^head(%i: index):
  %more = arith.cmpi slt, %i, %c7 : index
  cf.cond_br %more, ^compare, ^exit
^compare:
  %j = arith.addi %i, %c1 : index
  %a = memref.load %m[%i] : memref<8xi32>
  %b = memref.load %m[%j] : memref<8xi32>
  %keep = arith.cmpi sle, %a, %b : i32
  cf.cond_br %keep, ^head(%j : index), ^swap
^swap:
  %j2 = arith.addi %i, %c1 : index
  memref.store %b, %m[%i] : memref<8xi32>
  memref.store %a, %m[%j2] : memref<8xi32>
  cf.br ^head(%j : index)
^exit:
  return
}

// Arguments that differ between the arms are selected too.
// CHECK-LABEL: func.func @counted
// CHECK:         %[[N:.*]] = arith.addi %[[COUNT:.*]], %c1_i32
// CHECK:       ^bb{{[0-9]+}}:
// CHECK-NEXT:    arith.select
// CHECK-NEXT:    memref.store
// CHECK-NEXT:    %[[PASSED:.*]] = arith.select %{{.*}}, %[[COUNT]], %[[N]]
// CHECK-NEXT:    cf.br ^bb1(%{{.*}}, %[[PASSED]] : index, i32)
func.func @counted(%in: memref<8xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c7 = arith.constant 7 : index
  %z = arith.constant 0 : i32
  %one = arith.constant 1 : i32
  %m = memref.alloc() : memref<8xi32>
  cf.br ^head(%c0, %z : index, i32)
^head(%i: index, %count: i32):
  %more = arith.cmpi slt, %i, %c7 : index
  cf.cond_br %more, ^compare, ^exit
^compare:
  %j = arith.addi %i, %c1 : index
  %a = memref.load %m[%i] : memref<8xi32>
  %neg = arith.cmpi slt, %a, %z : i32
  %n = arith.addi %count, %one : i32
  cf.cond_br %neg, ^head(%j, %count : index, i32), ^clear
^clear:
  memref.store %z, %m[%i] : memref<8xi32>
  cf.br ^head(%j, %n : index, i32)
^exit:
  return
}

// Left alone: a store to a port (an argument), a store to an address nothing
// loaded, and a block of stores after a store.
// CHECK-LABEL: func.func @kept
// CHECK-NOT:     arith.select
// CHECK-COUNT-3: cf.cond_br
// CHECK-NOT:     arith.select
// CHECK:         return
func.func @kept(%port: memref<8xi32>, %i: index, %j: index) {
  %m = memref.alloc() : memref<8xi32>
  %a = memref.load %port[%i] : memref<8xi32>
  %c = arith.cmpi slt, %a, %a : i32
  cf.cond_br %c, ^next, ^to_port
^to_port:
  memref.store %a, %port[%i] : memref<8xi32>
  cf.br ^next
^next:
  %b = memref.load %m[%i] : memref<8xi32>
  %d = arith.cmpi slt, %b, %a : i32
  cf.cond_br %d, ^last, ^elsewhere
^elsewhere:
  memref.store %a, %m[%j] : memref<8xi32>
  cf.br ^last
^last:
  %e = memref.load %m[%i] : memref<8xi32>
  memref.store %a, %m[%j] : memref<8xi32>
  %f = arith.cmpi slt, %e, %a : i32
  cf.cond_br %f, ^end, ^again
^again:
  memref.store %a, %m[%i] : memref<8xi32>
  cf.br ^end
^end:
  return
}
