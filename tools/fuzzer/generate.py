"""Random, valid, integer PyTorch programs with static shapes, reproducible from (seed, index).

Each op is proposed at random and kept only if eager PyTorch runs it on the
program's own inputs (promotion, broadcasting and shape rules are PyTorch's, not a
copy of them here) and its result stays small. Inputs mix ordinary values with
each dtype's edges (min, max, 0, +-1), where wrap-around, sign and rounding bugs live.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import torch

from tools.fuzzer.program import Leaf, Node, Program, evaluate_node

DTYPES = (torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8)
FAMILIES = ("arith", "bitwise", "div", "shift", "compare", "unary", "cast", "reduce", "linalg", "shape")


@dataclass(frozen=True)
class GeneratorOptions:
    """`max_nodes` ops at most per program; `families` the op families drawn from; `max_numel` bounds
    every value (small circuits build fast); `edge_rate` the share of input elements at a dtype's edges."""

    max_nodes: int = 6
    families: tuple[str, ...] = FAMILIES
    max_numel: int = 48
    edge_rate: float = 0.3

    def __post_init__(self) -> None:
        unknown = set(self.families) - set(FAMILIES)
        if unknown or not self.families:
            raise ValueError(f"op families must be among {', '.join(FAMILIES)}; unknown: {', '.join(sorted(unknown))}")
        if self.max_nodes < 1:
            raise ValueError("max_nodes must be at least 1")


def generate(seed: int, index: int, options: GeneratorOptions | None = None) -> Program:
    """Program `index` of the campaign `seed`: the same pair gives the same program on every machine."""
    options = options or GeneratorOptions()
    rng = random.Random(f"torch-circt-fuzz:{seed}:{index}")
    builder = _Builder(rng, options)
    target = rng.randint(1, options.max_nodes)
    for _ in range(target * 12):
        if len(builder.nodes) >= target:
            break
        builder.try_op(rng.choice(options.families))
    if not builder.nodes:  # every proposal failed: the always-valid identity-like op keeps the program non-empty
        first = builder.inputs[0].name
        builder.accept("torch.add", "{0} + 0", (first,))
    return Program(tuple(builder.inputs), tuple(builder.constants), tuple(builder.nodes), builder.outputs(),
                   f"fuzz seed {seed}, program {index}")


class _Builder:
    def __init__(self, rng: random.Random, options: GeneratorOptions) -> None:
        self.rng = rng
        self.options = options
        self.inputs: list[Leaf] = []
        self.constants: list[Leaf] = []
        self.nodes: list[Node] = []
        self.values: dict[str, object] = {}
        self.constant_values: dict[str, torch.Tensor] = {}
        shape = tuple(rng.randint(1, 4) for _ in range(rng.randint(1, 3)))
        for index in range(rng.randint(1, 3)):
            dtype = rng.choice(DTYPES) if rng.random() < 0.85 else torch.bool
            leaf = Leaf(f"x{index}", self.tensor(self.variant(shape), dtype))
            self.inputs.append(leaf)
            self.values[leaf.name] = leaf.value

    # --- values -------------------------------------------------------------------------
    def variant(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """The shape, or one that broadcasts against it."""
        roll = self.rng.random()
        if roll < 0.6 or not shape:
            return shape
        if roll < 0.8:
            return shape[1:]
        return tuple(1 if self.rng.random() < 0.5 else d for d in shape)

    def tensor(self, shape: tuple[int, ...], dtype: torch.dtype, small: bool = False) -> torch.Tensor:
        numel = 1
        for d in shape:
            numel *= d
        if dtype == torch.bool:
            return torch.tensor([self.rng.random() < 0.5 for _ in range(numel)]).reshape(shape)
        info = torch.iinfo(dtype)
        edges = (info.min, info.max, 0, 1, info.max - 1, *((-1, info.min + 1) if info.min < 0 else ()))
        low, high = (max(info.min, -8), min(info.max, 8)) if small else self._range(info)
        values = [self.rng.choice(edges) if not small and self.rng.random() < self.options.edge_rate
                  else self.rng.randint(low, high) for _ in range(numel)]
        return torch.tensor(values, dtype=dtype).reshape(shape)

    def _range(self, info: torch.iinfo) -> tuple[int, int]:
        if self.rng.random() < 0.7:
            return max(info.min, -100), min(info.max, 100)
        return info.min, info.max

    def constant(self, shape: tuple[int, ...], dtype: torch.dtype) -> str:
        leaf = Leaf(f"c{len(self.constants)}", self.tensor(shape, dtype, small=True))
        self.constants.append(leaf)
        self.constant_values[leaf.name] = leaf.value
        return f"self.{leaf.name}"

    def pick(self, want: Callable[[torch.Tensor], bool] = lambda t: True) -> str | None:
        """A value, recent ones first: chains grow deep, and inputs still get reused."""
        names = [n for n, v in self.values.items() if isinstance(v, torch.Tensor) and want(v)]
        if not names:
            return None
        if self.rng.random() < 0.6 and self.nodes:
            recent = [n for n in names if n.startswith("v")][-3:]
            if recent:
                return self.rng.choice(recent)
        return self.rng.choice(names)

    def scalar(self, nonzero: bool = False) -> int:
        value = self.rng.choice((2, 3, 5, 7, -3, -5, 1, 100, 127, -128, 255))
        return value if not nonzero or value not in (0, -1) else 3

    # --- ops ----------------------------------------------------------------------------
    def accept(self, op: str, expr: str, operands: tuple[str | None, ...], divisor: int | None = None,
               constant: str | None = None) -> bool:
        if None in operands:
            return False
        node = Node(f"v{len(self.nodes)}", op, expr, operands, divisor)
        scope = dict(self.values)
        scope["self"] = SimpleNamespace(**self.constant_values)
        value = evaluate_node(node, scope)
        if value is None or not 0 < value.numel() <= self.options.max_numel or value.dim() > 4 \
                or value.dtype.is_floating_point or value.dtype.is_complex:
            if constant is not None:  # the weight made for this op goes with it
                self.constants.pop()
                del self.constant_values[constant[len("self."):]]
            return False
        self.nodes.append(node)
        self.values[node.name] = value
        return True

    def try_op(self, family: str) -> bool:
        return getattr(self, f"_{family}")()

    def _binary(self, ops: dict[str, str]) -> bool:
        op = self.rng.choice(list(ops))
        a = self.pick(lambda t: t.dtype != torch.bool) or self.pick()
        if self.rng.random() < 0.3:
            return self.accept(op, ops[op].format("{0}", self.scalar()), (a,))
        b = self.pick()
        return self.accept(op, ops[op], (a, b))

    def _arith(self) -> bool:
        return self._binary({"+": "{0} + {1}", "-": "{0} - {1}", "*": "{0} * {1}"})

    def _bitwise(self) -> bool:
        if self.rng.random() < 0.25:
            return self.accept("~", "~{0}", (self.pick(),))
        return self._binary({"&": "{0} & {1}", "|": "{0} | {1}", "^": "{0} ^ {1}"})

    def _div(self) -> bool:
        forms = {"torch.div(rounding_mode='floor')": "torch.div({0}, {1}, rounding_mode='floor')",
                 "torch.div(rounding_mode='trunc')": "torch.div({0}, {1}, rounding_mode='trunc')",
                 "torch.remainder": "torch.remainder({0}, {1})", "torch.fmod": "torch.fmod({0}, {1})",
                 "//": "{0} // {1}", "%": "{0} % {1}"}
        op = self.rng.choice(list(forms))
        a = self.pick(lambda t: t.dtype != torch.bool)
        if self.rng.random() < 0.3:
            return self.accept(op, forms[op].format("{0}", self.scalar(nonzero=True)), (a,))
        b = self.pick(lambda t: t.dtype != torch.bool and bool((t != 0).all()))
        return b is not None and self.accept(op, forms[op], (a, b), divisor=1)

    def _shift(self) -> bool:
        op = self.rng.choice(("torch.bitwise_left_shift", "torch.bitwise_right_shift"))
        a = self.pick(lambda t: t.dtype != torch.bool)
        if self.rng.random() < 0.3:
            sign = "<<" if op.endswith("left_shift") else ">>"
            return self.accept(sign, f"{{0}} {sign} {self.rng.randint(0, 9)}", (a,))
        b = self.pick(lambda t: t.dtype != torch.bool)
        return self.accept(op, op + "({0}, {1})", (a, b))

    def _compare(self) -> bool:
        roll = self.rng.random()
        if roll < 0.4:
            sign = self.rng.choice(("<", "<=", ">", ">=", "==", "!="))
            if self.rng.random() < 0.3:
                return self.accept(sign, f"{{0}} {sign} {self.scalar()}", (self.pick(),))
            return self.accept(sign, f"{{0}} {sign} {{1}}", (self.pick(), self.pick()))
        if roll < 0.8:
            condition = self.pick(lambda t: t.dtype == torch.bool)
            if condition is None:
                return self.accept(">", "{0} > 0", (self.pick(),))
            if self.rng.random() < 0.3:
                return self.accept("torch.where", f"torch.where({{0}}, {{1}}, {self.scalar()})",
                                   (condition, self.pick()))
            return self.accept("torch.where", "torch.where({0}, {1}, {2})", (condition, self.pick(), self.pick()))
        op = self.rng.choice(("torch.logical_and", "torch.logical_or", "torch.logical_xor"))
        if self.rng.random() < 0.3:
            return self.accept("torch.logical_not", "torch.logical_not({0})", (self.pick(),))
        return self.accept(op, op + "({0}, {1})", (self.pick(), self.pick()))

    def _unary(self) -> bool:
        roll = self.rng.random()
        a = self.pick(lambda t: t.dtype != torch.bool)
        if roll < 0.2:
            return self.accept("neg", "-{0}", (a,))
        if roll < 0.4:
            return self.accept("torch.abs", "torch.abs({0})", (a,))
        if roll < 0.6:
            low = self.rng.randint(-50, 10)
            return self.accept("torch.clamp", f"torch.clamp({{0}}, min={low}, max={low + self.rng.randint(0, 60)})", (a,))
        if roll < 0.7:
            return self.accept("torch.sign", "torch.sign({0})", (a,))
        op = self.rng.choice(("torch.maximum", "torch.minimum"))
        return self.accept(op, op + "({0}, {1})", (a, self.pick(lambda t: t.dtype != torch.bool)))

    def _cast(self) -> bool:
        dtype = self.rng.choice((*DTYPES, torch.bool))
        return self.accept(".to", f"{{0}}.to({dtype})", (self.pick(),))

    def _reduce(self) -> bool:
        a = self.pick(lambda t: t.dim() > 0)
        if a is None:
            return False
        rank = self.values[a].dim()
        dim, keep = self.rng.randrange(rank), self.rng.random() < 0.3
        forms = {"sum": f"{{0}}.sum(dim={dim}, keepdim={keep})", "sum(all)": "{0}.sum()",
                 "torch.amax": f"torch.amax({{0}}, dim={dim}, keepdim={keep})",
                 "torch.amin": f"torch.amin({{0}}, dim={dim})", "prod": f"{{0}}.prod(dim={dim})",
                 "torch.argmax": f"torch.argmax({{0}}, dim={dim})", "max(all)": "{0}.max()",
                 "sum(dtype)": f"{{0}}.sum(dim={dim}, dtype={self.rng.choice(DTYPES)})"}
        op = self.rng.choice(list(forms))
        return self.accept(op, forms[op], (a,))

    def _linalg(self) -> bool:
        roll = self.rng.random()
        if roll < 0.4:  # matmul of two values, or of a value and a weight
            a = self.pick(lambda t: 1 <= t.dim() <= 3 and t.dtype != torch.bool)
            value = self.values[a] if a else None
            if value is None:
                return False
            b = self.pick(lambda t: t.dim() >= 1 and t.dtype == value.dtype and t.shape[-2 if t.dim() > 1 else 0] == value.shape[-1])
            if b is None or self.rng.random() < 0.5:
                weight = self.constant((value.shape[-1], self.rng.randint(1, 4)), value.dtype)
                return self.accept("torch.matmul", "torch.matmul({0}, {1})", (a, weight), constant=weight)
            return self.accept("torch.matmul", "torch.matmul({0}, {1})", (a, b))
        if roll < 0.7:
            a = self.pick(lambda t: 1 <= t.dim() <= 3 and t.dtype != torch.bool)
            if a is None:
                return False
            value = self.values[a]
            weight = self.constant((self.rng.randint(1, 4), value.shape[-1]), value.dtype)
            return self.accept("torch.nn.functional.linear", "torch.nn.functional.linear({0}, {1})", (a, weight),
                               constant=weight)
        a = self.pick(lambda t: t.dim() == 2 and t.dtype != torch.bool and min(t.shape) >= 2)
        if a is None:
            return False
        value = self.values[a]
        k = self.rng.randint(1, min(value.shape))
        weight = self.constant((self.rng.randint(1, 2), 1, k, k), value.dtype)
        stride, padding = self.rng.randint(1, 2), self.rng.randint(0, 1)
        h, w = value.shape
        return self.accept("torch.nn.functional.conv2d",
                           f"torch.nn.functional.conv2d({{0}}.reshape(1, 1, {h}, {w}), {{1}}, stride={stride}, padding={padding})",
                           (a, weight), constant=weight)

    def _shape(self) -> bool:
        a = self.pick(lambda t: t.dim() > 0)
        if a is None:
            return False
        value = self.values[a]
        rank = value.dim()
        roll = self.rng.random()
        if roll < 0.2:
            dims = list(range(rank))
            self.rng.shuffle(dims)
            return self.accept("permute", f"{{0}}.permute({', '.join(map(str, dims))})", (a,))
        if roll < 0.35:
            return self.accept("reshape", f"{{0}}.reshape({self.rng.choice((-1, value.shape[-1]))}, -1)"
                               if value.numel() % value.shape[-1] == 0 else "{0}.reshape(-1)", (a,))
        if roll < 0.55:
            dim = self.rng.randrange(rank)
            size = value.shape[dim]
            start = self.rng.randint(0, size - 1)
            step = self.rng.choice((1, 1, 2))
            index = ", ".join([":"] * dim + [f"{start}:{self.rng.randint(start + 1, size)}:{step}"])
            return self.accept("slice", f"{{0}}[{index}]", (a,))
        if roll < 0.75:
            b = self.pick(lambda t: t.dim() == rank)
            return self.accept("torch.cat", f"torch.cat(({{0}}, {{1}}), dim={self.rng.randrange(rank)})", (a, b))
        if roll < 0.85:
            return self.accept("unsqueeze", f"{{0}}.unsqueeze({self.rng.randint(0, rank)})", (a,))
        if roll < 0.92:
            return self.accept("torch.flip", f"torch.flip({{0}}, dims=({self.rng.randrange(rank)},))", (a,))
        return self.accept("transpose", f"{{0}}.transpose(0, {rank - 1})", (a,))

    # --- results ------------------------------------------------------------------------
    def outputs(self) -> tuple[str, ...]:
        """The values nothing else reads (the last node always among them), at most three."""
        used = {o for n in self.nodes for o in n.operands}
        sinks = [n.name for n in self.nodes if n.name not in used]
        chosen = [sinks[-1], *self.rng.sample(sinks[:-1], k=min(len(sinks) - 1, self.rng.randint(0, 2)))]
        order = [n.name for n in self.nodes]
        return tuple(sorted(chosen, key=order.index))
