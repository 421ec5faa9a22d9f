"""One runner for every pipeline: named stages, IR dumps on request, clear failures.

A backend declares its pipeline as a tuple of `Stage`s; each stage is a pure
function from MLIR text to MLIR text. The runner times each stage, dumps
`NN_<stage>.mlir` when asked (``dump_dir`` or ``$TORCH_CIRCT_DUMP_IR``; under
Bazel tests the default is ``$TEST_UNDECLARED_OUTPUTS_DIR/ir``), and turns a
failure into an `InternalCompilerError` that names the stage and the reproducer.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from common.atomic import atomic_write_text
from common.errors import InternalCompilerError, TorchCirctError

DUMP_ENV = "TORCH_CIRCT_DUMP_IR"


@dataclass(frozen=True)
class Stage:
    """A named step. `reproduce` renders a shell command that reruns it on a file."""

    name: str
    run: Callable[[str], str]
    reproduce: Callable[[Path], str] | None = None


@dataclass
class StageLog:
    """Timing of every stage that ran, in order: the report and benchmark read it."""

    seconds: dict[str, float] = field(default_factory=dict)


def default_dump_dir() -> Path | None:
    if os.environ.get(DUMP_ENV):
        return Path(os.environ[DUMP_ENV])
    return None


def run_stages(
    stages: Sequence[Stage],
    text: str,
    *,
    model: str | None = None,
    dump_dir: Path | None = None,
    log: StageLog | None = None,
    first_index: int = 0,
) -> str:
    """Run `stages` in order on `text`; dump each result if a dump directory is set."""
    dump_dir = dump_dir if dump_dir is not None else default_dump_dir()
    for index, stage in enumerate(stages, start=first_index):
        start = time.perf_counter()
        try:
            result = stage.run(text)
        except TorchCirctError as error:
            if error.model is None:
                error.model = model
            raise
        except Exception as error:  # a toolchain diagnostic: make it actionable
            raise _internal_error(stage, index, text, error, model, dump_dir) from error
        if log is not None:
            log.seconds[stage.name] = time.perf_counter() - start
        if dump_dir is not None:
            atomic_write_text(Path(dump_dir) / f"{index:02d}_{stage.name}.mlir", result)
        text = result
    return text


def _internal_error(
    stage: Stage, index: int, text: str, error: Exception, model: str | None, dump_dir: Path | None
) -> InternalCompilerError:
    import tempfile

    where = Path(dump_dir) if dump_dir is not None else Path(tempfile.mkdtemp(prefix="torch-circt-"))
    reproducer = where / f"{index:02d}_{stage.name}.input.mlir"
    atomic_write_text(reproducer, text)
    details = [f"diagnostics: {line}" for line in str(error).strip().splitlines()[:20]]
    details.append(f"stage input saved to: {reproducer}")
    if stage.reproduce is not None:
        details.append(f"reproduce with: {stage.reproduce(reproducer)}")
    return InternalCompilerError(
        message=f"stage '{stage.name}' failed on input it should accept",
        stage=stage.name,
        model=model,
        details=details,
        hint="please file an issue with the saved stage input and the command above",
    )
