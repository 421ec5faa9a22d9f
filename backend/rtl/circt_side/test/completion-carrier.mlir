// RUN: torch-circt-opt --stage completion-carrier %s | filecheck %s

// out[i] = max(in[i], 0): iterations cannot depend on each other through memory,
// so the body adds COMPLETED (1) and the exit, a sequence point, SEQUENCE (2);
// the loop header carries the token as a block argument.
// CHECK-LABEL: func.func @elementwise
// CHECK:       ^bb1(%{{.*}}: index, %{{.*}}: i7):
// CHECK:         arith.constant 1 : i7
// CHECK:         arith.constant 2 : i7
func.func @elementwise(%in: memref<8xi32>, %out: memref<8xi32>) {
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

// acc[0] += in[i]: the next iteration reads what this one wrote; only the exit's sequence point.
// CHECK-LABEL: func.func @reduction
// CHECK-NOT:     arith.constant 1 : i7
// CHECK:         arith.constant 2 : i7
// CHECK-NOT:     arith.constant 1 : i7
func.func @reduction(%in: memref<8xi32>, %acc: memref<1xi32>) {
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
  %a = memref.load %acc[%c0] : memref<1xi32>
  %r = arith.addi %v, %a : i32
  memref.store %r, %acc[%c0] : memref<1xi32>
  %next = arith.addi %i, %c1 : index
  cf.br ^head(%next : index)
^exit:
  return
}

// Two stores to `out` in one iteration: their order on one port is not the program's.
// CHECK-LABEL: func.func @two_stores
// CHECK-NOT:     arith.constant 1 : i7
// CHECK:         arith.constant 2 : i7
// CHECK-NOT:     arith.constant 1 : i7
func.func @two_stores(%in: memref<8xi32>, %out: memref<8xi32>) {
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
  memref.store %v, %out[%c0] : memref<8xi32>
  %next = arith.addi %i, %c1 : index
  cf.br ^head(%next : index)
^exit:
  return
}

// unroll-outputs' P results of one iteration, stored at out[2i] and out[2i + 1]:
// no two writes of the nest meet, so the body is released.
// CHECK-LABEL: func.func @side_by_side_stores
// CHECK:         arith.constant 1 : i7
// CHECK:         arith.constant 2 : i7
func.func @side_by_side_stores(%in: memref<8xi32>, %out: memref<8xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  cf.br ^head(%c0 : index)
^head(%i: index):
  %more = arith.cmpi slt, %i, %c4 : index
  cf.cond_br %more, ^body, ^exit
^body:
  %v = memref.load %in[%i] : memref<8xi32>
  %even = arith.muli %i, %c2 : index
  %odd = arith.addi %even, %c1 : index
  memref.store %v, %out[%even] : memref<8xi32>
  memref.store %v, %out[%odd] : memref<8xi32>
  %next = arith.addi %i, %c1 : index
  cf.br ^head(%next : index)
^exit:
  return
}

// Stores at out[i] and out[i + 1]: iteration i + 1 writes where iteration i did; kept in order.
// CHECK-LABEL: func.func @overlapping_stores
// CHECK-NOT:     arith.constant 1 : i7
// CHECK:         arith.constant 2 : i7
// CHECK-NOT:     arith.constant 1 : i7
func.func @overlapping_stores(%in: memref<8xi32>, %out: memref<8xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  cf.br ^head(%c0 : index)
^head(%i: index):
  %more = arith.cmpi slt, %i, %c4 : index
  cf.cond_br %more, ^body, ^exit
^body:
  %v = memref.load %in[%i] : memref<8xi32>
  %after = arith.addi %i, %c1 : index
  memref.store %v, %out[%i] : memref<8xi32>
  memref.store %v, %out[%after] : memref<8xi32>
  %next = arith.addi %i, %c1 : index
  cf.br ^head(%next : index)
^exit:
  return
}

// A scalar-replaced accumulator: loaded before the k loop, stored after it, at
// acc[i] for distinct i: the load and store blocks and the body's load are released.
// CHECK-LABEL: func.func @accumulate
// CHECK-COUNT-3: arith.constant 1 : i7
// CHECK-NOT:     arith.constant 1 : i7
// CHECK:         arith.constant 2 : i7
func.func @accumulate(%in: memref<8xi32>, %acc: memref<2xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  cf.br ^outer(%c0 : index)
^outer(%i: index):
  %more_i = arith.cmpi slt, %i, %c2 : index
  cf.cond_br %more_i, ^pre, ^exit
^pre:
  %a0 = memref.load %acc[%i] : memref<2xi32>
  cf.br ^inner(%c0, %a0 : index, i32)
^inner(%k: index, %a: i32):
  %more_k = arith.cmpi slt, %k, %c4 : index
  cf.cond_br %more_k, ^body, ^post
^body:
  %row = arith.muli %i, %c4 : index
  %at = arith.addi %row, %k : index
  %v = memref.load %in[%at] : memref<8xi32>
  %sum = arith.addi %a, %v : i32
  %next_k = arith.addi %k, %c1 : index
  cf.br ^inner(%next_k, %sum : index, i32)
^post:
  memref.store %a, %acc[%i] : memref<2xi32>
  %next_i = arith.addi %i, %c1 : index
  cf.br ^outer(%next_i : index)
^exit:
  return
}

// Every i uses acc[0]: the accesses keep their order.
// CHECK-LABEL: func.func @same_address
// CHECK-NOT:     arith.constant 1 : i7
// CHECK:         arith.constant 2 : i7
// CHECK-NOT:     arith.constant 1 : i7
func.func @same_address(%in: memref<8xi32>, %acc: memref<2xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  cf.br ^outer(%c0 : index)
^outer(%i: index):
  %more_i = arith.cmpi slt, %i, %c2 : index
  cf.cond_br %more_i, ^pre, ^exit
^pre:
  %a0 = memref.load %acc[%c0] : memref<2xi32>
  cf.br ^inner(%c0, %a0 : index, i32)
^inner(%k: index, %a: i32):
  %more_k = arith.cmpi slt, %k, %c4 : index
  cf.cond_br %more_k, ^body, ^post
^body:
  %row = arith.muli %i, %c4 : index
  %at = arith.addi %row, %k : index
  %v = memref.load %in[%at] : memref<8xi32>
  %sum = arith.addi %a, %v : i32
  %next_k = arith.addi %k, %c1 : index
  cf.br ^inner(%next_k, %sum : index, i32)
^post:
  memref.store %a, %acc[%c0] : memref<2xi32>
  %next_i = arith.addi %i, %c1 : index
  cf.br ^outer(%next_i : index)
^exit:
  return
}

// The stored value does not come from the load: kept in order.
// CHECK-LABEL: func.func @no_data_dependence
// CHECK-NOT:     arith.constant 1 : i7
// CHECK:         arith.constant 2 : i7
// CHECK-NOT:     arith.constant 1 : i7
func.func @no_data_dependence(%in: memref<8xi32>, %acc: memref<2xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  cf.br ^outer(%c0 : index)
^outer(%i: index):
  %more_i = arith.cmpi slt, %i, %c2 : index
  cf.cond_br %more_i, ^pre, ^exit
^pre:
  %a0 = memref.load %acc[%i] : memref<2xi32>
  cf.br ^inner(%c0, %a0 : index, i32)
^inner(%k: index, %a: i32):
  %more_k = arith.cmpi slt, %k, %c4 : index
  cf.cond_br %more_k, ^body, ^post
^body:
  %row = arith.muli %i, %c4 : index
  %at = arith.addi %row, %k : index
  %v = memref.load %in[%at] : memref<8xi32>
  %sum = arith.addi %a, %v : i32
  %next_k = arith.addi %k, %c1 : index
  cf.br ^inner(%next_k, %sum : index, i32)
^post:
  %i_value = arith.index_cast %i : index to i32
  memref.store %i_value, %acc[%i] : memref<2xi32>
  %next_i = arith.addi %i, %c1 : index
  cf.br ^outer(%next_i : index)
^exit:
  return
}

// `i <= 2` is not read as an induction variable: kept in order.
// CHECK-LABEL: func.func @unknown_loop
// CHECK-NOT:     arith.constant 1 : i7
// CHECK:         arith.constant 2 : i7
// CHECK-NOT:     arith.constant 1 : i7
func.func @unknown_loop(%in: memref<8xi32>, %acc: memref<2xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  cf.br ^outer(%c0 : index)
^outer(%i: index):
  %more_i = arith.cmpi sle, %i, %c2 : index
  cf.cond_br %more_i, ^pre, ^exit
^pre:
  %a0 = memref.load %acc[%i] : memref<2xi32>
  cf.br ^inner(%c0, %a0 : index, i32)
^inner(%k: index, %a: i32):
  %more_k = arith.cmpi slt, %k, %c4 : index
  cf.cond_br %more_k, ^body, ^post
^body:
  %row = arith.muli %i, %c4 : index
  %at = arith.addi %row, %k : index
  %v = memref.load %in[%at] : memref<8xi32>
  %sum = arith.addi %a, %v : i32
  %next_k = arith.addi %k, %c1 : index
  cf.br ^inner(%next_k, %sum : index, i32)
^post:
  memref.store %a, %acc[%i] : memref<2xi32>
  %next_i = arith.addi %i, %c1 : index
  cf.br ^outer(%next_i : index)
^exit:
  return
}
