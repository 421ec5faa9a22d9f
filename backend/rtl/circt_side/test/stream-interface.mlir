// RUN: torch-circt-opt --stage stream-interface --name Net %s | filecheck %s

// The memory top becomes Net_memory; the new top Net has clock, reset and one AXI4-Stream
// port per tensor: a slave for the argument (tdata/tvalid/tlast in, tready out), a master for
// the result (tready in, tdata/tvalid/tlast out). No start, done or memory port is left outside.
// CHECK-LABEL: hw.module @Net_memory(
// CHECK-LABEL: hw.module @Net(in %clock : !seq.clock, in %reset : i1, in %arg0_tdata : i32, in %arg0_tvalid : i1,
// CHECK-SAME:    in %arg0_tlast : i1, in %result0_tready : i1, out arg0_tready : i1, out result0_tdata : i32,
// CHECK-SAME:    out result0_tvalid : i1, out result0_tlast : i1) {
// The controller: LOAD (0), RUN (1), SEND (2, printed -2 in two bits).
// CHECK:         %state = seq.compreg %{{.+}}, %clock reset %reset, %c0_i2 : i2
// CHECK-NEXT:    %[[LOADING:.+]] = comb.icmp eq %state, %c0_i2
// CHECK-NEXT:    %[[RUNNING:.+]] = comb.icmp eq %state, %c1_i2
// CHECK-NEXT:    %[[SENDING:.+]] = comb.icmp eq %state, %c-2_i2
// The argument's buffer fills while loading and not yet full: that is its tready.
// CHECK:         %b0_mem = sv.reg : !hw.inout<uarray<1xi32>>
// CHECK:         %b0_count = seq.compreg
// CHECK-NEXT:    %[[FULL:.+]] = comb.icmp eq %b0_count, %true
// CHECK-NEXT:    %[[ROOM:.+]] = comb.xor %[[FULL]], %true
// CHECK-NEXT:    %[[TREADY:.+]] = comb.and %[[LOADING]], %[[ROOM]]
// CHECK-NEXT:    %[[FILL:.+]] = comb.and %arg0_tvalid, %[[TREADY]]
// The circuit's load port on it is a registered read, as a ROM's.
// CHECK:         sv.array_index_inout %b0_mem[%memory.arg0_ld0_addr]
// CHECK:         sv.if %[[FILL]] {
// CHECK-NEXT:      %[[SLOT:.+]] = sv.array_index_inout %b0_mem[%c0_i0]
// CHECK-NEXT:      sv.passign %[[SLOT]], %arg0_tdata : i32
// The result streams out while sending; tlast with its last element (of one, here).
// CHECK:         %b1_mem = sv.reg : !hw.inout<uarray<1xi32>>
// CHECK:         comb.and %[[SENDING]],
// CHECK:         %[[TAKE:.+]] = comb.and %result0_tvalid_out, %result0_tready
// CHECK:         %result0_tvalid_out = seq.compreg
// CHECK-NEXT:    %[[LAST:.+]] = comb.icmp eq %b1_sent, %false
// The result is done when all its elements went, or in the cycle its last one goes (no idle cycle before the next load).
// CHECK:         %[[WHOLE:.+]] = comb.icmp eq %b1_sent, %true
// CHECK-NEXT:    %[[FINAL:.+]] = comb.and %[[LAST]], %[[TAKE]]
// CHECK-NEXT:    %[[SENT:.+]] = comb.or %[[WHOLE]], %[[FINAL]]
// The circuit's store port writes the buffer at once; its done token follows.
// CHECK:         %b1_st0_pending = seq.compreg
// CHECK:         sv.array_index_inout %b1_mem[%address]
// CHECK-NEXT:    sv.passign %{{.+}}, %data : i32
// Start is offered once per run; done is taken while running.
// CHECK:         %started = seq.compreg
// CHECK:         hw.instance "memory" @Net_memory(
// CHECK-SAME:      result0_st0_done_valid: %b1_st0_pending: i1,
// CHECK-SAME:      done_ready: %[[RUNNING]]: i1,
// CHECK:         hw.output %[[TREADY]], %{{.+}}, %result0_tvalid_out, %[[LAST]] : i1, i32, i1, i1
module {
  hw.module @Net(in %arg0_ld0_data : i32, in %arg0_ld0_data_valid : i1, in %result0_st0_done : i0, in %result0_st0_done_valid : i1, in %start : i0, in %start_valid : i1, in %clock : !seq.clock, in %reset : i1, in %done_ready : i1, in %arg0_ld0_addr_ready : i1, in %result0_st0_ready : i1, out arg0_ld0_data_ready : i1, out result0_st0_done_ready : i1, out start_ready : i1, out done : i0, out done_valid : i1, out arg0_ld0_addr : i0, out arg0_ld0_addr_valid : i1, out result0_st0 : !hw.struct<address: i0, data: i32>, out result0_st0_valid : i1) {
    %c = hw.constant 0 : i0
    %s = hw.struct_create (%c, %arg0_ld0_data) : !hw.struct<address: i0, data: i32>
    hw.output %done_ready, %done_ready, %done_ready, %c, %start_valid, %c, %start_valid, %s, %arg0_ld0_data_valid : i1, i1, i1, i0, i1, i0, i1, !hw.struct<address: i0, data: i32>, i1
  }
}
