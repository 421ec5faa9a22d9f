"""Shrink a failing program to a small one that still fails the same way (greedy delta debugging).

Three moves, each kept only if eager PyTorch still runs the result and the backend
still fails as before: drop inputs nothing reads; keep a single output; bypass a node (its uses read one of
its operands, or an input, of the same shape and dtype). Every try compiles and
runs the candidate, so the number of tries is bounded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from tools.fuzzer.program import Program, evaluate


def shrink(program: Program, still_fails: Callable[[Program], bool], budget: int) -> tuple[Program, int]:
    """The smallest program found within `budget` tries, and the tries spent."""
    tries = 0
    improved = True
    while improved and tries < budget:
        improved = False
        for candidate in _candidates(program):
            if tries >= budget:
                break
            if evaluate(candidate) is None:
                continue
            tries += 1
            if still_fails(candidate):
                program, improved = candidate, True
                break
    return program, tries


def _candidates(program: Program) -> Iterator[Program]:
    """Smaller programs, the biggest cuts first."""
    trimmed = program.with_outputs(program.outputs)
    if len(trimmed.inputs) < len(program.inputs):  # inputs nothing reads
        yield trimmed
    if len(program.outputs) > 1:
        for output in program.outputs:
            yield program.with_outputs((output,))
    values = evaluate(program) or {}
    for node in reversed(program.nodes):
        value = values.get(node.name)
        if value is None:
            continue
        replacements = [*dict.fromkeys(node.operands), *(leaf.name for leaf in program.inputs)]
        for name in dict.fromkeys(replacements):
            other = values.get(name) if not name.startswith("self.") else None
            if other is not None and other.shape == value.shape and other.dtype == value.dtype:
                yield program.bypassed(node.name, name)
