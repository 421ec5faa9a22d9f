"""Find ops by name before rewriting them (a walk must not see the IR change under it)."""

from __future__ import annotations

from torch_mlir import ir


def owner_op(owner: ir.Operation | ir.OpView) -> ir.Operation:
    """A use's owner as a generic Operation (bindings hand back OpViews for known ops)."""
    return owner.operation if hasattr(owner, "operation") else owner


def ops_named(root: ir.Module | ir.Operation, name: str) -> list[ir.Operation]:
    """Every op called `name` under `root`, in walk order."""
    found: list[ir.Operation] = []

    def visit(op: ir.Operation) -> ir.WalkResult:
        if op.name == name:
            found.append(op)
        return ir.WalkResult.ADVANCE

    (root.operation if isinstance(root, ir.Module) else root).walk(visit)
    return found


def block_ops(block) -> list:
    """The ops of a block as generic Operations, listed before any rewrite (either MLIR copy)."""
    return [op.operation for op in block.operations]


def producer_name(value) -> str:
    """The name of the op that defines `value`; "" for a block argument."""
    owner = value.owner
    return owner_op(owner).name if hasattr(owner, "operation") or hasattr(owner, "name") else ""
