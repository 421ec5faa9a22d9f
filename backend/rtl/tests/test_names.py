"""The names the hardware takes from the model (backend/rtl/names.py): legal, unique, and CIRCT's mapped onto them."""

from __future__ import annotations

import pytest

from backend.rtl.attributes import Param
from backend.rtl.names import HardwareNames, hardware_names, param_names, sv_identifier, unique
from common.records import ModelMetadata, NamedConstant, TensorSpec, rearranged_digest, values_digest


@pytest.mark.parametrize(("text", "legal"), [
    ("fc1.weight", "fc1_weight"),
    ("__constant_4xi32", "constant_4xi32"),  # Verilator escapes a double underscore in its C++ names
    ("2-layer mlp", "m_2_layer_mlp"),
    ("module", "m_module"),  # a reserved word would not parse as a module's name
    ("größe", "gr_e"),  # SystemVerilog identifiers are ASCII
    ("...", "model"),
    ("int_mlp", "int_mlp"),
])
def test_sv_identifier_makes_a_legal_name(text: str, legal: str) -> None:
    assert sv_identifier(text) == legal


def test_unique_suffixes_repeats_in_order() -> None:
    assert unique(["x", "y", "x", "x_1", "x"]) == ("x", "y", "x_1", "x_1_1", "x_2")


def _names() -> HardwareNames:
    return HardwareNames("net", {0: "x", 1: "out", 2: "fc1_weight"})


@pytest.mark.parametrize(("circt", "ours"), [
    ("in0_ld0.addr", "x_ld0_addr"),
    ("in0_ld0.data_valid", "x_ld0_data_valid"),
    ("in1_st0", "out_st0"),
    ("in1_st0_ready", "out_st0_ready"),
    ("in1_st0.done", "out_st0_done"),
    ("in2_ld1.addr_ready", "fc1_weight_ld1_addr_ready"),
    ("in3", "start"),
    ("in3_valid", "start_valid"),
    ("out0_ready", "done_ready"),
    ("clock", "clock"),
    ("reset", "reset"),
])
def test_ports_take_the_names_of_their_tensors(circt: str, ours: str) -> None:
    assert _names().port(circt) == ours


def test_a_port_of_no_known_memory_is_refused() -> None:
    with pytest.raises(ValueError, match="in7_ld0.addr"):
        _names().port("in7_ld0.addr")
    with pytest.raises(ValueError, match="neither"):
        _names().port("mystery")


def test_the_top_is_named_and_every_other_module_prefixed() -> None:
    assert _names().module("main") == "net"
    assert _names().module("handshake_fork_in_ui32_out_ui32_ui32") == "net_handshake_fork_in_ui32_out_ui32_ui32"


def test_interfaces_skip_unused_tensors_and_names_stay_distinct() -> None:
    metadata = ModelMetadata("Two Heads", (TensorSpec("x", (2,), "int32"), TensorSpec("x.0", (2,), "int32")),
                             (TensorSpec("x_0", (2,), "int32"), TensorSpec("input", (2,), "int32")))
    params = [Param("__constant_2xi32", (2,), "i32", (1, 2))]
    names = hardware_names(metadata, params, unused={1})  # the second argument has no memory in the circuit
    assert names.top == "Two_Heads"
    # x.0 and x_0 are both x_0 as identifiers: the later one gets a suffix, though x.0 has no port
    # a reserved word is fine as a prefix (input_ld0_addr): no `m_`, and no `input_` that would make `input__ld0_addr`
    assert dict(names.prefixes) == {0: "x", 1: "x_0_1", 2: "input", 3: "constant_2xi32"}


def _constant(name: str, shape: tuple[int, ...], values: list[int], bits: int) -> NamedConstant:
    return NamedConstant(name, shape, values_digest(values, bits), rearranged_digest(values))


def test_a_parameter_is_named_after_the_tensor_it_holds_even_widened_or_permuted() -> None:
    weight = [-2, -1, 0, 1, 2, 3]  # an int8 (2, 3) weight
    constants = [_constant("fc1.weight", (2, 3), weight, 8), _constant("fc1.bias", (2,), [7, 9], 32)]
    params = [
        Param("__constant_2x3xi32", (2, 3), "i32", tuple(weight)),  # widened to i32 in place: the same layout
        Param("__constant_3x2xi8", (3, 2), "i8", (-2, 1, -1, 2, 0, 3)),  # weight.T: another layout
        Param("__constant_2xi32", (2,), "i32", (9, 7)),  # bias reversed: another layout
        Param("__constant_3xi32", (3,), "i32", (1, 2, 3)),  # computed by the compiler: no tensor holds it
    ]
    assert param_names(constants, params[:1]) == ("fc1.weight",)
    assert param_names(constants, params[1:]) == ("fc1.weight.permuted", "fc1.bias.permuted", "__constant_3xi32")
    # each tensor names one memory: the second copy of the weight keeps its global's name
    assert param_names(constants, params[:2]) == ("fc1.weight", "__constant_3x2xi8")
