"""One runner for every pipeline: named stages, a callback per finished stage, clear failures.

A backend declares its stages; the flow (`torch_circt.flow`) puts them in order.
Each stage is a pure function from MLIR text to MLIR text. The runner times each
stage, hands its output to `on_stage` (progress lines, IR dumps, the design's
per-stage IR), and turns a failure into an `InternalCompilerError` that names the
stage and a saved, runnable reproducer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from common.errors import InternalCompilerError, TorchCirctError
from common.reproducers import ReproducerContext, save_reproducer


@dataclass(frozen=True)
class Stage:
    """A named step. `native` renders a command of the toolchain itself that reruns it on a file.

    A stage without `text_input` (the FX importer reads the program) cannot be
    rerun from a saved file; its failure says so instead of naming a reproducer.
    """

    name: str
    run: Callable[[str], str]
    native: Callable[[str], str] | None = None
    text_input: bool = True


@dataclass(frozen=True)
class StageResult:
    """One finished stage: where it ran in the flow, how long it took, what it produced."""

    group: str
    name: str
    index: int
    seconds: float
    text: str = field(repr=False)  # a stage's IR runs to megabytes: `design.stages` must print readably


OnStage = Callable[[StageResult], None]


def run_stages(
    stages: Sequence[Stage],
    text: str,
    *,
    group: str,
    context: ReproducerContext | None = None,
    on_stage: OnStage | None = None,
    first_index: int = 0,
) -> str:
    """Run `stages` in order on `text`, reporting each result to `on_stage`."""
    for index, stage in enumerate(stages, start=first_index):
        start = time.perf_counter()
        try:
            result = stage.run(text)
        except TorchCirctError as error:
            if error.model is None and context is not None:
                error.model = context.model
            raise
        except Exception as error:  # a toolchain diagnostic: make it actionable
            raise stage_failure(stage, index, text, str(error), context) from error
        if on_stage is not None:
            on_stage(StageResult(group, stage.name, index, time.perf_counter() - start, result))
        text = result
    return text


def stage_failure(
    stage: Stage, index: int, text: str, diagnostics: str, context: ReproducerContext | None
) -> InternalCompilerError:
    """An internal error for `stage`, with its input saved and the commands that rerun it."""
    model = context.model if context else None
    details = [f"diagnostics: {line}" for line in diagnostics.strip().splitlines()[:20]]
    if not stage.text_input:
        details.append("its input is the exported program, not text: rerun torch_circt.compile on the model to reproduce")
    elif context is not None:
        saved = save_reproducer(context, stage.name, index, text)
        details.append(f"stage input saved to: {saved.input}")
        details.append(f"reproduce with: {saved.command}")
        if stage.native is not None:
            details.append(f"or with the toolchain's own tool: {stage.native(str(saved.input))}")
    return InternalCompilerError(
        message=f"stage '{stage.name}' failed on input it should accept",
        stage=stage.name,
        model=model,
        details=details,
        hint="please file an issue with the saved reproducer folder and the command above",
    )
