"""The fuzzer: its programs are valid and reproducible, its shrinker and attribution find what a planted
bug breaks, and a small fixed-seed campaign through both backends is clean."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch

from tools import fuzz
from tools.driver.model_file import load_model
from tools.fuzzer.campaign import investigate, run_campaign
from tools.fuzzer.generate import GeneratorOptions, generate
from tools.fuzzer.program import Leaf, Node, Program, evaluate, render, union
from tools.fuzzer.run import run_program
from tools.fuzzer.shrink import shrink


# The planted bug: every arithmetic (sign-filling) right shift becomes a logical one, in the linalg
# both backends start from. Only right shifts of negative values can tell the two apart.
def swap_signed_shift(linalg: str) -> str:
    return linalg.replace("arith.shrsi", "arith.shrui")


def test_programs_are_reproducible_valid_and_cover_every_family() -> None:
    programs = [generate(3, index) for index in range(150)]
    assert [render(p)[0] for p in programs[:20]] == [render(generate(3, i))[0] for i in range(20)]
    assert render(programs[0])[0] != render(generate(4, 0))[0]
    assert all(evaluate(p) is not None for p in programs)
    ops = {node.op for p in programs for node in p.nodes}
    for expected in ("torch.remainder", "torch.bitwise_right_shift", ".to", "torch.where", "sum",
                     "torch.matmul", "torch.nn.functional.conv2d", "torch.cat", "slice", "permute"):
        assert expected in ops
    dtypes = {leaf.value.dtype for p in programs for leaf in p.inputs}
    assert {torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8, torch.bool} <= dtypes
    assert any(len(p.outputs) > 1 for p in programs)


def test_generator_options_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown: float"):
        GeneratorOptions(families=("arith", "float"))
    only = GeneratorOptions(families=("div",))
    assert {n.op for i in range(30) for n in generate(0, i, only).nodes} <= {
        "torch.div(rounding_mode='floor')", "torch.div(rounding_mode='trunc')", "torch.remainder",
        "torch.fmod", "//", "%", "torch.add"}


def test_the_rendered_file_is_the_program(tmp_path: Path) -> None:
    """What runs and what is saved are one text: the loaded file computes what `evaluate` does."""
    for index in range(10):
        program = generate(5, index)
        path = tmp_path / f"p{index}.py"
        text, where = render(program)
        path.write_text(text)
        loaded = load_model(str(path), seed=None)
        results = loaded.module(*loaded.inputs)
        values = evaluate(program)
        assert [torch.equal(r, values[o]) for r, o in zip(results, program.outputs)] == [True] * len(program.outputs)
        lines = text.splitlines()
        assert all(lines[where[n.name] - 1].strip() == n.code for n in program.nodes)


def test_union_keeps_programs_apart() -> None:
    a, b = generate(6, 0), generate(6, 1)
    both = union([a, b], "two")
    values, alone_a, alone_b = evaluate(both), evaluate(a), evaluate(b)
    expected = [alone_a[o] for o in a.outputs] + [alone_b[o] for o in b.outputs]
    assert all(torch.equal(values[o], e) for o, e in zip(both.outputs, expected))


def _shift_program() -> Program:
    """x0 * 3, shifted right, plus x0: the shift is the only op the planted bug changes."""
    x0 = torch.tensor([[-40, 17, -3], [100, -128, 5]], dtype=torch.int32)
    x1 = torch.tensor([[1, 2, 0], [3, 1, 4]], dtype=torch.int32)
    nodes = (Node("v0", "*", "{0} * 3", ("x0",)),
             Node("v1", "-", "{0} - {1}", ("v0", "x1")),
             Node("v2", "torch.bitwise_right_shift", "torch.bitwise_right_shift({0}, {1})", ("v1", "x1")),
             Node("v3", "+", "{0} + {1}", ("v2", "x0")),
             Node("v4", "&", "{0} & {1}", ("v0", "x1")))
    return Program((Leaf("x0", x0), Leaf("x1", x1)), (), nodes, ("v3", "v4"), "planted")


def test_shrink_keeps_what_fails_and_drops_the_rest() -> None:
    """A stand-in failure (any remaining right shift 'fails'): the shrinker keeps the shift, little else."""
    program = _shift_program()
    shrunk, tries = shrink(program, lambda p: any(n.op == "torch.bitwise_right_shift" for n in p.nodes), budget=50)
    assert [n.op for n in shrunk.nodes] == ["torch.bitwise_right_shift"]
    assert shrunk.outputs == (shrunk.nodes[0].name,) and 0 < tries <= 50
    assert evaluate(shrunk) is not None


@pytest.mark.parametrize("backend", ["cpu", "rtl"])
def test_planted_signed_shift_bug_is_caught_shrunk_and_attributed(backend: str, tmp_path: Path) -> None:
    program = _shift_program()
    assert run_program(program, backend, tmp_path / "clean.py").status == "match"
    verdict = run_program(program, backend, tmp_path / "planted.py", swap_signed_shift)
    assert verdict.status == "mismatch" and verdict.mismatched == (0,)  # v3 reads the shift, v4 does not
    finding = investigate(program, 0, verdict, tmp_path / "found.py", budget=12, linalg_rewrite=swap_signed_shift)
    assert finding.attribution is not None and finding.attribution.node.op == "torch.bitwise_right_shift"
    saved = finding.file.read_text().splitlines()
    assert "torch.bitwise_right_shift(" in saved[finding.line - 1]
    assert len(finding.program.nodes) < len(program.nodes)
    # The saved file is a ready-to-run model that still computes eager's values for the shrunk program.
    loaded = load_model(str(finding.file), seed=None)
    assert isinstance(loaded.module(*loaded.inputs), tuple)


def test_a_campaign_with_the_planted_bug_finds_it_and_names_the_shift(tmp_path: Path) -> None:
    """The CLI's own path, on the CPU: every mismatch it reports is attributed to a right shift."""
    options = ["--count", "8", "--seed", "11", "--backend", "cpu", "--ops", "shift,arith", "--shrink-budget", "6"]
    summary = run_campaign(fuzz.campaign_options(fuzz.parse_args(options)), tmp_path, swap_signed_shift)
    assert summary.count("mismatch") > 0 and summary.count("crash") == 0
    assert all(f.attribution is not None and f.attribution.node.op in ("torch.bitwise_right_shift", ">>")
               for f in summary.findings if f.verdict.status == "mismatch")


def test_a_small_fixed_seed_campaign_through_both_backends_is_clean(tmp_path: Path, capsys) -> None:
    code = fuzz.main(["--count", "6", "--seed", "2026", "--rtl-batch", "6", "-o", str(tmp_path)])
    lines = capsys.readouterr().out.strip().splitlines()
    assert re.fullmatch(r"fuzz: 6 programs, \d+ mismatches, \d+ refused", lines[-1])
    assert lines[-1].startswith("fuzz: 6 programs, 0 mismatches") and code == 0, "\n".join(lines)
    assert not list(tmp_path.iterdir())  # nothing failed, nothing saved
