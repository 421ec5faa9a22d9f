"""One program through one backend against eager PyTorch: a match, a mismatch, a refusal or a crash.

A program runs as the model file it renders to, loaded the way `//:compile` loads a
user's file, so what the fuzzer runs and what it saves are the same thing. The
frontend runs once per program; each backend starts from its linalg
(`torch_circt.from_linalg`), where a test may plant a bug with `linalg_rewrite`.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch_circt
from common.errors import TorchCirctError, UserError
from tools.driver.model_file import load_model
from tools.fuzzer.program import Program, render
from torch_circt.design import Design

LinalgRewrite = Callable[[str], str]
# Worst first: a program's verdict over its backends is the worst of theirs.
STATUSES = ("crash", "mismatch", "refused", "match")


@dataclass(frozen=True)
class Verdict:
    """`mismatched` holds the indices of the results that differ; `reason` a refusal's kind
    (its stage and op), which the campaign counts."""

    status: str
    backend: str
    detail: str = ""
    reason: str | None = None
    mismatched: tuple[int, ...] = ()


def write_program(program: Program, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(program)[0])
    return path


def lower_to_linalg(program: Program, path: Path) -> Design | Verdict:
    """The frontend half (eager oracle, export, torch-mlir), shared by the backends; a Verdict if it stops."""
    try:
        loaded = load_model(str(write_program(program, path)), seed=None)
        return torch_circt.compile(loaded.module, loaded.inputs, options=torch_circt.Options(emit="linalg"),
                                   name=loaded.name)
    except Exception as error:  # noqa: BLE001 - every failure becomes a verdict the campaign counts
        return _failure(error, "frontend")


def check_backend(front: Design, backend: str, linalg_rewrite: LinalgRewrite | None = None) -> Verdict:
    """The backend half from the frontend's linalg, simulated on the example inputs and checked."""
    linalg = linalg_rewrite(front.linalg) if linalg_rewrite else front.linalg
    try:
        design = torch_circt.from_linalg(linalg, front.metadata, front.golden, backend)
        check = design.check()
    except Exception as error:  # noqa: BLE001
        return _failure(error, backend)
    mismatched = tuple(i for i, result in enumerate(check.results) if not result.matched)
    return Verdict("mismatch" if mismatched else "match", backend, str(check), mismatched=mismatched)


def run_program(program: Program, backend: str, path: Path, linalg_rewrite: LinalgRewrite | None = None) -> Verdict:
    front = lower_to_linalg(program, path)
    if isinstance(front, Verdict):
        return Verdict(front.status, backend, front.detail, front.reason)
    return check_backend(front, backend, linalg_rewrite)


def worst(verdicts: list[Verdict]) -> Verdict:
    return min(verdicts, key=lambda v: STATUSES.index(v.status))


def _failure(error: Exception, backend: str) -> Verdict:
    if isinstance(error, UserError):
        return Verdict("refused", backend, str(error), reason=f"{error.stage}: {error.op or type(error).__name__}")
    if isinstance(error, TorchCirctError):
        return Verdict("crash", backend, str(error), reason=f"{error.stage}: {type(error).__name__}")
    last = traceback.format_exception_only(type(error), error)[-1].strip()
    return Verdict("crash", backend, "".join(traceback.format_exception(error)), reason=f"python: {last[:120]}")
