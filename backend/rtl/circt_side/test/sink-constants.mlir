// RUN: torch-circt-opt --stage sink-constants %s | filecheck %s

// A constant used in another block is cloned into it, so it travels through no
// loop's muxes; the entry block keeps only what it uses itself.
// CHECK-LABEL: func.func @main
// CHECK:         %[[ZERO:.*]] = arith.constant 0 : index
// CHECK-NOT:     arith.constant
// CHECK:         cf.br ^bb1(%[[ZERO]] : index)
// CHECK:       ^bb1(%[[I:.*]]: index):
// CHECK-NEXT:    %[[EIGHT:.*]] = arith.constant 8 : index
// CHECK-NEXT:    arith.cmpi slt, %[[I]], %[[EIGHT]] : index
// CHECK:       ^bb2:
// CHECK-DAG:     arith.constant 1 : index
// CHECK-DAG:     arith.constant 0 : i32
// CHECK:         memref.load
func.func @main(%in: memref<8xi32>, %out: memref<8xi32>) {
  %c0_i32 = arith.constant 0 : i32
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %c1 = arith.constant 1 : index
  cf.br ^head(%c0 : index)
^head(%i: index):
  %more = arith.cmpi slt, %i, %c8 : index
  cf.cond_br %more, ^body, ^exit
^body:
  %v = memref.load %in[%i] : memref<8xi32>
  %r = arith.maxsi %v, %c0_i32 : i32
  memref.store %r, %out[%i] : memref<8xi32>
  %next = arith.addi %i, %c1 : index
  cf.br ^head(%next : index)
^exit:
  return
}
