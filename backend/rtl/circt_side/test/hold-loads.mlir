// RUN: torch-circt-opt --stage hold-loads %s | filecheck %s

// One iteration's worth of handshake: %m's word is read, written back plus one,
// and also added into a result; %w is written but its load reaches no store of
// it; %rom is never written. Only %m's load data gets a one-slot transparent
// buffer: while the fork of the loaded word still waits to give it to the result,
// the store may already have written the word the port reads.
// CHECK-LABEL: handshake.func @main
// CHECK:         %[[M:.*]]:3 = memory[ld = 1, st = 1] {{.*}} {id = 0 : i32
// CHECK:         %[[HELD:.*]] = buffer [1] fifo %[[M]]#0 : i32
// CHECK-NEXT:    %[[LOADED:.*]], %{{.*}} = load [%{{.*}}] %[[HELD]], %{{.*}} : index, i32
// CHECK-NOT:     fifo
// CHECK:         return

// An accumulator, m[i] = m[i] + x: the loaded word goes only to the one store,
// which fires once it has been taken. No buffer.
// CHECK-LABEL: handshake.func @accumulate
// CHECK-NOT:     buffer
// CHECK:         return
module {
  handshake.func @main(%addr: index, %ctrl: none, %value: i32, ...) -> (i32, i32, none) attributes {argNames = ["in0", "in1", "in2"], resNames = ["out0", "out1", "out2"]} {
    %a:4 = fork [4] %addr : index
    %c:4 = fork [4] %ctrl : none
    %m:3 = memory [ld = 1, st = 1] (%st_data, %st_addr, %ld_addr) {id = 0 : i32, lsq = false} : memref<8xi32>, (i32, index, index) -> (i32, none, none)
    %x, %ld_addr = load [%a#0] %m#0, %c#0 : index, i32
    %xs:2 = fork [2] %x : i32
    %one = constant %c#1 {value = 1 : i32} : i32
    %sum = arith.addi %xs#0, %one : i32
    %st_data, %st_addr = store [%a#1] %sum, %c#2 : index, i32
    %w:3 = memory [ld = 1, st = 1] (%value, %w_st_addr, %w_ld_addr) {id = 1 : i32, lsq = false} : memref<8xi32>, (i32, index, index) -> (i32, none, none)
    %y, %w_ld_addr = load [%a#2] %w#0, %c#3 : index, i32
    %w_st_addr = arith.addi %a#3, %a#3 : index
    %total = arith.addi %xs#1, %y : i32
    %rom:2 = memory [ld = 1, st = 0] (%rom_addr) {id = 2 : i32, lsq = false} : memref<8xi32>, (index) -> (i32, none)
    %z, %rom_addr = load [%a#3] %rom#0, %ctrl : index, i32
    return %total, %z, %ctrl : i32, i32, none
  }
  handshake.func @accumulate(%addr: index, %ctrl: none, %x: i32, ...) -> none attributes {argNames = ["in0", "in1", "in2"], resNames = ["out0"]} {
    %a:2 = fork [2] %addr : index
    %c:2 = fork [2] %ctrl : none
    %m:3 = memory [ld = 1, st = 1] (%st_data, %st_addr, %ld_addr) {id = 0 : i32, lsq = false} : memref<8xi32>, (i32, index, index) -> (i32, none, none)
    %old, %ld_addr = load [%a#0] %m#0, %c#0 : index, i32
    %sum = arith.addi %old, %x : i32
    %st_data, %st_addr = store [%a#1] %sum, %c#1 : index, i32
    return %ctrl : none
  }
}
