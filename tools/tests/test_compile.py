"""The `//:compile` command end to end: every exit code, every error message, the output directory.

One bundled-example RTL run (a module-scoped fixture, through the real command
line with --json) backs the report tests; errors run in-process on small models
and the cpu backend where the backend does not matter, so the target stays
within a few Verilator builds.
"""

from __future__ import annotations

import dataclasses

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tools import compile as cli
from torch_circt.outdir import leftovers
from torch_circt.report import render_summary

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tools.compile", *args], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": _pythonpath()})


def _pythonpath() -> str:
    return os.pathsep.join(p for p in [str(ROOT), os.environ.get("PYTHONPATH", "")] if p)


def write_model(folder: Path, name: str, body: str) -> Path:
    path = folder / f"{name}.py"
    path.write_text("import torch\n\n" + textwrap.dedent(body))
    return path


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    out = tmp_path_factory.mktemp("example") / "int_mlp"
    return run_cli("--json", "-o", str(out)), out


def test_bundled_example_matches_and_reports(example) -> None:
    done, out = example
    assert done.returncode == cli.EXIT_MATCHED, done.stderr
    report = json.loads(done.stdout)  # --json: stdout is the report and nothing else
    assert report == json.loads((out / "report.json").read_text())
    assert report["matched"] is True
    assert [r["matched"] for r in report["checks"]["rtl"]["results"]] == [True]
    rtl = report["rtl"]
    assert rtl["cycles"] > 0 and rtl["ideal_cycles"] > 0
    assert rtl["ratio"] == pytest.approx(rtl["cycles"] / rtl["ideal_cycles"])
    assert rtl["hardware"]["units"]["multipliers"]["count"] >= 1
    assert report["timings"]["verilator_seconds"] > 0 and report["timings"]["compile_seconds"] > 0
    for name in ("int_mlp.sv", "manifest.json", "metadata.json", "golden.npz", "report.md"):
        assert (out / name).is_file(), name
    assert [p.name for p in out.glob("*.mlir")] == ["int_mlp.linalg.mlir"]  # no --dump-ir: the backend's input only
    assert f"module {rtl['top']}" in (out / "int_mlp.sv").read_text()
    markdown = (out / "report.md").read_text()
    assert "bit-exact match" in markdown and "ideal lower bound" in markdown and "Hardware estimate" in markdown
    assert leftovers(out.parent) == []


def test_progress_lines_go_to_stderr_and_summary_renders(example) -> None:
    done, out = example
    assert "  rtl      bufferize" in done.stderr and "verilator-build" in done.stderr
    summary = render_summary(json.loads((out / "report.json").read_text()))
    assert "MATCH 1/1" in summary and "int_mlp" in summary


def test_help_lists_exit_codes() -> None:
    done = run_cli("--help")
    assert done.returncode == 0
    for text in ("--output-dir", "--backend", "--dump-ir", "--cycle-limit", "--waveform", "--seed", "Exit codes:", "130"):
        assert text in done.stdout


def main_in_process(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_user_error(capsys, tmp_path: Path, *args: str, message: str) -> None:
    out = tmp_path / "out"
    code, stdout, stderr = main_in_process(capsys, *args, "-o", str(out), "--quiet")
    assert code == cli.EXIT_USER, stderr
    assert message in stderr and "Traceback" not in stderr and stdout == ""
    assert not out.exists() and leftovers(tmp_path) == []


def test_missing_model_file(capsys, tmp_path: Path) -> None:
    assert_user_error(capsys, tmp_path, str(tmp_path / "nope.py"), message="does not exist")


def test_factory_that_raises(capsys, tmp_path: Path) -> None:
    model = write_model(tmp_path, "bad", "def model():\n    raise RuntimeError('no weights here')\n")
    assert_user_error(capsys, tmp_path, str(model), message="RuntimeError: no weights here")


def test_missing_factory_names_the_ones_found(capsys, tmp_path: Path) -> None:
    model = write_model(tmp_path, "two", "def make():\n    pass\n")
    assert_user_error(capsys, tmp_path, f"{model}:other", message="functions found: make")


def test_unsupported_op(capsys, tmp_path: Path) -> None:
    model = write_model(tmp_path, "erf", """
        class Erfinv(torch.nn.Module):
            def forward(self, x):
                return torch.erfinv(x)

        def model():
            return Erfinv(), (torch.zeros(3),)
        """)
    assert_user_error(capsys, tmp_path, str(model), "--backend", "cpu", message="aten.erfinv")


def test_float_model_on_rtl(capsys, tmp_path: Path) -> None:
    model = write_model(tmp_path, "lin", "def model():\n    return torch.nn.Linear(4, 2), (torch.ones(1, 4),)\n")
    assert_user_error(capsys, tmp_path, str(model), message="integer-only")


def test_dynamic_shape_program(capsys, tmp_path: Path) -> None:
    import torch

    program = torch.export.export(torch.nn.ReLU(), (torch.ones(4, dtype=torch.int32),),
                                  dynamic_shapes=({0: torch.export.Dim("n")},))
    torch.export.save(program, tmp_path / "dyn.pt2")
    assert_user_error(capsys, tmp_path, str(tmp_path / "dyn.pt2"), message="dynamic shape")


RELU = "def model(seed=0):\n    g = torch.Generator().manual_seed(seed)\n" \
       "    return torch.nn.ReLU(), (torch.randint(-8, 8, (4,), generator=g, dtype=torch.int32),)\n"


def test_mismatch_exits_1_and_still_writes_the_report(capsys, tmp_path: Path, monkeypatch) -> None:
    import frontend.torch

    real = frontend.torch.run_eager

    def wrong_oracle(*args, **kwargs):
        eager = real(*args, **kwargs)
        return dataclasses.replace(eager, outputs=[o + 1 for o in eager.outputs])

    monkeypatch.setattr(frontend.torch, "run_eager", wrong_oracle)
    out = tmp_path / "out"
    code, stdout, _ = main_in_process(capsys, str(write_model(tmp_path, "relu", RELU)), "--backend", "cpu", "-o", str(out))
    assert code == cli.EXIT_MISMATCH
    report = json.loads((out / "report.json").read_text())
    assert report["matched"] is False and "elements differ" in report["checks"]["cpu"]["results"][0]["problem"]
    assert "MISMATCH" in stdout


def test_internal_error_exits_3_traceback_only_with_debug(capsys, tmp_path: Path, monkeypatch) -> None:
    import backend.cpu
    from common.stages import Stage

    def broken(text: str) -> str:
        raise RuntimeError("LLVM fell over")

    monkeypatch.setattr(backend.cpu, "stage", lambda name: Stage(name, broken))
    model = str(write_model(tmp_path, "relu", RELU))
    code, _, stderr = main_in_process(capsys, model, "--backend", "cpu", "-o", str(tmp_path / "out"))
    assert code == cli.EXIT_INTERNAL and "LLVM fell over" in stderr and "Traceback" not in stderr
    code, _, stderr = main_in_process(capsys, model, "--backend", "cpu", "-o", str(tmp_path / "out"), "--debug")
    assert code == cli.EXIT_INTERNAL and "Traceback" in stderr
    assert not (tmp_path / "out").exists()


def test_default_output_dir_under_working_directory_and_replaced(capsys, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("BUILD_WORKING_DIRECTORY", str(tmp_path))
    model = write_model(tmp_path, "relu", RELU)
    target = tmp_path / "torch-circt-out" / "relu"
    target.mkdir(parents=True)
    (target / "stale.txt").write_text("from an older run")
    code, _, stderr = main_in_process(capsys, "relu.py", "--backend", "cpu", "--seed", "3", "--dump-ir")
    assert code == cli.EXIT_MATCHED, stderr
    assert not (target / "stale.txt").exists() and (target / "report.json").exists()
    assert len(list(target.glob("*.mlir"))) > 3  # --dump-ir keeps every stage
    assert leftovers(target.parent) == [] and model.exists()


def test_simulation_timeout_exits_4(capsys, tmp_path: Path) -> None:
    model = write_model(tmp_path, "relu", RELU)
    out = tmp_path / "out"
    code, _, stderr = main_in_process(capsys, str(model), "--cycle-limit", "3", "-o", str(out), "--quiet")
    assert code == cli.EXIT_TIMEOUT, stderr
    assert "simulation timeout" in stderr and "Traceback" not in stderr and not out.exists()


def test_interrupt_leaves_no_output_directory(tmp_path: Path) -> None:
    out = tmp_path / "int_mlp"
    process = subprocess.Popen([sys.executable, "-m", "tools.compile", "-o", str(out)], cwd=ROOT,
                               env={**os.environ, "PYTHONPATH": _pythonpath()}, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    assert process.stderr is not None
    for line in process.stderr:  # wait until the job is building the simulator
        if "export-verilog" in line:
            break
    time.sleep(1.0)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does: the whole foreground group
    _, rest = process.communicate(timeout=120)
    assert process.returncode == cli.EXIT_INTERRUPTED, rest
    assert "interrupted" in rest and "Traceback" not in rest
    assert not out.exists() and leftovers(tmp_path) == []


def test_native_crash_exits_3_naming_the_stage(capsys, tmp_path: Path, monkeypatch) -> None:
    """A segfault in native code during a stage (planted here in the cpu 'bufferize' stage: the
    models that crashed the command this way, `return y, y` and in-place ops on inputs, compile
    now) ends that stage's worker process, not the command: exit 3, the stage named."""
    import ctypes

    import backend.cpu
    from common.stages import Stage

    real = backend.cpu.stage

    def crashing(name: str) -> Stage:
        if name != "bufferize":
            return real(name)
        return Stage(name, lambda text: ctypes.string_at(0))  # reads address 0: SIGSEGV

    monkeypatch.setattr(backend.cpu, "stage", crashing)
    monkeypatch.setenv("TORCH_CIRCT_REPRO_DIR", str(tmp_path / "r"))
    out = tmp_path / "out"
    code, _, stderr = main_in_process(capsys, str(write_model(tmp_path, "relu", RELU)), "--backend", "cpu",
                                      "-o", str(out), "--quiet")
    assert code == cli.EXIT_INTERNAL, stderr
    assert "[bufferize] model 'relu': stage 'bufferize' failed" in stderr and "killed by SIGSEGV" in stderr
    assert "reproduce with:" in stderr and not out.exists()
