"""The self-checking testbench in two simulators: the bundled example and suite cases, PASS everywhere.

Each design is compiled once and saved as a compile saves it (`Design.save`: the `.sv`,
`<top>_tb.sv` and the `.hex` vectors from the PyTorch golden); its testbench then runs under
Icarus Verilog and under Verilator and must print `PASS <top> cycles=N` (N is printed, not
held to the harness's count; by hand they agreed on every case here). One expected word
altered must make it print FAIL and exit nonzero (the test can fail). docs/interface.md, "Testbench".
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from backend.testbench.simulate import SIMULATORS, icarus_available, run_testbench
from e2e.suite import get_case

EXAMPLE = Path(__file__).resolve().parents[2] / "tools" / "examples" / "int_mlp.py"
# Small and varied: int8/int16/int64/uint8/bool, several results, a mutated input, reductions,
# a gather, a matrix-vector product, a concatenation, a parameter buffer.
CASES = (
    "add_broadcast_i32",
    "div_floor_i32",
    "gather_bool",
    "max_min_of_whole_int8",
    "add_inplace_input_i32",
    "return_twice_i32",
    "sum_dim_i32",
    "arith_i64",
    "arith_i16",
    "clamp_uint8_with_negative_bounds",
    "mv_dot_i32",
    "cat_i32",
)


def _example():
    spec = importlib.util.spec_from_file_location("int_mlp_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.model()


@pytest.fixture(scope="module", params=("int_mlp", *CASES))
def saved(request, tmp_path_factory):
    """(top, folder, harness cycles) of one design saved with its testbench."""
    import torch_circt

    name = request.param
    module, inputs = _example() if name == "int_mlp" else get_case(name).build()
    design = torch_circt.compile(module, inputs, target="rtl", name=name)
    assert design.sv is not None, f"{name} did not reach SystemVerilog"
    folder = design.save(tmp_path_factory.mktemp(name) / "out")
    assert (folder / f"{name}_tb.sv").is_file()
    return name, folder


@pytest.mark.parametrize("simulator", SIMULATORS)
def test_testbench_passes(saved, simulator):
    if simulator == "icarus" and not icarus_available():
        pytest.skip("iverilog is not installed (./bazelw installs it)")
    top, folder = saved
    if simulator == "icarus" and "'{" in (folder / f"{top}.sv").read_text():
        pytest.skip("Icarus Verilog 11 rejects the packed-struct assignment pattern '{address: a, data: d}, "
                    "which this design keeps (a one-word memory's zero-width address; "
                    "backend/rtl/circt_side LOWERING_OPTIONS)")
    verdict = run_testbench(folder, top, simulator)
    assert verdict.passed, verdict.output[-4000:]
    print(f"{simulator}: PASS {top} cycles={verdict.cycles}")


def test_altered_word_fails(saved):
    top, folder = saved
    if top != "int_mlp":
        pytest.skip("checked once, on the bundled example")
    if not icarus_available():
        pytest.skip("iverilog is not installed (./bazelw installs it)")
    expected = folder / f"{top}_result0_expected.hex"
    words = expected.read_text().splitlines()
    original = words[1]
    words[1] = f"{(int(original, 16) ^ 1):0{len(original)}x}"
    expected.write_text("\n".join(words) + "\n")
    try:
        verdict = run_testbench(folder, top, "icarus")
    finally:
        words[1] = original
        expected.write_text("\n".join(words) + "\n")
    assert not verdict.passed
    assert f"FAIL {top} result0[1] got " in verdict.output, verdict.output[-2000:]
