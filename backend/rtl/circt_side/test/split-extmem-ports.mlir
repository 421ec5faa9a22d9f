// RUN: torch-circt-opt --stage completion-carrier %s | torch-circt-opt --stage cf-to-handshake --task-pipelining | torch-circt-opt --stage split-extmem-ports | filecheck %s --check-prefix=SPLIT
// RUN: torch-circt-opt --stage completion-carrier %s | torch-circt-opt --stage cf-to-handshake --task-pipelining | torch-circt-opt --stage split-extmem-ports | torch-circt-opt --stage extmem-to-hw | torch-circt-opt --stage join-extmem-ports | filecheck %s

// `out` has two store ports and a memory follows it, which CIRCT's extmem-to-hw cannot lower. Its second
// port moves to an extmemory of its own on a new argument named after the port; every memory has one port.
// SPLIT-LABEL: handshake.func @main
// SPLIT-SAME:    %arg1: memref<16xi32>
// SPLIT-SAME:    %[[OWN:arg[0-9]+]]: memref<16xi32>
// SPLIT-SAME:    argNames = ["in0", "in1", "in2", "in3", "in1.st1"]
// SPLIT-DAG:     extmemory[ld = 0, st = 1] (%arg1 : memref<16xi32>)
// SPLIT-DAG:     extmemory[ld = 0, st = 1] (%[[OWN]] : memref<16xi32>)
// SPLIT-DAG:     extmemory[ld = 1, st = 0] (%arg2 : memref<8xi32>)
// After CIRCT's lowering the moved port has the name CIRCT gives a memory's second store port.
// CHECK-LABEL: handshake.func @main
// CHECK-SAME:    argNames = ["in0_ld0.data", "in1_st0.done", "in2_ld0.data", "in3", "in1_st1.done"]
// CHECK-SAME:    resNames = ["out0", "in0_ld0.addr", "in1_st0", "in2_ld0.addr", "in1_st1"]
func.func @main(%in: memref<8xi32>, %out: memref<16xi32>, %w: memref<8xi32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  cf.br ^head(%c0 : index)
^head(%i: index):
  %more = arith.cmpi slt, %i, %c8 : index
  cf.cond_br %more, ^body, ^exit
^body:
  %v = memref.load %in[%i] : memref<8xi32>
  %u = memref.load %w[%i] : memref<8xi32>
  %x = arith.addi %v, %u : i32
  %even = arith.muli %i, %c2 : index
  %odd = arith.addi %even, %c1 : index
  memref.store %v, %out[%even] : memref<16xi32>
  memref.store %x, %out[%odd] : memref<16xi32>
  %next = arith.addi %i, %c1 : index
  cf.br ^head(%next : index)
^exit:
  return
}
