// RUN: torch-circt-opt --stage internal-parameters --name Net %s | filecheck %s
// RUN: torch-circt-opt --stage internal-parameters --name Net --rom-style block %s | filecheck %s --check-prefix=BLOCK

// With a ROM style, each ROM's array carries it for Yosys (`(* rom_style = "block" *)`); by default none.
// BLOCK: %mem = sv.reg {sv.attributes = [#sv.attribute<"rom_style" = "\22block\22">]} : !hw.inout<uarray<3xi8>>

// The parameter (three words, read through two load ports; no model tensor matches it, so it keeps its
// global's name) moves inside: the old top becomes Net_core, a ROM module answers its load ports, and the new top Net keeps every
// other port (the argument's load port, the result's store port, start, done, clock, reset).
// CHECK-LABEL: hw.module @Net_core(
// CHECK-SAME:    in %constant_3xi8_ld0_data : i8
// CHECK-LABEL: hw.module @Net_constant_3xi8_rom(
// CHECK-SAME:    in %clock : !seq.clock, in %reset : i1,
// CHECK-SAME:    in %addr0 : i2, in %addr0_valid : i1, in %data0_ready : i1, in %addr1 : i2, in %addr1_valid : i1, in %data1_ready : i1,
// CHECK-SAME:    out addr0_ready : i1, out data0 : i8, out data0_valid : i1, out addr1_ready : i1, out data1 : i8, out data1_valid : i1)
// The words, masked to the element's width (-1 is 255 in 8 bits), each written once at time zero.
// CHECK:         %mem = sv.reg : !hw.inout<uarray<3xi8>>
// CHECK-NEXT:    sv.initial {
// CHECK:           hw.constant 7 : i8
// CHECK:           sv.bpassign
// CHECK:           hw.constant -1 : i8
// CHECK:           sv.bpassign
// CHECK:           hw.constant 0 : i8
// CHECK:           sv.bpassign
// CHECK-NEXT:    }
// A port takes an address while its word register is empty or being emptied: ready = !valid | data_ready.
// CHECK:         %[[EMPTY:.+]] = comb.xor %[[VALID:.+]], %true
// CHECK-NEXT:    %[[READY:.+]] = comb.or %[[EMPTY]], %data0_ready
// CHECK-NEXT:    %[[FIRE:.+]] = comb.and %addr0_valid, %[[READY]]
// The read is registered (the form Yosys maps to block RAM): on the address handshake, the word at it.
// CHECK:         sv.always posedge
// CHECK-NEXT:      sv.if %[[FIRE]] {
// CHECK-NEXT:        sv.array_index_inout %mem[%addr0]
// The word stays valid until the core takes it; reset empties it.
// CHECK:         %[[VALID]] = seq.compreg %{{.+}}, %clock reset %reset, %false : i1
// CHECK:         hw.output %[[READY]], %{{.+}}, %[[VALID]], {{.+}} : i1, i8, i1, i1, i8, i1
// CHECK-LABEL: hw.module @Net(in %arg0_ld0_data : i32, in %arg0_ld0_data_valid : i1, in %result0_st0_done : i0,
// CHECK-SAME:    in %result0_st0_done_valid : i1, in %start : i0, in %start_valid : i1, in %clock : !seq.clock, in %reset : i1,
// CHECK-SAME:    in %done_ready : i1, in %arg0_ld0_addr_ready : i1, in %result0_st0_ready : i1, out arg0_ld0_data_ready : i1,
// CHECK-SAME:    out result0_st0_done_ready : i1, out start_ready : i1, out done : i0, out done_valid : i1, out arg0_ld0_addr : i2,
// CHECK-SAME:    out arg0_ld0_addr_valid : i1, out result0_st0 : !hw.struct<address: i2, data: i32>, out result0_st0_valid : i1) {
// CHECK-NEXT:    hw.instance "core" @Net_core(arg0_ld0_data: %arg0_ld0_data: i32,
// CHECK-SAME:      constant_3xi8_ld0_data: %constant_3xi8_rom.data0: i8, constant_3xi8_ld0_data_valid: %constant_3xi8_rom.data0_valid: i1,
// CHECK-SAME:      constant_3xi8_ld1_data: %constant_3xi8_rom.data1: i8, constant_3xi8_ld1_data_valid: %constant_3xi8_rom.data1_valid: i1,
// CHECK-SAME:      constant_3xi8_ld0_addr_ready: %constant_3xi8_rom.addr0_ready: i1, constant_3xi8_ld1_addr_ready: %constant_3xi8_rom.addr1_ready: i1)
// CHECK-NEXT:    hw.instance "constant_3xi8_rom" @Net_constant_3xi8_rom(clock: %clock: !seq.clock, reset: %reset: i1,
// CHECK-SAME:      addr0: %core.constant_3xi8_ld0_addr: i2, addr0_valid: %core.constant_3xi8_ld0_addr_valid: i1,
// CHECK-SAME:      data0_ready: %core.constant_3xi8_ld0_data_ready: i1, addr1: %core.constant_3xi8_ld1_addr: i2,
// CHECK-SAME:      addr1_valid: %core.constant_3xi8_ld1_addr_valid: i1, data1_ready: %core.constant_3xi8_ld1_data_ready: i1)
// CHECK-NEXT:    hw.output %core.arg0_ld0_data_ready, %core.result0_st0_done_ready, %core.start_ready, %core.done, %core.done_valid,
// CHECK-NOT:     hw.module
module attributes {torch_circt.params = [{element = "i8", name = "__constant_3xi8", shape = array<i64: 3>, values = array<i64: 7, -1, 0>}]} {
  hw.module @Net(in %arg0_ld0_data : i32, in %arg0_ld0_data_valid : i1, in %result0_st0_done : i0, in %result0_st0_done_valid : i1, in %constant_3xi8_ld0_data : i8, in %constant_3xi8_ld0_data_valid : i1, in %constant_3xi8_ld1_data : i8, in %constant_3xi8_ld1_data_valid : i1, in %start : i0, in %start_valid : i1, in %clock : !seq.clock, in %reset : i1, in %done_ready : i1, in %arg0_ld0_addr_ready : i1, in %result0_st0_ready : i1, in %constant_3xi8_ld0_addr_ready : i1, in %constant_3xi8_ld1_addr_ready : i1, out arg0_ld0_data_ready : i1, out result0_st0_done_ready : i1, out constant_3xi8_ld0_data_ready : i1, out constant_3xi8_ld1_data_ready : i1, out start_ready : i1, out done : i0, out done_valid : i1, out arg0_ld0_addr : i2, out arg0_ld0_addr_valid : i1, out result0_st0 : !hw.struct<address: i2, data: i32>, out result0_st0_valid : i1, out constant_3xi8_ld0_addr : i2, out constant_3xi8_ld0_addr_valid : i1, out constant_3xi8_ld1_addr : i2, out constant_3xi8_ld1_addr_valid : i1) {
    %c = hw.constant 0 : i0
    %a = hw.constant 0 : i2
    %s = hw.struct_create (%a, %arg0_ld0_data) : !hw.struct<address: i2, data: i32>
    hw.output %done_ready, %done_ready, %done_ready, %done_ready, %done_ready, %c, %start_valid, %a, %start_valid, %s, %start_valid, %a, %start_valid, %a, %start_valid : i1, i1, i1, i1, i1, i0, i1, i2, i1, !hw.struct<address: i2, data: i32>, i1, i2, i1, i2, i1
  }
}
