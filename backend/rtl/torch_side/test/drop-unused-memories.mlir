// RUN: torch-circt-opt --stage drop-unused-memories %s | filecheck %s

// `handshake-lower-extmem-to-hw` aborts on a memory without ports: an argument
// no op touches is removed, and its position recorded for the port manifest.
// CHECK:       module attributes {torch_circt.unused_memories = array<i64: 0>}
// CHECK-LABEL: func.func @main(%arg0: memref<4xi32>, %arg1: memref<4xi32>)
// CHECK-NEXT:    %c0 = arith.constant 0 : index
// CHECK-NEXT:    memref.load %arg0[%c0]
// CHECK-NEXT:    memref.store %{{.*}}, %arg1[%c0]
func.func @main(%x: memref<4xi32>, %y: memref<4xi32>, %out: memref<4xi32>) {
  %c0 = arith.constant 0 : index
  %v = memref.load %y[%c0] : memref<4xi32>
  memref.store %v, %out[%c0] : memref<4xi32>
  return
}

// Every memory used: the function stays as it was, and adds no position.
// CHECK-LABEL: func.func @used(%arg0: memref<4xi32>, %arg1: memref<4xi32>, %arg2: memref<4xi32>)
func.func @used(%x: memref<4xi32>, %y: memref<4xi32>, %out: memref<4xi32>) {
  %c0 = arith.constant 0 : index
  %u = memref.load %x[%c0] : memref<4xi32>
  %v = memref.load %y[%c0] : memref<4xi32>
  memref.store %v, %out[%c0] : memref<4xi32>
  return
}
