// RUN: torch-circt-opt --stage name-hardware --name My-Net %s | filecheck %s

// The top takes the model's name (made a legal identifier), its ports the names of
// the tensors they carry (argument arg0, result result0, a parameter), start and done
// their own; every other module gets the top's name in front, and so do its instances.
// CHECK:       hw.module @My_Net_handshake_join_in_ui32(in %in0 : i32, in %in0_valid : i1, out out0 : i0, out out0_valid : i1)
// CHECK-LABEL: hw.module @My_Net(
// CHECK-SAME:    in %arg0_ld0_data : i32, in %arg0_ld0_data_valid : i1, in %result0_st0_done : i0, in %result0_st0_done_valid : i1,
// CHECK-SAME:    in %constant_4xi32_ld0_data : i32, in %constant_4xi32_ld0_data_valid : i1, in %start : i0, in %start_valid : i1,
// CHECK-SAME:    in %clock : !seq.clock, in %reset : i1, in %done_ready : i1, in %arg0_ld0_addr_ready : i1, in %result0_st0_ready : i1,
// CHECK-SAME:    in %constant_4xi32_ld0_addr_ready : i1, out arg0_ld0_data_ready : i1, out result0_st0_done_ready : i1,
// CHECK-SAME:    out constant_4xi32_ld0_data_ready : i1, out start_ready : i1, out done : i0, out done_valid : i1,
// CHECK-SAME:    out arg0_ld0_addr : i2, out arg0_ld0_addr_valid : i1, out result0_st0 : !hw.struct<address: i2, data: i32>,
// CHECK-SAME:    out result0_st0_valid : i1, out constant_4xi32_ld0_addr : i2, out constant_4xi32_ld0_addr_valid : i1)
// CHECK-NEXT:    hw.instance "join" @My_Net_handshake_join_in_ui32(in0: %arg0_ld0_data: i32, in0_valid: %arg0_ld0_data_valid: i1)
// Only names change: the body is the same ops on the same values.
// CHECK-NEXT:    hw.constant 0 : i2
// CHECK-NEXT:    hw.struct_create (%{{.*}}, %constant_4xi32_ld0_data)
// CHECK-NEXT:    hw.output %done_ready, %done_ready, %done_ready, %done_ready, %join.out0, %join.out0_valid,
// CHECK-NOT:   @main
// CHECK-NOT:   @handshake_
module attributes {torch_circt.params = [{element = "i32", name = "__constant_4xi32", shape = array<i64: 4>, values = array<i64: -3, -2, -1, 0>}]} {
  hw.module @handshake_join_in_ui32(in %in0 : i32, in %in0_valid : i1, out out0 : i0, out out0_valid : i1) {
    %c = hw.constant 0 : i0
    hw.output %c, %in0_valid : i0, i1
  }
  hw.module @main(in %in0_ld0.data : i32, in %in0_ld0.data_valid : i1, in %in1_st0.done : i0, in %in1_st0.done_valid : i1, in %in2_ld0.data : i32, in %in2_ld0.data_valid : i1, in %in3 : i0, in %in3_valid : i1, in %clock : !seq.clock, in %reset : i1, in %out0_ready : i1, in %in0_ld0.addr_ready : i1, in %in1_st0_ready : i1, in %in2_ld0.addr_ready : i1, out in0_ld0.data_ready : i1, out in1_st0.done_ready : i1, out in2_ld0.data_ready : i1, out in3_ready : i1, out out0 : i0, out out0_valid : i1, out in0_ld0.addr : i2, out in0_ld0.addr_valid : i1, out in1_st0 : !hw.struct<address: i2, data: i32>, out in1_st0_valid : i1, out in2_ld0.addr : i2, out in2_ld0.addr_valid : i1) {
    %done, %done_valid = hw.instance "join" @handshake_join_in_ui32(in0: %in0_ld0.data : i32, in0_valid: %in0_ld0.data_valid : i1) -> (out0: i0, out0_valid: i1)
    %a = hw.constant 0 : i2
    %s = hw.struct_create (%a, %in2_ld0.data) : !hw.struct<address: i2, data: i32>
    hw.output %out0_ready, %out0_ready, %out0_ready, %out0_ready, %done, %done_valid, %a, %in3_valid, %s, %in1_st0.done_valid, %a, %in3_valid : i1, i1, i1, i1, i0, i1, i2, i1, !hw.struct<address: i2, data: i32>, i1, i2, i1
  }
}
