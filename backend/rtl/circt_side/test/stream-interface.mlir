// RUN: torch-circt-opt --stage stream-interface --name Net %s | filecheck %s

// The memory top becomes Net_memory; the new top Net has clock, reset and one AXI4-Stream
// port per tensor: a slave for the argument (tdata/tvalid/tlast in, tready out), a master for
// the result (tready in, tdata/tvalid/tlast out). No start, done or memory port is left outside.
// CHECK-LABEL: hw.module @Net_memory(
// CHECK-LABEL: hw.module @Net(in %clock : !seq.clock, in %reset : i1, in %arg0_tdata : i32, in %arg0_tvalid : i1,
// CHECK-SAME:    in %arg0_tlast : i1, in %result0_tready : i1, out arg0_tready : i1, out result0_tdata : i32,
// CHECK-SAME:    out result0_tvalid : i1, out result0_tlast : i1) {
// Three processes share two banks of every buffer: each has its bank, and each bank records whether
// its inputs are whole and whether its results wait to be sent. Filling goes on while the fill bank
// is free; the circuit may run on a bank whose inputs are full and whose results are sent.
// CHECK:         %fill_bank = seq.compreg %{{.+}}, %clock reset %reset, %false : i1
// CHECK-NEXT:    %run_bank = seq.compreg
// CHECK-NEXT:    %send_bank = seq.compreg
// CHECK-NEXT:    %in_full0 = seq.compreg
// CHECK-NEXT:    %in_full1 = seq.compreg
// CHECK-NEXT:    %out_full0 = seq.compreg
// CHECK-NEXT:    %out_full1 = seq.compreg
// CHECK-NEXT:    %[[FILL_FULL:.+]] = comb.mux %fill_bank, %in_full1, %in_full0 : i1
// CHECK-NEXT:    %[[LOADING:.+]] = comb.xor %[[FILL_FULL]], %true : i1
// CHECK-NEXT:    %[[RUN_IN:.+]] = comb.mux %run_bank, %in_full1, %in_full0 : i1
// CHECK-NEXT:    %[[RUN_OUT:.+]] = comb.mux %run_bank, %out_full1, %out_full0 : i1
// CHECK-NEXT:    %[[RUN_FREE:.+]] = comb.xor %[[RUN_OUT]], %true : i1
// CHECK-NEXT:    %[[RUNNABLE:.+]] = comb.and %[[RUN_IN]], %[[RUN_FREE]] : i1
// CHECK-NEXT:    %[[SENDING:.+]] = comb.mux %send_bank, %out_full1, %out_full0 : i1
// The argument's buffer: two banks of one word. It fills while its fill bank is free and the tensor
// is not yet whole: that is its tready.
// CHECK:         %b0_mem = sv.reg : !hw.inout<uarray<2xi32>>
// CHECK:         %b0_count = seq.compreg
// CHECK-NEXT:    %[[FULL:.+]] = comb.icmp eq %b0_count, %true
// CHECK-NEXT:    %[[ROOM:.+]] = comb.xor %[[FULL]], %true
// CHECK-NEXT:    %[[TREADY:.+]] = comb.and %[[LOADING]], %[[ROOM]]
// CHECK-NEXT:    %[[FILL:.+]] = comb.and %arg0_tvalid, %[[TREADY]]
// The circuit's load port reads the run bank (a one-word tensor: the bank is the whole address),
// as a registered read; the stream writes the fill bank.
// CHECK:         sv.array_index_inout %b0_mem[%run_bank] : !hw.inout<uarray<2xi32>>, i1
// CHECK:         sv.if %[[FILL]] {
// CHECK-NEXT:      %[[SLOT:.+]] = sv.array_index_inout %b0_mem[%fill_bank]
// CHECK-NEXT:      sv.passign %[[SLOT]], %arg0_tdata : i32
// The result streams out of the send bank while that bank's results wait; tlast with its last element.
// CHECK:         %b1_mem = sv.reg : !hw.inout<uarray<2xi32>>
// CHECK:         comb.and %[[SENDING]],
// CHECK:         sv.array_index_inout %b1_mem[%send_bank]
// CHECK:         %[[TAKE:.+]] = comb.and %result0_tvalid_out, %result0_tready
// CHECK:         %result0_tvalid_out = seq.compreg
// CHECK-NEXT:    %[[LAST:.+]] = comb.icmp eq %b1_sent, %false
// The result is sent when all its elements went, or in the cycle its last one goes.
// CHECK:         %[[WHOLE:.+]] = comb.icmp eq %b1_sent, %true
// CHECK-NEXT:    %[[FINAL:.+]] = comb.and %[[LAST]], %[[TAKE]]
// CHECK-NEXT:    %[[SENT:.+]] = comb.or %[[WHOLE]], %[[FINAL]]
// The circuit's store port writes the run bank at once; its done token follows.
// CHECK:         %b1_st0_pending = seq.compreg
// CHECK:         sv.array_index_inout %b1_mem[%run_bank]
// CHECK-NEXT:    sv.passign %{{.+}}, %data : i32
// Start is offered once per run, on a bank that can run; done is taken once started.
// CHECK:         %[[START_VALID:.+]] = comb.and %[[RUNNABLE]], %{{.+}} : i1
// CHECK:         %[[DONE_FIRE:.+]] = comb.and %started, %memory.done_valid : i1
// CHECK:         %started = seq.compreg
// CHECK-NEXT:    %[[BANK_FULL:.+]] = comb.and %[[LOADING]], %[[FULL]] : i1
// CHECK-NEXT:    %[[FINISH:.+]] = comb.and %[[SENDING]], %[[SENT]] : i1
// Each process moves to the other bank when it is through with its own.
// CHECK-NEXT:    comb.xor %fill_bank, %[[BANK_FULL]] : i1
// CHECK-NEXT:    comb.xor %run_bank, %[[DONE_FIRE]] : i1
// CHECK-NEXT:    comb.xor %send_bank, %[[FINISH]] : i1
// CHECK:         hw.instance "memory" @Net_memory(
// CHECK-SAME:      result0_st0_done_valid: %b1_st0_pending: i1,
// CHECK-SAME:      start_valid: %[[START_VALID]]: i1,
// CHECK-SAME:      done_ready: %started: i1,
// CHECK:         hw.output %[[TREADY]], %{{.+}}, %result0_tvalid_out, %[[LAST]] : i1, i32, i1, i1
module {
  hw.module @Net(in %arg0_ld0_data : i32, in %arg0_ld0_data_valid : i1, in %result0_st0_done : i0, in %result0_st0_done_valid : i1, in %start : i0, in %start_valid : i1, in %clock : !seq.clock, in %reset : i1, in %done_ready : i1, in %arg0_ld0_addr_ready : i1, in %result0_st0_ready : i1, out arg0_ld0_data_ready : i1, out result0_st0_done_ready : i1, out start_ready : i1, out done : i0, out done_valid : i1, out arg0_ld0_addr : i0, out arg0_ld0_addr_valid : i1, out result0_st0 : !hw.struct<address: i0, data: i32>, out result0_st0_valid : i1) {
    %c = hw.constant 0 : i0
    %s = hw.struct_create (%c, %arg0_ld0_data) : !hw.struct<address: i0, data: i32>
    hw.output %done_ready, %done_ready, %done_ready, %c, %start_valid, %c, %start_valid, %s, %arg0_ld0_data_valid : i1, i1, i1, i0, i1, i0, i1, !hw.struct<address: i0, data: i32>, i1
  }
}
