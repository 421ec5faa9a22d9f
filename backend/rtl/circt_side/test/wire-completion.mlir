// RUN: torch-circt-opt --stage completion-carrier %s | torch-circt-opt --stage cf-to-handshake --task-pipelining | torch-circt-opt --stage wire-completion | filecheck %s

// out[i] = max(in[i], 0) after the completion carrier and the handshake lowering.
// CHECK-LABEL: handshake.func @main
// CIRCT joined both done tokens into the body's control; they now leave it and
// trigger the carrier's COMPLETED increment instead.
// CHECK-NOT:     join %{{.*}}, %{{.*}}#1, %{{.*}} : none, none, none
// CHECK:         %[[DONES:.*]] = join %{{.*}}#1, %{{.*}} : none, none
// CHECK-NOT:     join %{{.*}}, %{{.*}}#1, %{{.*}} : none, none, none
// CHECK:         constant %[[DONES]] {value = 1 : i7} : i7
// At the SEQUENCE mark the exit's control waits for the carrier, so the
// function's done waits for every access.
// CHECK:         %[[MARK:.*]] = constant %[[CONTROL:.*]] {value = 2 : i7} : i7
// CHECK-NEXT:    %[[WAITED:.*]] = join %[[CONTROL]], %[[ADDED:.*]] : none, i7
// CHECK-NEXT:    %[[ADDED]] = arith.addi %{{.*}}, %[[MARK]] : i7
// CHECK-NEXT:    return %[[WAITED]] : none
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

// Two stores of one body at 2i and 2i + 1 never meet (`loop_deps`): CIRCT's
// join that made the second wait for the first one's done token goes, and both
// take the body's control, so they go in one cycle.
// CHECK-LABEL: handshake.func @distinct
// CHECK:         %[[BODY:.*]], %{{.*}} = control_merge %trueResult
// CHECK-NOT:     join %[[BODY]]
// CHECK:         store [%{{.*}}] %{{.*}}, %[[BODY]] : index, i32
// CHECK-NEXT:    store [%{{.*}}] %{{.*}}, %[[BODY]] : index, i32
func.func @distinct(%in: memref<8xi32>, %out: memref<16xi32>) {
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
  %w = arith.addi %v, %v : i32
  %even = arith.muli %i, %c2 : index
  %odd = arith.addi %even, %c1 : index
  memref.store %v, %out[%even] : memref<16xi32>
  memref.store %w, %out[%odd] : memref<16xi32>
  %next = arith.addi %i, %c1 : index
  cf.br ^head(%next : index)
^exit:
  return
}
