"""FX graph in, FX graph out: random ops and complex values refused, narrow integers widened exactly,
PyTorch's integer edges (shift amounts, Python ints that wrap, narrow sums) made explicit."""

from __future__ import annotations

import pytest
import torch

from common.errors import UnsupportedDtypeError, UnsupportedOpError
from frontend.torch._export import export_static
from frontend.torch._graph_rules import exact_integer_edges, refuse_unfaithful_ops, widen_narrow_integers


class Fn(torch.nn.Module):
    def __init__(self, fn) -> None:
        super().__init__()
        self.fn = fn

    def forward(self, *args):
        return self.fn(*args)


def _exported(fn, *inputs):
    """Exported and decomposed, without our rules (they run inside export_static)."""
    program = torch.export.export(Fn(fn), inputs, strict=False)
    from torch_mlir.extras.fx_decomp_util import get_decomposition_table

    return program.run_decompositions(get_decomposition_table())


def _casts(program) -> list[torch.dtype]:
    return [n.args[1] for n in program.graph.nodes if n.target == torch.ops.prims.convert_element_type.default]


U8 = torch.tensor([[0, 100, 200, 255], [7, 128, 129, 254]], dtype=torch.uint8)
I8 = torch.tensor([[-128, -1, 0, 127], [5, -77, 100, -3]], dtype=torch.int8)


@pytest.mark.parametrize("fn, x", [
    (lambda x: (x * 3, x // 7, x % 5, x.sum(0), x.abs(), x.sort(1).values), U8),
    (lambda x: (x * -5, x // 3, x % 7, x >> 1), I8),
    (lambda x: x @ x.T.contiguous(), I8),
    (lambda x: (x.max(), x.min(), x // (x.flip(1) | 1)), I8),
])
def test_widened_graph_still_computes_what_eager_computes(fn, x):
    program = _exported(fn, x)
    assert widen_narrow_integers(program, model="m") > 0
    assert torch.int32 in _casts(program)
    for got, want in zip(torch.utils._pytree.tree_leaves(program.module()(x)), torch.utils._pytree.tree_leaves(fn(x))):
        assert got.dtype == want.dtype and torch.equal(got, want)


def test_an_op_that_rejects_int32_operands_is_refused_by_name_not_with_its_own_error():
    """`_int_mm` takes only 8-bit operands: widening it cannot work (the flow decomposes it first, to a matmul)."""
    a, b = torch.ones(24, 8, dtype=torch.uint8), torch.ones(8, 8, dtype=torch.int8)
    program = _exported(torch._int_mm, a, b)
    with pytest.raises(UnsupportedOpError, match="rejects the int32 operands") as caught:
        widen_narrow_integers(program, model="m")
    assert caught.value.op == "aten._int_mm.default" and caught.value.model == "m" and "int32" in caught.value.hint


def test_layout_ops_and_same_dtype_int8_arithmetic_are_left_narrow():
    program = _exported(lambda x, y: (x.T.reshape(8) + y.T.reshape(8), torch.cat([x, y]).flip(0)), I8, I8)
    assert widen_narrow_integers(program, model="m") == 0 and _casts(program) == []


class Noisy(torch.nn.Module):
    def forward(self, x):
        return x + torch.rand_like(x)  # marker: rand


def test_random_op_is_refused_with_its_op_and_line():
    program = torch.export.export(Noisy(), (torch.ones(3),), strict=False)
    with pytest.raises(UnsupportedOpError, match="draws random numbers") as caught:
        refuse_unfaithful_ops(program, model="noisy")
    assert caught.value.op == "aten.rand_like.default"
    assert caught.value.location.endswith(f"test_graph_rules.py:{Noisy.forward.__code__.co_firstlineno + 1}")
    assert "pass them in as an input" in caught.value.hint


def test_dropout_in_train_mode_is_refused_in_eval_mode_compiles():
    dropout = torch.nn.Dropout(0.5)
    with pytest.raises(UnsupportedOpError, match="random"):
        export_static(dropout.train(), (torch.ones(4),), model="dropout")
    export_static(dropout.eval(), (torch.ones(4),), model="dropout")


def test_rrelu_is_random_only_in_training():
    """Eval-mode rrelu is leaky_relu at the mean slope (compiled); training mode draws slopes (refused)."""
    class RRelu(torch.nn.Module):
        def __init__(self, training: bool) -> None:
            super().__init__()
            self.noisy = training

        def forward(self, x):
            return torch.nn.functional.rrelu(x, 0.1, 0.3, training=self.noisy)

    with pytest.raises(UnsupportedOpError, match="draws random numbers"):
        export_static(RRelu(True), (torch.ones(4),), model="rrelu")
    program = export_static(RRelu(False), (torch.ones(4),), model="rrelu")
    targets = {str(n.target) for n in program.graph.nodes if n.op == "call_function"}
    assert targets == {"aten.leaky_relu.default"}


def test_complex_intermediate_is_refused():
    program = _exported(lambda x: torch.view_as_real(torch.view_as_complex(x) * 2), torch.ones(3, 2))
    with pytest.raises(UnsupportedDtypeError, match="complex"):
        refuse_unfaithful_ops(program, model="cplx")


I32 = torch.tensor([[-100, 100, -1, 7], [2**31 - 1, -2**31, 5, -6]], dtype=torch.int32)
AMOUNTS = torch.tensor([[31, 32, 40, -1], [33, 0, 2**31 - 1, -2**31]], dtype=torch.int32)


@pytest.mark.parametrize("fn, inputs", [
    (lambda x, s: (x << s, x >> s, torch.bitwise_left_shift(x.to(torch.int8), s), x >> 3, x << 40), (I32, AMOUNTS)),
    (lambda u, i: (u > -3, i < 300, u.clamp(min=-31, max=-7), i ^ 5, i & -4, torch.fmod(i, -128)), (U8, I8)),
    (lambda u, i: (u.sum(0, dtype=torch.uint8), i.sum(1, dtype=torch.int8)), (U8, I8)),
    (lambda u, i: (torch.where(u > 7, i[:1], i[:1]) | u.long(), u < i), (U8, I8)),
])
def test_integer_edges_keep_what_eager_computes(fn, inputs):
    program = _exported(fn, *inputs)
    exact_integer_edges(program)
    widen_narrow_integers(program, model="m")
    for got, want in zip(program.module()(*inputs), fn(*inputs)):
        assert got.dtype == want.dtype and torch.equal(got, want)


def test_integer_edges_leave_only_forms_torch_mlir_lowers():
    """No shift or bitwise op by a Python number, no out-of-range number, no narrow accumulator left."""
    program = _exported(lambda u, x: (u > -3, x >> 3, x ^ 5, u.sum(0, dtype=torch.uint8)), U8, I32)
    exact_integer_edges(program)
    targets = {n.target for n in program.graph.nodes if n.op == "call_function"}
    aten = torch.ops.aten
    assert not targets & {aten.__rshift__.Scalar, aten.bitwise_right_shift.Tensor_Scalar, aten.bitwise_xor.Scalar}
    comparison = next(n for n in program.graph.nodes if n.target == aten.gt.Scalar)
    assert comparison.args[1] == 253
    total = next(n for n in program.graph.nodes if n.target == aten.sum.dim_IntList)
    assert total.kwargs["dtype"] == torch.int32
