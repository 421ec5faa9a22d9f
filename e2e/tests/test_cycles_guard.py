"""The cycle-baseline guard: the comparison, the checked-in baseline, the regeneration tool, and a planted
regression caught by the RTL test of a real case."""

from __future__ import annotations

import argparse
import dataclasses
import json
import zipfile
from pathlib import Path

import pytest

from backend.sim.runtime import cached_runtime
from e2e import build_sim, compile_case, cycles_guard, import_case, rtl_test, update_cycles_baseline
from e2e.cycles_guard import BASELINE, UPDATE_COMMAND, Baseline, guard, judge
from torch_circt.options import RtlOptions, add_arguments, from_arguments

TINY = Baseline("abc123", UPDATE_COMMAND, {"relu_i32": 1000})


@pytest.mark.parametrize("cycles", [1000, 1020, 980, 995])
def test_within_tolerance_passes_silently(cycles: int) -> None:
    assert judge("relu_i32", cycles, TINY) == cycles_guard.Verdict(True)


def test_growth_beyond_tolerance_fails_naming_case_old_new_percentage_and_the_fix() -> None:
    verdict = judge("relu_i32", 1021, TINY)
    assert not verdict.passed
    assert "relu_i32 took 1021 cycles, baseline 1000 (+2.1%, tolerance 2.0%)" in verdict.note
    assert "regenerate the baseline in the same commit: ./bazelw test //e2e/... --test_tag_filters=rtl; " \
           "./bazelw run //e2e:update_cycles_baseline" in verdict.note


def test_improvement_beyond_tolerance_passes_with_a_note_to_tighten() -> None:
    verdict = judge("relu_i32", 900, TINY)
    assert verdict.passed and verdict.note.startswith("note: relu_i32 took 900 cycles, baseline 1000 (-10.0%)")
    assert "tighten the baseline" in verdict.note


def test_a_case_missing_from_the_baseline_fails() -> None:
    verdict = judge("new_case_i32", 77, TINY)
    assert not verdict.passed
    assert "new_case_i32 has no entry in e2e/cycles_baseline.json (it took 77 cycles)" in verdict.note
    assert UPDATE_COMMAND in verdict.note


def test_guard_folds_the_verdict_into_the_tests_summary() -> None:
    assert guard("relu_i32", 1000, TINY, True, "1 results match") == (True, "1 results match")
    passed, summary = guard("relu_i32", 2000, TINY, True, "1 results match")
    assert not passed and summary.startswith("cycle regression: relu_i32") and summary.endswith("\n1 results match")
    passed, summary = guard("relu_i32", 2000, TINY, False, "1 of 1 results mismatch")
    assert not passed and summary.startswith("1 of 1 results mismatch\ncycle regression")  # the mismatch stays first
    passed, summary = guard("relu_i32", 500, TINY, True, "1 results match")
    assert passed and summary.startswith("1 results match\nnote: relu_i32")


def test_baseline_round_trips_in_its_one_shape(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text(Baseline("abc", "cmd", {"b": 2, "a": 1}).to_json())
    assert list(json.loads(path.read_text())) == ["measured_at", "command", "tolerance", "cycles"]
    assert list(json.loads(path.read_text())["cycles"]) == ["a", "b"]
    assert Baseline.load(path) == Baseline("abc", "cmd", {"a": 1, "b": 2}, 0.02)


@pytest.mark.parametrize("cycles, tolerance", [({"a": 0}, 0.02), ({"a": 1.5}, 0.02), ({"a": 10}, 1.0)])
def test_a_malformed_baseline_is_refused(tmp_path: Path, cycles: dict, tolerance: float) -> None:
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"measured_at": "abc", "command": "cmd", "tolerance": tolerance, "cycles": cycles}))
    with pytest.raises(ValueError, match="regenerate it"):
        Baseline.load(path)


def test_checked_in_baseline_has_exactly_the_simulated_rtl_cases() -> None:
    baseline = Baseline.load()
    cases = update_cycles_baseline.simulated_cases()
    assert baseline.tolerance == 0.02 and len(baseline.measured_at) == 40
    assert sorted(set(cases) - set(baseline.cycles)) == [], f"cases without cycles: {UPDATE_COMMAND}"
    assert sorted(set(baseline.cycles) - set(cases)) == [], f"cycles of cases no longer in the RTL suite: {UPDATE_COMMAND}"


def _testlogs(root: Path, cycles: dict[str, int]) -> Path:
    for case, count in cycles.items():
        outputs = root / "bazel-testlogs" / "e2e" / f"{case}_rtl" / "test.outputs"
        outputs.mkdir(parents=True)
        with zipfile.ZipFile(outputs / "outputs.zip", "w") as archive:
            archive.writestr("cycles.json", json.dumps({"model": case, "cycles": count, "simulation_seconds": 0.1}))
    return root / "bazel-testlogs"


def test_update_rewrites_the_baseline_from_the_testlogs(tmp_path: Path, monkeypatch, capsys) -> None:
    cases = update_cycles_baseline.simulated_cases()
    _testlogs(tmp_path, {case: 100 + i for i, case in enumerate(cases)})
    (tmp_path / "e2e").mkdir()
    (tmp_path / "e2e" / "cycles_baseline.json").write_text(
        Baseline("old", "cmd", {cases[0]: 50, "gone_i32": 9}, tolerance=0.05).to_json())
    monkeypatch.setattr(update_cycles_baseline, "git_head", lambda workspace: "f" * 40)
    monkeypatch.setenv("BUILD_WORKSPACE_DIRECTORY", str(tmp_path))
    assert update_cycles_baseline.main([]) == 0
    written = Baseline.load(tmp_path / "e2e" / "cycles_baseline.json")
    assert written == Baseline("f" * 40, UPDATE_COMMAND, {case: 100 + i for i, case in enumerate(cases)}, 0.05)
    out = capsys.readouterr().out
    assert f"{cases[0]}: 50 -> 100 (+100.0%)" in out and "gone_i32: 9 -> removed" in out and f"{cases[1]}: new -> 101" in out


def test_update_refuses_a_run_that_left_cases_without_cycles(tmp_path: Path) -> None:
    cases = update_cycles_baseline.simulated_cases()
    testlogs = _testlogs(tmp_path, {case: 100 for case in cases[1:]})
    with pytest.raises(SystemExit, match=f"1 RTL case\\(s\\): {cases[0]};"):
        update_cycles_baseline.measure(testlogs, cases)


def test_update_needs_a_workspace(monkeypatch, capsys) -> None:
    monkeypatch.delenv("BUILD_WORKSPACE_DIRECTORY", raising=False)
    with pytest.raises(SystemExit):
        update_cycles_baseline.main([])
    assert "./bazelw run //e2e:update_cycles_baseline" in capsys.readouterr().err


PLANTED = "relu_i32"


def _flags(rtl: RtlOptions) -> list[str]:
    """The option flags that build `rtl` (each flag is named after its field)."""
    flags: list[str] = []
    for name in (f.name for f in dataclasses.fields(rtl) if getattr(rtl, f.name) != getattr(RtlOptions(), f.name)):
        value, flag = getattr(rtl, name), name.replace("_", "-")
        flags += [f"--{'' if value else 'no-'}{flag}"] if isinstance(value, bool) else [f"--{flag}", str(value)]
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert from_arguments(parser.parse_args(flags)).rtl == rtl
    return flags


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> list[str]:
    root = tmp_path_factory.mktemp("imported")
    common = ["--model", PLANTED] + [a for k in ("mlir", "metadata", "golden") for a in (f"--{k}", str(root / f"case.{k}"))]
    assert import_case.main(common) == 0
    return common


@pytest.mark.parametrize("rtl, passes", [(RtlOptions(), True), (RtlOptions.unpipelined(), False)],
                         ids=["as-built", "planted-unpipelined"])
def test_rtl_test_fails_a_planted_cycle_regression(imported, rtl, passes, tmp_path, monkeypatch, capsys) -> None:
    """The case's own RTL test (import, compile, Verilator, simulate, as the Bazel actions run them) against the
    checked-in baseline: the circuit as built passes, the same case built unpipelined (~4x the cycles) fails."""
    options, files = _flags(rtl), dict(zip(imported[2::2], imported[3::2]))
    # One module name per build: a process keeps the first extension it loaded under a name.
    sv, manifest, simulator = tmp_path / "case.sv", tmp_path / "case.manifest.json", tmp_path / f"{PLANTED}_{passes}_sim.so"
    assert compile_case.main(["--mlir", files["--mlir"], "--metadata", files["--metadata"], "--sv", str(sv),
                              "--manifest", str(manifest), *options]) == 0
    assert build_sim.main(["--sv", str(sv), "--manifest", str(manifest), "--runtime", str(cached_runtime()),
                           "--out", str(simulator), *options]) == 0
    monkeypatch.setenv("TEST_UNDECLARED_OUTPUTS_DIR", str(tmp_path / "outputs"))
    code = rtl_test.main([*imported, "--manifest", str(manifest), "--simulator", str(simulator),
                          "--baseline", str(BASELINE), *options])
    out = capsys.readouterr().out
    old = Baseline.load().cycles[PLANTED]
    new = json.loads((tmp_path / "outputs" / "cycles.json").read_text())["cycles"]
    if passes:
        assert code == 0 and out.startswith(f"PASS rtl {PLANTED}: 1 results match bit for bit ({old} cycles")
    else:
        assert new > old * 1.02 and code == 1
        assert out.startswith(f"FAIL rtl {PLANTED}: cycle regression: {PLANTED} took {new} cycles, baseline {old} (+")
        assert "1 results match bit for bit" in out  # correct, but slower: the guard alone fails it
