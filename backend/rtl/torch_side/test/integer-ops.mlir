// RUN: torch-circt-opt --stage lower-to-cf %s | torch-circt-opt --stage integer-ops | filecheck %s

// CIRCT lowers `arith.divui` to a signed divider (and `divsi` to an unsigned
// one), so `divsi` becomes a division of magnitudes one bit wider, where their
// top bit is 0 (|INT_MIN| would set it), negated when the signs differ.
// CHECK-LABEL: func.func @divide
// CHECK-NOT:     arith.divsi
// CHECK-COUNT-2: arith.extui %{{.*}} : i32 to i33
// CHECK:         arith.divui %{{.*}}, %{{.*}} : i33
// CHECK-NEXT:    arith.trunci %{{.*}} : i33 to i32
// CHECK-NOT:     arith.divsi
// CHECK:         return
func.func @divide(%a: i32, %b: i32) -> i32 {
  %q = arith.divsi %a, %b : i32
  return %q : i32
}

// Index division keeps its width.
// CHECK-LABEL: func.func @divide_index
// CHECK-NOT:     arith.extui
// CHECK:         arith.divui %{{.*}}, %{{.*}} : index
// CHECK-NOT:     arith.divsi
// CHECK:         return
func.func @divide_index(%a: index, %b: index) -> index {
  %q = arith.divsi %a, %b : index
  return %q : index
}

// lower-affine's floordiv and mod by a power of two become a shift and a mask.
// CHECK-LABEL: func.func @by_eight
// CHECK:         %[[SHIFT:.*]] = arith.shrsi %arg0, %c3 : index
// CHECK:         %[[MASK:.*]] = arith.andi %arg0, %c7 : index
// CHECK-NEXT:    return %[[SHIFT]], %[[MASK]] : index, index
func.func @by_eight(%x: index) -> (index, index) {
  %a = affine.apply affine_map<(d0) -> (d0 floordiv 8)>(%x)
  %b = affine.apply affine_map<(d0) -> (d0 mod 8)>(%x)
  return %a, %b : index, index
}

// By other divisors the division stays.
// CHECK-LABEL: func.func @by_six
// CHECK-NOT:     arith.shrsi
// CHECK:         arith.remsi %arg0, %c6 : index
// CHECK-NOT:     arith.andi
// CHECK:         return
func.func @by_six(%x: index) -> (index, index) {
  %a = affine.apply affine_map<(d0) -> (d0 floordiv 6)>(%x)
  %b = affine.apply affine_map<(d0) -> (d0 mod 6)>(%x)
  return %a, %b : index, index
}

// Bounds checks have nowhere to go in a circuit: removed.
// CHECK-LABEL: func.func @assertion
// CHECK-NOT:     cf.assert
// CHECK:         return
func.func @assertion(%b: i1) {
  cf.assert %b, "index must be smaller than dim size"
  return
}
