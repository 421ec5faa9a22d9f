// RUN: torch-circt-opt --stage sink-constants %s | torch-circt-opt --stage completion-carrier | torch-circt-opt --stage cf-to-handshake --task-pipelining | torch-circt-opt --stage wire-completion | torch-circt-opt --stage source-constants | filecheck %s

// Every constant but the completion carrier's is fed by a `handshake.source`,
// so it is always available and never holds its block's control.
// CHECK-LABEL: handshake.func @main
// CHECK:         %[[S0:.*]] = source
// CHECK-NEXT:    constant %[[S0]] {value = 0 : index} : index
// CHECK:         %[[S8:.*]] = source
// CHECK-NEXT:    constant %[[S8]] {value = 8 : index} : index
// CHECK:         %[[S1:.*]] = source
// CHECK-NEXT:    constant %[[S1]] {value = 1 : index} : index
// CHECK:         %[[SZ:.*]] = source
// CHECK-NEXT:    constant %[[SZ]] {value = 0 : i32} : i32
// The carrier's increments keep their trigger: it is what they wait for.
// CHECK-NOT:     source
// CHECK:         constant %{{.*}} {value = 1 : i7} : i7
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
