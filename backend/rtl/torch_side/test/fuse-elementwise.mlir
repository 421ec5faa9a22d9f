// RUN: torch-circt-opt --stage fuse-elementwise %s | filecheck %s

// A cast and a transpose of the weights feed a matmul: both become part of the matmul's
// loop nest (one linalg.generic reads the i8 weights where they are, transposed by its map,
// and widens each in its body); only the fill of the accumulator stays a nest of its own.
// CHECK-LABEL: func.func @linear
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} outs(
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME:      ins(%arg0, %arg1 : tensor<1x4xi32>, tensor<3x4xi8>)
// CHECK:           arith.extsi {{.*}} : i8 to i32
// CHECK:           arith.muli
// CHECK:           arith.addi
// CHECK-NOT:     linalg.transpose
// CHECK-NOT:     linalg.matmul
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @linear(%x: tensor<1x4xi32>, %w: tensor<3x4xi8>) -> tensor<1x3xi32> {
  %e = tensor.empty() : tensor<3x4xi32>
  %wide = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%w : tensor<3x4xi8>) outs(%e : tensor<3x4xi32>) {
  ^bb0(%in: i8, %out: i32):
    %c = arith.extsi %in : i8 to i32
    linalg.yield %c : i32
  } -> tensor<3x4xi32>
  %t0 = tensor.empty() : tensor<4x3xi32>
  %t = linalg.transpose ins(%wide : tensor<3x4xi32>) outs(%t0 : tensor<4x3xi32>) permutation = [1, 0]
  %zero = arith.constant 0 : i32
  %acc0 = tensor.empty() : tensor<1x3xi32>
  %acc = linalg.fill ins(%zero : i32) outs(%acc0 : tensor<1x3xi32>) -> tensor<1x3xi32>
  %y = linalg.matmul ins(%x, %t : tensor<1x4xi32>, tensor<4x3xi32>) outs(%acc : tensor<1x3xi32>) -> tensor<1x3xi32>
  return %y : tensor<1x3xi32>
}

// Three elementwise ops in a chain (add, max against 0, a truncation) become one nest.
// CHECK-LABEL: func.func @chain
// CHECK-COUNT-1: linalg.generic
// CHECK-NOT:     linalg.generic
// CHECK:         return
func.func @chain(%a: tensor<8xi32>, %b: tensor<8xi32>) -> tensor<8xi8> {
  %e32 = tensor.empty() : tensor<8xi32>
  %e8 = tensor.empty() : tensor<8xi8>
  %zero = arith.constant 0 : i32
  %sum = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                         iterator_types = ["parallel"]} ins(%a, %b : tensor<8xi32>, tensor<8xi32>) outs(%e32 : tensor<8xi32>) {
  ^bb0(%x: i32, %y: i32, %o: i32):
    %s = arith.addi %x, %y : i32
    linalg.yield %s : i32
  } -> tensor<8xi32>
  %relu = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%sum : tensor<8xi32>) outs(%e32 : tensor<8xi32>) {
  ^bb0(%x: i32, %o: i32):
    %m = arith.maxsi %x, %zero : i32
    linalg.yield %m : i32
  } -> tensor<8xi32>
  %narrow = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%relu : tensor<8xi32>) outs(%e8 : tensor<8xi8>) {
  ^bb0(%x: i32, %o: i8):
    %t = arith.trunci %x : i32 to i8
    linalg.yield %t : i8
  } -> tensor<8xi8>
  return %narrow : tensor<8xi8>
}

// A value returned twice keeps a copy of its own after fusion (which erases identity copies):
// bufferization's out-params pass segfaults on one value in two result slots.
// CHECK-LABEL: func.func @twice
// CHECK:         %[[Y:.*]] = linalg.generic
// CHECK:         %[[C:.*]] = linalg.copy {{.*}}ins(%[[Y]]
// CHECK:         return %[[Y]], %[[C]]
func.func @twice(%x: tensor<4xi32>) -> (tensor<4xi32>, tensor<4xi32>) {
  %e = tensor.empty() : tensor<4xi32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%x : tensor<4xi32>) outs(%e : tensor<4xi32>) {
  ^bb0(%a: i32, %o: i32):
    %s = arith.addi %a, %a : i32
    linalg.yield %s : i32
  } -> tensor<4xi32>
  %e2 = tensor.empty() : tensor<4xi32>
  %c = linalg.copy ins(%y : tensor<4xi32>) outs(%e2 : tensor<4xi32>) -> tensor<4xi32>
  return %y, %c : tensor<4xi32>, tensor<4xi32>
}
