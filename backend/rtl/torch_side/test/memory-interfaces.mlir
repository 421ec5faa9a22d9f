// RUN: torch-circt-opt --stage memory-interfaces --args 1 --results 1 %s | filecheck %s

// `handshake-lower-extmem-to-hw` aborts on an argument memory with two load ports.
// A scan reads its input twice (the first element, then the rest), so an input
// only a scan reads is copied into an on-chip buffer first, like an input that two
// ops read; the output, written by one linalg op, stays the argument itself.
// CHECK-LABEL: func.func @main(%arg0: memref<4xi32>, %arg1: memref<4xi32>)
// CHECK:         %[[LOCAL:.*]] = memref.alloc() : memref<4xi32>
// CHECK:         linalg.copy {{.*}}ins(%arg0 : memref<4xi32>) outs(%[[LOCAL]] : memref<4xi32>)
// CHECK:         tm_tensor.scan dimension(0) inclusive(true) ins(%[[LOCAL]] : memref<4xi32>)
// CHECK:         linalg.copy ins(%{{.*}} : memref<4xi32>) outs(%arg1 : memref<4xi32>)
// CHECK-NOT:     linalg.copy
// CHECK:         return
func.func @main(%x: memref<4xi32>, %out: memref<4xi32>) {
  %sums = memref.alloc() : memref<4xi32>
  %total = memref.alloc() : memref<i32>
  tm_tensor.scan dimension(0) inclusive(true) ins(%x : memref<4xi32>) outs(%sums, %total : memref<4xi32>, memref<i32>) {
  ^bb0(%a: i32, %b: i32):
    %s = arith.addi %a, %b : i32
    tm_tensor.yield %s : i32
  }
  linalg.copy ins(%sums : memref<4xi32>) outs(%out : memref<4xi32>)
  return
}
