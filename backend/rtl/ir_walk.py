"""Generic-op helpers that work on either MLIR copy: they import neither, and touch only what both bindings share."""

from __future__ import annotations

from typing import Any


def owner_op(owner: Any) -> Any:
    """A use's owner as a generic Operation (bindings hand back OpViews for known ops)."""
    return owner.operation if hasattr(owner, "operation") else owner


def block_ops(block: Any) -> list:
    """The ops of a block as generic Operations, listed before any rewrite."""
    return [op.operation for op in block.operations]


def producer_name(value: Any) -> str:
    """The name of the op that defines `value`; "" for a block argument."""
    owner = value.owner
    return owner_op(owner).name if hasattr(owner, "operation") or hasattr(owner, "name") else ""
