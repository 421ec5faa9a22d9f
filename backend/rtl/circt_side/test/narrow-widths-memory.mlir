// RUN: torch-circt-opt --stage narrow-widths --args 1 --results 1 %s | filecheck %s

// A matmul-shaped accumulation through an internal memory: 4 words zeroed, then
// each read, increased by the sum of 3 products of an int8 input with a
// parameter in [0, 2], and written back. Each product lies in [-256, 254], one
// read-modify-write adds at most 3 of them, and the store runs 5 times (4 trips
// + 1, counted for every word): the words lie in 5 * 3 * [-256, 254] =
// [-3840, 3810], 13 bits. The memory gets 13-bit words; the value carried in the
// loop is bounded by a word plus one step, 14 bits (each product: 9 bits).
// CHECK-LABEL: func.func @main
// CHECK:         %[[ACC:.*]] = memref.alloc() : memref<4xi13>
// CHECK:         memref.store %{{.*}}, %[[ACC]][%{{.*}}] : memref<4xi13>
// CHECK:         %[[OLD:.*]] = memref.load %[[ACC]][%{{.*}}] : memref<4xi13>
// CHECK:         %[[OLD14:.*]] = arith.extsi %[[OLD]] : i13 to i14
// CHECK:         cf.br ^bb{{[0-9]+}}(%{{.*}}, %[[OLD14]] : i4, i14)
// CHECK:         arith.muli %{{.*}}, %{{.*}} : i9
// CHECK:         memref.store %{{.*}}, %[[ACC]][%{{.*}}] : memref<4xi13>
// The output memory keeps its i32 words: the stored value is sign-extended.
// CHECK:         %[[WORD:.*]] = memref.load %[[ACC]]
// CHECK:         %[[WIDE:.*]] = arith.extsi %[[WORD]] : i13 to i32
// CHECK:         memref.store %[[WIDE]], %arg1
module attributes {torch_circt.params = [{element = "i32", name = "w", shape = array<i64: 3>, values = array<i64: 0, 2, 1>}]} {
  func.func @main(%arg0: memref<3xi8>, %arg1: memref<4xi32>, %arg2: memref<3xi32>) {
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
    %w = memref.load %arg2[%k] : memref<3xi32>
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
