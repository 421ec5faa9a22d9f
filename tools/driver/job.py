"""The main job: load a model, import it, run the chosen backends, check against PyTorch.

Everything is written into a staging directory that `outdir.staged_dir` moves
into place only when the job finishes (matched or mismatched); any exception
leaves no output directory. Reproducers that a failing stage saved are moved
out of the staging directory first, so the error message still points at them.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from common.errors import TorchCirctError
from common.records import Golden, ModelMetadata
from tools.driver import ir_files
from tools.driver.model_file import LoadedModel, load_model, resolve, user_dir
from tools.driver.outdir import staged_dir
from tools.driver.progress import Progress
from tools.driver.report import write_reports
from tools.driver.rtl_run import RtlOutcome, run_rtl


@dataclass(frozen=True)
class Options:
    model: str | None = None
    output_dir: str | None = None
    backend: str = "rtl"  # "rtl", "cpu" or "both"
    dump_ir: bool = False
    cycle_limit: int = 1_000_000
    waveform: bool = False
    seed: int | None = None

    @property
    def backends(self) -> tuple[str, ...]:
        return ("rtl", "cpu") if self.backend == "both" else (self.backend,)


@dataclass
class Verdict:
    """One backend's check: per result, matched or the problem, as `common.compare.compare` says."""

    backend: str
    results: list[dict] = field(default_factory=list)

    @property
    def matched(self) -> bool:
        return all(r["matched"] for r in self.results)


@dataclass
class JobResult:
    model: LoadedModel
    metadata: ModelMetadata
    output_dir: Path
    verdicts: list[Verdict]
    rtl: RtlOutcome | None
    ir_files: list[str]
    wall_seconds: float

    @property
    def matched(self) -> bool:
        return all(v.matched for v in self.verdicts)


def default_output_dir(name: str) -> Path:
    return user_dir() / "torch-circt-out" / name


def warm_imports() -> None:
    """Import the toolchains up front: torch.export's first call otherwise spends ~2 s importing
    torch._dynamo and aot_autograd, which would be charged to the frontend's compile time."""
    import torch._dynamo  # noqa: F401
    import torch.export._trace  # noqa: F401
    import torch_mlir.extras.fx_importer  # noqa: F401

    import backend.rtl  # noqa: F401
    import backend.sim  # noqa: F401
    import frontend.torch  # noqa: F401
    from tools.driver import loops  # noqa: F401


def run_job(options: Options, progress: Progress) -> JobResult:
    """Run everything; write the output directory whole; return what the report needs."""
    start = time.perf_counter()
    with progress.timed("startup", "python-imports"):
        warm_imports()
    with progress.timed("model", "load"):
        loaded = load_model(options.model, seed=options.seed, warn=progress.say)
    target = resolve(options.output_dir) if options.output_dir else default_output_dir(loaded.name)
    progress.say(f"  compiling '{loaded.name}' ({loaded.source}) -> {target}")
    with staged_dir(target) as out:
        scratch = out / ".scratch"
        folders = {g: scratch / g for g in ("frontend", "rtl", "cpu")}
        try:
            result = _compile(options, loaded, out, folders, progress)
        except TorchCirctError as error:
            prefix = f"torch-circt-repro-{loaded.name}-"
            error.details = ir_files.save_reproducers(list(folders.values()), prefix, error.details)
            raise
        metadata, verdicts, rtl = result
        groups = [("", folders["frontend"]), ("", folders["rtl"]), ("cpu-", folders["cpu"])]
        written = ir_files.publish_ir(groups, out, everything=options.dump_ir)
        job = JobResult(loaded, metadata, target, verdicts, rtl, written, time.perf_counter() - start)
        write_reports(job, options, progress, out)
        shutil.rmtree(scratch)
    job.wall_seconds = time.perf_counter() - start
    return job


def _compile(options: Options, loaded: LoadedModel, out: Path, folders: dict[str, Path], progress: Progress):
    from frontend.torch import import_module, make_golden

    with progress.timed("golden", "eager-pytorch"):
        golden = make_golden(loaded.module, loaded.inputs, name=loaded.name)
    begin = time.perf_counter()
    imported = import_module(loaded.module, loaded.inputs, name=loaded.name, dump_dir=folders["frontend"])
    elapsed = time.perf_counter() - begin
    progress.record("frontend", "torch.export", elapsed - sum(imported.log.seconds.values()))
    progress.replay("frontend", imported.log)
    imported.metadata.save(out / "metadata.json")
    golden.save(out / "golden.npz")
    verdicts: list[Verdict] = []
    rtl: RtlOutcome | None = None
    for backend in options.backends:
        if backend == "rtl":
            rtl = run_rtl(imported, golden, options, folders["rtl"], out, progress)
            outputs = rtl.outputs
        else:
            outputs = _run_cpu(imported, golden, folders["cpu"], progress)
        verdicts.append(_verdict(backend, imported.metadata, golden, outputs))
    return imported.metadata, verdicts, rtl


def _run_cpu(imported, golden: Golden, folder: Path, progress: Progress) -> tuple:
    from backend.cpu import compile_mlir

    program = compile_mlir(imported.mlir, imported.metadata, dump_dir=folder)
    progress.replay("cpu", program.log)  # compile_mlir makes its own log
    with progress.timed("cpu", "jit-run"):
        return program(*golden.inputs)


def _verdict(backend: str, metadata: ModelMetadata, golden: Golden, outputs) -> Verdict:
    from common.compare import Tolerance, compare

    verdict = Verdict(backend)
    for index, spec in enumerate(metadata.results):
        if index >= len(outputs):
            verdict.results.append({"name": spec.name, "matched": False, "problem": "missing"})
            continue
        problems = compare(
            ModelMetadata(metadata.name, metadata.args, (spec,)),
            Golden(golden.inputs, (golden.outputs[index],)),
            [outputs[index]],
            Tolerance(),  # integers always bit for bit; floats (cpu only) within rtol=1e-5, atol=1e-6
        )
        verdict.results.append({"name": spec.name, "matched": not problems, "problem": "; ".join(problems) or None})
    return verdict
