// RUN: torch-circt-opt --stage narrow-widths --args 1 --results 1 %s | filecheck %s

// A dot product of 8 int8 inputs with a parameter whose values lie in [-3, 3]:
// the loop counter needs 5 bits, the product 10 (i8 x i3), the accumulator 13
// (10 + log2 of 8 steps); the result memory keeps its i32 words.
// CHECK-LABEL: func.func @main
// CHECK:         cf.br ^bb1(%{{.*}}, %{{.*}} : i5, i13)
// CHECK:       ^bb1(%[[I:.*]]: i5, %[[ACC:.*]]: i13):
// CHECK:         arith.cmpi slt, %[[I]], %{{.*}} : i5
// CHECK:         %[[X:.*]] = memref.load %arg0
// CHECK:         %[[W:.*]] = memref.load %arg2
// CHECK:         %[[W3:.*]] = arith.trunci %[[W]] : i32 to i3
// CHECK-DAG:     arith.extsi %[[X]] : i8 to i10
// CHECK-DAG:     arith.extsi %[[W3]] : i3 to i10
// CHECK:         %[[P:.*]] = arith.muli %{{.*}}, %{{.*}} : i10
// CHECK:         %[[P13:.*]] = arith.extsi %[[P]] : i10 to i13
// CHECK:         arith.addi %[[ACC]], %[[P13]] : i13
// CHECK:         %[[OUT:.*]] = arith.extsi %[[ACC]] : i13 to i32
// CHECK:         memref.store %[[OUT]], %arg1
module attributes {torch_circt.params = [{element = "i32", name = "w", shape = array<i64: 8>, values = array<i64: -3, 0, 1, 2, 3, -1, 0, 2>}]} {
  func.func @main(%arg0: memref<8xi8>, %arg1: memref<1xi32>, %arg2: memref<8xi32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c8 = arith.constant 8 : index
    %c0_i32 = arith.constant 0 : i32
    cf.br ^bb1(%c0, %c0_i32 : index, i32)
  ^bb1(%i: index, %acc: i32):
    %lt = arith.cmpi slt, %i, %c8 : index
    cf.cond_br %lt, ^bb2, ^bb3
  ^bb2:
    %x = memref.load %arg0[%i] : memref<8xi8>
    %w = memref.load %arg2[%i] : memref<8xi32>
    %xw = arith.extsi %x : i8 to i32
    %p = arith.muli %xw, %w : i32
    %s = arith.addi %acc, %p : i32
    %next = arith.addi %i, %c1 : index
    cf.br ^bb1(%next, %s : index, i32)
  ^bb3:
    memref.store %acc, %arg1[%c0] : memref<1xi32>
    return
  }

  // Squares of full-range int32 inputs can wrap, as in PyTorch: they keep their
  // 32 bits; only the counter narrows.
  func.func @wrap(%a0: memref<4xi32>, %a1: memref<1xi32>) {
    %w_c0 = arith.constant 0 : index
    %w_c1 = arith.constant 1 : index
    %w_c4 = arith.constant 4 : index
    %w_c0_i32 = arith.constant 0 : i32
    cf.br ^bb1(%w_c0, %w_c0_i32 : index, i32)
  ^bb1(%w_i: index, %w_acc: i32):
    %w_lt = arith.cmpi slt, %w_i, %w_c4 : index
    cf.cond_br %w_lt, ^bb2, ^bb3
  ^bb2:
    %w_x = memref.load %a0[%w_i] : memref<4xi32>
    %w_p = arith.muli %w_x, %w_x : i32
    %w_s = arith.addi %w_acc, %w_p : i32
    %w_next = arith.addi %w_i, %w_c1 : index
    cf.br ^bb1(%w_next, %w_s : index, i32)
  ^bb3:
    memref.store %w_acc, %a1[%w_c0] : memref<1xi32>
    return
  }

  // An int32 dot product as torch-mlir writes it: products of sign-extended
  // inputs summed in i64 in an internal memory, then truncated to int32 (the
  // sum wraps, as in PyTorch). The ranges are whole types, but only the low 32
  // bits reach the result: products, sums and the memory's words compute in 32.
  func.func @truncated(%t0: memref<4xi32>, %t1: memref<1xi32>) {
    %t_c0 = arith.constant 0 : index
    %t_c1 = arith.constant 1 : index
    %t_c4 = arith.constant 4 : index
    %t_c0_i64 = arith.constant 0 : i64
    %t_acc = memref.alloc() : memref<1xi64>
    memref.store %t_c0_i64, %t_acc[%t_c0] : memref<1xi64>
    cf.br ^bb1(%t_c0 : index)
  ^bb1(%t_i: index):
    %t_lt = arith.cmpi slt, %t_i, %t_c4 : index
    cf.cond_br %t_lt, ^bb2, ^bb3
  ^bb2:
    %t_x = memref.load %t0[%t_i] : memref<4xi32>
    %t_wide = arith.extsi %t_x : i32 to i64
    %t_p = arith.muli %t_wide, %t_wide : i64
    %t_old = memref.load %t_acc[%t_c0] : memref<1xi64>
    %t_s = arith.addi %t_old, %t_p : i64
    memref.store %t_s, %t_acc[%t_c0] : memref<1xi64>
    %t_next = arith.addi %t_i, %t_c1 : index
    cf.br ^bb1(%t_next : index)
  ^bb3:
    %t_sum = memref.load %t_acc[%t_c0] : memref<1xi64>
    %t_low = arith.trunci %t_sum : i64 to i32
    memref.store %t_low, %t1[%t_c0] : memref<1xi32>
    return
  }

  // The same sum, also compared in full: a compare reads every bit, so the
  // accumulator and what computes it keep their 64.
  func.func @compared(%c0m: memref<4xi32>, %c1m: memref<1xi32>) {
    %k_c0 = arith.constant 0 : index
    %k_c1 = arith.constant 1 : index
    %k_c4 = arith.constant 4 : index
    %k_c0_i64 = arith.constant 0 : i64
    cf.br ^bb1(%k_c0, %k_c0_i64 : index, i64)
  ^bb1(%k_i: index, %k_acc: i64):
    %k_lt = arith.cmpi slt, %k_i, %k_c4 : index
    cf.cond_br %k_lt, ^bb2, ^bb3
  ^bb2:
    %k_x = memref.load %c0m[%k_i] : memref<4xi32>
    %k_wide = arith.extsi %k_x : i32 to i64
    %k_p = arith.muli %k_wide, %k_wide : i64
    %k_s = arith.addi %k_acc, %k_p : i64
    %k_next = arith.addi %k_i, %k_c1 : index
    cf.br ^bb1(%k_next, %k_s : index, i64)
  ^bb3:
    %k_pos = arith.cmpi sgt, %k_acc, %k_c0_i64 : i64
    %k_flag = arith.extui %k_pos : i1 to i32
    memref.store %k_flag, %c1m[%k_c0] : memref<1xi32>
    return
  }

  func.func @accumulate(%arg0: memref<3xi8>, %arg1: memref<4xi32>, %arg2: memref<8xi32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c3 = arith.constant 3 : index
    %c4 = arith.constant 4 : index
    %c0_i32 = arith.constant 0 : i32
    %acc = memref.alloc() : memref<4xi32>
    cf.br ^zero(%c0 : index)
  ^zero(%z: index):
    %zlt = arith.cmpi slt, %z, %c4 : index
    cf.cond_br %zlt, ^zbody, ^outer(%c0 : index)
  ^zbody:
    memref.store %c0_i32, %acc[%z] : memref<4xi32>
    %znext = arith.addi %z, %c1 : index
    cf.br ^zero(%znext : index)
  ^outer(%i: index):
    %ilt = arith.cmpi slt, %i, %c4 : index
    cf.cond_br %ilt, ^load, ^copy(%c0 : index)
  ^load:
    %old = memref.load %acc[%i] : memref<4xi32>
    cf.br ^inner(%c0, %old : index, i32)
  ^inner(%k: index, %sum: i32):
    %klt = arith.cmpi slt, %k, %c3 : index
    cf.cond_br %klt, ^body, ^store
  ^body:
    %x = memref.load %arg0[%k] : memref<3xi8>
    %w = memref.load %arg2[%k] : memref<8xi32>
    %xw = arith.extsi %x : i8 to i32
    %p = arith.muli %xw, %w : i32
    %s = arith.addi %sum, %p : i32
    %knext = arith.addi %k, %c1 : index
    cf.br ^inner(%knext, %s : index, i32)
  ^store:
    memref.store %sum, %acc[%i] : memref<4xi32>
    %inext = arith.addi %i, %c1 : index
    cf.br ^outer(%inext : index)
  ^copy(%j: index):
    %jlt = arith.cmpi slt, %j, %c4 : index
    cf.cond_br %jlt, ^cbody, ^done
  ^cbody:
    %v = memref.load %acc[%j] : memref<4xi32>
    memref.store %v, %arg1[%j] : memref<4xi32>
    %jnext = arith.addi %j, %c1 : index
    cf.br ^copy(%jnext : index)
  ^done:
    return
  }
}

// CHECK-LABEL: func.func @wrap
// CHECK:       ^bb1(%{{.*}}: i4, %{{.*}}: i32):
// CHECK:         arith.muli %{{.*}}, %{{.*}} : i32
// CHECK:         arith.addi %{{.*}}, %{{.*}} : i32

// CHECK-LABEL: func.func @truncated
// CHECK:         %[[T_ACC:.*]] = memref.alloc() : memref<1xi32>
// CHECK:         %[[T_X:.*]] = memref.load %arg0
// CHECK-NEXT:    %[[T_P:.*]] = arith.muli %[[T_X]], %[[T_X]] : i32
// CHECK-NEXT:    %[[T_OLD:.*]] = memref.load %[[T_ACC]][%{{.*}}] : memref<1xi32>
// CHECK-NEXT:    %[[T_S:.*]] = arith.addi %[[T_OLD]], %[[T_P]] : i32
// CHECK-NEXT:    memref.store %[[T_S]], %[[T_ACC]]
// CHECK:         %[[T_SUM:.*]] = memref.load %[[T_ACC]][%{{.*}}] : memref<1xi32>
// CHECK-NEXT:    memref.store %[[T_SUM]], %arg1
// CHECK-NOT:     i64

// CHECK-LABEL: func.func @compared
// CHECK:         arith.muli %{{.*}}, %{{.*}} : i64
// CHECK-NEXT:    arith.addi %{{.*}}, %{{.*}} : i64
// CHECK:         arith.cmpi sgt, %{{.*}}, %{{.*}} : i64

// An accumulation through an internal memory: 4 words zeroed, then each read,
// increased by the sum of 3 products of an int8 input with the parameter (values
// in [-3, 3]: products in [-384, 384], 10 bits), and written back. One
// read-modify-write adds at most 3 products, and the store runs at most 5 times
// (4 trips + 1, counted for every word, not per word): the words lie in
// 5 * 3 * [-384, 384] = [-5760, 5760], 14 bits, and so does the value carried in
// the inner loop (a word plus one step, [-6912, 6912]).
// CHECK-LABEL: func.func @accumulate
// CHECK:         %[[ACC:.*]] = memref.alloc() : memref<4xi14>
// CHECK:         memref.store %{{.*}}, %[[ACC]][%{{.*}}] : memref<4xi14>
// CHECK:         %[[OLD:.*]] = memref.load %[[ACC]][%{{.*}}] : memref<4xi14>
// CHECK:         cf.br ^bb{{[0-9]+}}(%{{.*}}, %[[OLD]] : i4, i14)
// CHECK:         arith.muli %{{.*}}, %{{.*}} : i10
// CHECK:         memref.store %{{.*}}, %[[ACC]][%{{.*}}] : memref<4xi14>
// The output memory keeps its i32 words: the stored value is sign-extended.
// CHECK:         %[[WORD:.*]] = memref.load %[[ACC]]
// CHECK:         %[[WIDE:.*]] = arith.extsi %[[WORD]] : i14 to i32
// CHECK:         memref.store %[[WIDE]], %arg1

