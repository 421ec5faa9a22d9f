"""Which op first computes a different value than eager PyTorch.

Every node's value becomes a result of its own (the probed program), so one run
shows them all; the first node in program order whose value differs is the
culprit, since all it read was either an input or an earlier node that matched.
Exposing values can change the circuit enough to hide the bug; then each node is
compiled alone as the program's only result, in order, until one differs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tools.fuzzer.program import Node, Program
from tools.fuzzer.run import Verdict


@dataclass(frozen=True)
class Attribution:
    node: Node
    how: str  # "probed" (all values exposed at once) or "alone" (the node as the only result)


def attribute(program: Program, run: Callable[[Program], Verdict]) -> Attribution | None:
    """The first node whose value differs, or None when no single value can be shown to differ."""
    probed = program.probed()
    verdict = run(probed)
    if verdict.status == "mismatch":
        return Attribution(program.node(probed.outputs[verdict.mismatched[0]]), "probed")
    for node in program.nodes:
        if run(program.with_outputs((node.name,))).status == "mismatch":
            return Attribution(node, "alone")
    return None
