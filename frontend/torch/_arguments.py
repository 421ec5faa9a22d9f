"""Non-tensor arguments and results: what torch.export specialises, made explicit.

A forward may take Python scalars (`forward(self, x, scale: int, bias: float)`)
and return them (`x.shape[0]`, `t.item()`, a `bool`). torch.export specialises
scalar arguments to their example values anyway; here they are bound explicitly
and named in the metadata and the report, so nobody is surprised that the
circuit has `scale` wired in. Scalar results become 0-d tensors at Python's own
precision (int -> int64, float -> float64, bool -> bool), so every backend
returns and checks them like any other result.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch.utils._pytree import TreeSpec, tree_flatten, tree_flatten_with_path, tree_map, tree_unflatten

from common.errors import ModelError
from common.records import BakedArgument
from frontend.torch._sources import STAGE

_BAKEABLE = (bool, int, float, str, type(None))
# bool before int: bool is an int subclass.
_RESULT_DTYPES: tuple[tuple[type, torch.dtype], ...] = (
    (bool, torch.bool), (torch.SymBool, torch.bool), (int, torch.int64), (torch.SymInt, torch.int64),
    (float, torch.float64), (torch.SymFloat, torch.float64),
)


@dataclass(frozen=True)
class Arguments:
    """The example inputs split into the tensors a backend takes and the scalars baked in.

    Lists, tuples and dicts of tensors are flattened: each tensor is its own port,
    named after its parameter and position (`xs_0`, `pair_1`, `inputs_weight`).
    """

    baked: tuple[BakedArgument, ...]
    leaves: tuple[object, ...]  # every flattened leaf of the example inputs
    spec: TreeSpec  # how they nest
    tensor_slots: tuple[int, ...]  # which leaves are the tensors
    tensor_names: tuple[str, ...]  # forward's names for them (a bound module's export would say tensors_0, ...)

    def fill(self, tensors: Sequence[torch.Tensor]) -> tuple[object, ...]:
        """forward's full argument list: `tensors` in the tensor slots, the baked values elsewhere."""
        leaves = list(self.leaves)
        for slot, tensor in zip(self.tensor_slots, tensors, strict=True):
            leaves[slot] = tensor
        return tree_unflatten(leaves, self.spec)

    @property
    def tensors(self) -> tuple[torch.Tensor, ...]:
        return tuple(self.leaves[slot] for slot in self.tensor_slots)

    @property
    def needs_binding(self) -> bool:
        """Anything but plain tensor arguments: the exported module must be the bound one."""
        return bool(self.baked) or len(self.leaves) != self.spec.num_children


def split_arguments(module: torch.nn.Module, example_inputs, *, model: str) -> Arguments:
    """Tensors (also inside lists, tuples, dicts) stay arguments; Python scalars are baked in; else refused."""
    inputs = tuple(example_inputs) if isinstance(example_inputs, (tuple, list)) else (example_inputs,)
    names = _parameter_names(module, len(inputs))
    paths, spec = tree_flatten_with_path(inputs)
    baked, slots, tensor_names, leaves = [], [], [], []
    for index, (path, value) in enumerate(paths):
        name = "_".join([names[path[0].idx], *(_key_name(key) for key in path[1:])])
        leaves.append(value)
        if isinstance(value, torch.Tensor):
            slots.append(index)
            tensor_names.append(name)
        elif isinstance(value, _BAKEABLE):
            baked.append(BakedArgument(name, type(value).__name__, repr(value)))
        else:
            raise ModelError(
                message=f"example input '{name}' is a {type(value).__name__}; arguments must be tensors, Python "
                "scalars (int, float, bool, str, None), or lists, tuples and dicts of them",
                stage=STAGE, model=model,
                hint="pass the tensors the object holds as arguments, and build the object inside forward",
            )
    return Arguments(tuple(baked), tuple(leaves), spec, tuple(slots), tuple(tensor_names))


def _key_name(key) -> str:
    """A pytree key as a port-name part: a list index or a dict key."""
    return str(getattr(key, "idx", getattr(key, "key", key)))


def _parameter_names(module: torch.nn.Module, count: int) -> list[str]:
    """forward's parameter names for the first `count` positions (`arg<i>` past a *args)."""
    try:
        parameters = list(inspect.signature(module.forward).parameters.values())
    except (TypeError, ValueError):
        parameters = []
    names: list[str] = []
    for parameter in parameters:
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            names.append(parameter.name)
    return [names[i] if i < len(names) else f"arg{i}" for i in range(count)]


def scalars_as_tensors(outputs):
    """`outputs` with every Python (or traced symbolic) scalar leaf turned into a 0-d tensor."""
    def convert(leaf):
        for kind, dtype in _RESULT_DTYPES:
            if isinstance(leaf, kind):
                return torch.scalar_tensor(leaf, dtype=dtype)
        return leaf

    return tree_map(convert, outputs)


def python_result_kinds(outputs) -> tuple[str | None, ...]:
    """Per flattened leaf of forward's outputs: the Python scalar type's name, or None for a tensor."""
    leaves, _ = tree_flatten(outputs)
    return tuple(None if isinstance(leaf, torch.Tensor) else type(leaf).__name__ for leaf in leaves)


class BoundModule(torch.nn.Module):
    """`module` with its scalar arguments bound and its scalar results as 0-d tensors: what is exported.

    A forward that returns None exports as one returning nothing: its in-place updates are its results.
    """

    def __init__(self, module: torch.nn.Module, arguments: Arguments) -> None:
        super().__init__()
        self.module = module
        self._arguments = arguments

    def forward(self, *tensors: torch.Tensor):
        outputs = self.module(*self._arguments.fill(tensors))
        return () if outputs is None else scalars_as_tensors(outputs)  # None: only its in-place updates count
