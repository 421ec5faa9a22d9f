"""Find ops by name before rewriting them (a walk must not see the IR change under it)."""

from __future__ import annotations

from torch_mlir import ir


def ops_named(root: ir.Module | ir.Operation, name: str) -> list[ir.Operation]:
    """Every op called `name` under `root`, in walk order (post-order: inner ops first)."""
    found: list[ir.Operation] = []

    def visit(op: ir.Operation) -> ir.WalkResult:
        if op.name == name:
            found.append(op)
        return ir.WalkResult.ADVANCE

    (root.operation if isinstance(root, ir.Module) else root).walk(visit)
    return found
