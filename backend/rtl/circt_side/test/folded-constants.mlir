// RUN: torch-circt-opt --stage folded-constants %s | filecheck %s

// The canonicalizer folded a compare of a value with itself into an
// arith.constant, which lower-handshake-to-hw refuses: it becomes a
// handshake.constant fed by a source of its own, and the store keeps it.
// CHECK-LABEL: handshake.func @main
// CHECK-NOT:     arith.constant
// CHECK:         %[[SOURCE:.*]] = source
// CHECK-NEXT:    %[[TRUE:.*]] = constant %[[SOURCE]] {value = true} : i1
// CHECK:         store [%{{.*}}] %[[TRUE]], %{{.*}} : index, i1
module {
  handshake.func @main(%addr: index, %ctrl: none, ...) -> (i1, index) attributes {argNames = ["in0", "in1"], resNames = ["out0", "out1"]} {
    %true = arith.constant true
    %data, %address = store [%addr] %true, %ctrl : index, i1
    return %data, %address : i1, index
  }
}
