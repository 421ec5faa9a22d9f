"""A fuzz program: straight-line PyTorch code over named values, and the model file it renders to.

The program is data (nodes of Python expressions), so the shrinker can edit it and
the renderer can write it out as a ready-to-run model file whose line numbers name
each op. Eager evaluation guards what eager PyTorch itself cannot survive: an
integer division by zero raises, and INT_MIN / -1 kills the process (SIGFPE).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace

import torch

CLASS_NAME = "FuzzProgram"
_FORWARD_INDENT = " " * 8


@dataclass(frozen=True, eq=False)
class Leaf:
    """An input of `forward` (`x0`) or a constant buffer of the module (`self.c0`), with its values."""

    name: str
    value: torch.Tensor

    def literal(self) -> str:
        return f"torch.tensor({self.value.tolist()!r}, dtype={self.value.dtype})"


@dataclass(frozen=True)
class Node:
    """`name = expr.format(*operands)`; `op` names the PyTorch op in reports; `divisor` is the
    index of an operand that divides."""

    name: str
    op: str
    expr: str
    operands: tuple[str, ...]
    divisor: int | None = None

    @property
    def code(self) -> str:
        return f"{self.name} = {self.expr.format(*self.operands)}"


@dataclass(frozen=True, eq=False)
class Program:
    inputs: tuple[Leaf, ...]
    constants: tuple[Leaf, ...]
    nodes: tuple[Node, ...]
    outputs: tuple[str, ...]
    label: str

    def node(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)

    def with_outputs(self, outputs: Iterable[str]) -> Program:
        """The same program returning `outputs`, without the nodes, constants and inputs they do not need."""
        outputs = tuple(outputs)
        needed = set(outputs)
        for node in reversed(self.nodes):
            if node.name in needed:
                needed.update(node.operands)
        nodes = tuple(n for n in self.nodes if n.name in needed)
        constants = tuple(c for c in self.constants if f"self.{c.name}" in needed)
        inputs = tuple(leaf for leaf in self.inputs if leaf.name in needed)
        return dataclasses.replace(self, inputs=inputs, nodes=nodes, outputs=outputs, constants=constants)

    def probed(self) -> Program:
        """Every node's value as a result, in program order: how attribution sees intermediate values."""
        return dataclasses.replace(self, outputs=tuple(n.name for n in self.nodes))

    def bypassed(self, name: str, replacement: str) -> Program:
        """`name`'s uses read `replacement` instead; `name` and what only it needed are dropped."""
        nodes = tuple(
            dataclasses.replace(n, operands=tuple(replacement if o == name else o for o in n.operands))
            for n in self.nodes if n.name != name
        )
        outputs = tuple(dict.fromkeys(replacement if o == name else o for o in self.outputs))
        return dataclasses.replace(self, nodes=nodes).with_outputs(outputs)


def union(programs: Iterable[Program], label: str) -> Program:
    """Independent programs side by side in one module (prefixes keep names apart): one circuit, one build."""
    inputs, constants, nodes, outputs = [], [], [], []
    for index, program in enumerate(programs):
        prefix = f"p{index}_"
        rename = {leaf.name: prefix + leaf.name for leaf in program.inputs}
        rename.update({f"self.{c.name}": f"self.{prefix}{c.name}" for c in program.constants})
        rename.update({n.name: prefix + n.name for n in program.nodes})
        inputs += [Leaf(rename[leaf.name], leaf.value) for leaf in program.inputs]
        constants += [Leaf(prefix + c.name, c.value) for c in program.constants]
        nodes += [dataclasses.replace(n, name=rename[n.name], operands=tuple(rename[o] for o in n.operands))
                  for n in program.nodes]
        outputs += [rename[o] for o in program.outputs]
    return Program(tuple(inputs), tuple(constants), tuple(nodes), tuple(outputs), label)


def evaluate(program: Program) -> dict[str, torch.Tensor] | None:
    """Every value of the program under eager PyTorch, or None where eager PyTorch would fail."""
    values: dict[str, object] = {leaf.name: leaf.value.clone() for leaf in program.inputs}
    values["self"] = SimpleNamespace(**{c.name: c.value.clone() for c in program.constants})
    for node in program.nodes:
        value = evaluate_node(node, values)
        if value is None:
            return None
        values[node.name] = value
    return {k: v for k, v in values.items() if isinstance(v, torch.Tensor)}


def evaluate_node(node: Node, values: Mapping[str, object]) -> torch.Tensor | None:
    """The node's value, or None if eager PyTorch raises on it or would crash."""
    operands = [_lookup(values, o) for o in node.operands]
    if node.divisor is not None and not _safe_division(operands, node.divisor):
        return None
    try:
        value = eval(node.expr.format(*(f"_{i}" for i in range(len(operands)))),  # noqa: S307 - our own nodes
                     {"torch": torch}, {f"_{i}": v for i, v in enumerate(operands)})
    except (RuntimeError, TypeError, ValueError, IndexError, ZeroDivisionError):
        return None
    return value if isinstance(value, torch.Tensor) else None


def _lookup(values: Mapping[str, object], name: str) -> object:
    if name.startswith("self."):
        return getattr(values["self"], name[len("self."):])
    return values[name]


def _safe_division(operands: list, divisor: int) -> bool:
    """No zero divisor, and no INT_MIN / -1 in the dtype the division runs in."""
    d = operands[divisor]
    if not isinstance(d, torch.Tensor):
        return d != 0
    if bool((d == 0).any()):
        return False
    dividend = operands[1 - divisor] if divisor in (0, 1) and len(operands) > 1 else None
    if not isinstance(dividend, torch.Tensor) or dividend.dtype == torch.bool:
        return True
    dtype = torch.result_type(dividend, d)
    if dtype.is_floating_point or dtype == torch.uint8:
        return True
    low = torch.iinfo(dtype).min
    try:
        return not bool(((dividend.to(dtype) == low) & (d.to(dtype) == -1)).any())
    except RuntimeError:  # shapes that do not broadcast: eager raises before dividing
        return True


def render(program: Program, notes: Sequence[str] = ()) -> tuple[str, dict[str, int]]:
    """The model file's text (`notes` go in its docstring), and the line of each node in it."""
    lines = [
        f'"""{program.label}: a program of torch-circt\'s fuzzer (tools/fuzz.py).',
        "",
        *notes,
        *([""] if notes else []),
        "    ./bazelw run //:compile -- <this file> --backend both",
        '"""',
        "",
        "import torch",
        "",
        "",
        f"class {CLASS_NAME}(torch.nn.Module):",
    ]
    if program.constants:
        lines += ["    def __init__(self):", "        super().__init__()"]
        lines += [f'        self.register_buffer("{c.name}", {c.literal()})' for c in program.constants]
        lines.append("")
    arguments = ", ".join(["self", *(leaf.name for leaf in program.inputs)])
    lines.append(f"    def forward({arguments}):")
    where = {}
    for node in program.nodes:
        where[node.name] = len(lines) + 1
        lines.append(_FORWARD_INDENT + node.code)
    lines.append(_FORWARD_INDENT + f"return {', '.join(program.outputs)}{',' if len(program.outputs) == 1 else ''}")
    lines += ["", "", "def model():"]
    lines.append(f"    return {CLASS_NAME}(), (")
    lines += [f"        {leaf.literal()}," for leaf in program.inputs]
    lines += ["    )", ""]
    return "\n".join(lines), where
