"""Find ops by name before rewriting them (a walk must not see the IR change under it)."""

from __future__ import annotations

from torch_mlir import ir

from backend.rtl.ir_walk import owner_op

ACCESSES = ("affine.load", "affine.store")


def ops_named(root: ir.Module | ir.Operation, name: str) -> list[ir.Operation]:
    """Every op called `name` under `root`, in walk order (post-order: inner ops first)."""
    found: list[ir.Operation] = []

    def visit(op: ir.Operation) -> ir.WalkResult:
        if op.name == name:
            found.append(op)
        return ir.WalkResult.ADVANCE

    (root.operation if isinstance(root, ir.Module) else root).walk(visit)
    return found


def nested_in(op: ir.Operation, ancestor: ir.Operation) -> bool:
    """Whether `op` is nested (at any depth) inside `ancestor`."""
    parent = op.parent
    while parent is not None:
        if owner_op(parent) == ancestor:
            return True
        parent = owner_op(parent).parent
    return False


def plain_memory(memory: ir.Value) -> bool:
    """A function argument or allocation that only affine loads and stores use (no view could alias it)."""
    return all(owner_op(use.owner).name in ACCESSES for use in memory.uses)
