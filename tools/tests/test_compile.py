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


def test_float_model_on_rtl_names_the_op_and_line_and_points_at_quantize(capsys, tmp_path: Path) -> None:
    model = write_model(tmp_path, "lin", """
        class Net(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = torch.nn.Linear(4, 2)

            def forward(self, x):
                return self.fc(x) * 2

        def model():
            return Net(), (torch.ones(1, 4),)
        """)
    out = tmp_path / "out"
    code, _, stderr = main_in_process(capsys, str(model), "-o", str(out), "--quiet")
    assert code == cli.EXIT_USER and not out.exists(), stderr
    assert "op 'aten.mm.default' computes in torch.float32" in stderr and "integer-only" in stderr
    assert f"at: {model}:10" in stderr and "source: return self.fc(x) * 2" in stderr and "loc(" not in stderr
    assert "torch_circt.quantize" in stderr and "--backend cpu" in stderr


def test_data_dependent_branch_prints_our_message_alone_unless_debug(capsys, tmp_path: Path) -> None:
    model = write_model(tmp_path, "branch", """
        class Branch(torch.nn.Module):
            def forward(self, x):
                if x.sum() > 0:
                    return x + 1
                return x - 1

        def model():
            return Branch(), (torch.ones(4, dtype=torch.int32),)
        """)
    code, _, stderr = main_in_process(capsys, str(model), "-o", str(tmp_path / "out"), "--quiet")
    assert code == cli.EXIT_USER and "if x.sum() > 0:" in stderr and "torch.where for a branch" in stderr
    assert stderr.startswith("torch-circt: unsupported model:"), stderr  # no FX graph, no torch warning above it
    code, _, stderr = main_in_process(capsys, str(model), "-o", str(tmp_path / "out"), "--quiet", "--debug")
    assert code == cli.EXIT_USER and "def forward(self" in stderr  # --debug: torch's own partial graph too


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


def test_simulation_timeout_exits_4_keeping_the_compiled_files(capsys, tmp_path: Path) -> None:
    model = write_model(tmp_path, "relu", RELU)
    out = tmp_path / "out"
    code, _, stderr = main_in_process(capsys, str(model), "--cycle-limit", "3", "-o", str(out), "--quiet")
    assert code == cli.EXIT_TIMEOUT, stderr
    assert "simulation timeout" in stderr and "Traceback" not in stderr
    assert f"wrote {out} (the .sv" in stderr and (out / "relu.sv").is_file()
    assert json.loads((out / "report.json").read_text())["checks"] == {} and leftovers(tmp_path) == []


@pytest.mark.parametrize(("args", "valid"), [
    (("--synth", "ecp6"), "one of ecp5, not 'ecp6'"),
    (("--synth", "ecp5", "--synth-device", "LFE5U-99F"), "LFE5U-25F, LFE5U-45F, LFE5U-85F"),
    (("--synth", "ecp5", "--synth-speed", "5"), "--synth-speed (6, 7, 8)"),
    (("--emit", "verilog"), "choose from 'linalg', 'handshake', 'hw', 'sv'"),
    (("--backend", "gpu"), "choose from 'rtl', 'cpu', 'both'"),
    (("--buffer-strategy", "some"), "cycles, all or allFIFO, not 'some'"),
    (("--buffer-size", "0"), "at least 1"),
    (("--verilator-opt", "4"), "0-3"),
    (("--top", "my-top"), "try --top my_top"),
])
def test_a_bad_option_value_is_a_usage_error_listing_the_valid_ones(capsys, args, valid) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(list(args))
    stderr = capsys.readouterr().err
    assert exited.value.code == cli.EXIT_USER and valid in stderr and "internal error" not in stderr


def test_emit_hw_writes_the_hw_ir_and_says_where(capsys, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, stderr = main_in_process(capsys, str(write_model(tmp_path, "relu", RELU)), "--emit", "hw", "-o", str(out))
    assert code == cli.EXIT_MATCHED, stderr
    assert "hw.module" in (out / "relu.hw.mlir").read_text() and f"wrote {out / 'relu.hw.mlir'}" in stderr
    assert "relu.hw.mlir" in json.loads((out / "report.json").read_text())["files"]
    code, _, stderr = main_in_process(capsys, str(write_model(tmp_path, "relu", RELU)), "--emit", "linalg", "-o", str(out))
    assert code == cli.EXIT_MATCHED and f"wrote {out / 'relu.linalg.mlir'}" in stderr and not (out / "relu.hw.mlir").exists()


def test_no_sim_writes_the_sv_and_builds_no_simulator(capsys, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, stderr = main_in_process(capsys, str(write_model(tmp_path, "relu", RELU)), "--no-sim", "-o", str(out))
    assert code == cli.EXIT_MATCHED, stderr
    assert (out / "relu.sv").is_file() and "not simulated" in stderr and "verilator-build" not in stderr
    assert json.loads((out / "report.json").read_text())["checks"] == {}


def test_top_names_the_top_module_and_prefixes_the_others(capsys, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, stderr = main_in_process(capsys, str(write_model(tmp_path, "relu", RELU)), "--no-sim", "--top", "relu_core",
                                      "-o", str(out))
    assert code == cli.EXIT_MATCHED, stderr
    sv = (out / "relu_core.sv").read_text()
    modules = [line.split()[1].rstrip("(") for line in sv.splitlines() if line.startswith("module ")]
    assert "relu_core" in modules and all(m.startswith("relu_core_") for m in modules if m != "relu_core")
    assert json.loads((out / "manifest.json").read_text())["top"] == "relu_core"


def test_simulation_is_announced_and_an_interrupt_keeps_the_sv(capsys, tmp_path: Path, monkeypatch) -> None:
    """The estimate comes before simulating (a warning over the threshold, lowered here to 1 cycle); an
    interrupt then exits 130 with the compile's files written whole and says so."""
    from torch_circt.design import Design

    def interrupted(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(Design, "check", interrupted)
    monkeypatch.setattr(cli, "LONG_SIMULATION_CYCLES", 1)
    out = tmp_path / "out"
    code, _, stderr = main_in_process(capsys, str(write_model(tmp_path, "relu", RELU)), "-o", str(out), "--quiet")
    assert code == cli.EXIT_INTERRUPTED, stderr
    assert "simulating: an estimated" not in stderr  # --quiet: only the warning
    assert "--no-sim writes the SystemVerilog without simulating" in stderr
    assert f"interrupted; wrote {out} (the .sv" in stderr
    assert {"relu.sv", "manifest.json", "relu.linalg.mlir", "report.json"} <= {p.name for p in out.iterdir()}
    code, _, stderr = main_in_process(capsys, str(write_model(tmp_path, "relu", RELU)), "-o", str(out))
    loop_bound = json.loads((out / "manifest.json").read_text())["loop_bound"]
    assert f"simulating: an estimated {loop_bound:,}-{2 * loop_bound:,} cycles" in stderr and "an estimate" in stderr


def test_interrupt_during_the_simulator_build_keeps_the_compiled_files(tmp_path: Path) -> None:
    out = tmp_path / "int_mlp"
    process = subprocess.Popen([sys.executable, "-m", "tools.compile", "-o", str(out)], cwd=ROOT,
                               env={**os.environ, "PYTHONPATH": _pythonpath()}, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    assert process.stderr is not None
    for line in process.stderr:  # wait until the job is building the simulator
        if "simulating: an estimated" in line:
            break
    time.sleep(1.0)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does: the whole foreground group
    _, rest = process.communicate(timeout=120)
    assert process.returncode == cli.EXIT_INTERRUPTED, rest
    assert f"interrupted; wrote {out} (the .sv" in rest and "Traceback" not in rest
    assert (out / "int_mlp.sv").is_file() and json.loads((out / "report.json").read_text())["checks"] == {}
    assert leftovers(tmp_path) == []


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
