"""Numeric constants and accuracy: every float math op the CPU path supports, on dense inputs with special values.

A wrong constant inside a lowering (torch-mlir's tanh gelu used 22/7 for pi: 5e-5
relative) passes a tolerance of 1e-5 on a few random inputs. These cases hold each
op to a few float32 ulps (rtol 1e-6 is 8.4 ulps) over [-10, 10] in steps of 0.1
plus zeros of both signs, tiny, large and infinite values, so NaN must also meet
NaN where eager PyTorch gives one. Each case returns one result per op, in the
order its table lists them.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F

from e2e.models._inputs import Lambda
from e2e.suite import Tolerance, case

# A few float32 ulps on every value, however small (atol only absorbs a denormal's last bits).
TIGHT = Tolerance(rtol=1e-6, atol=1e-37)
# Formulas that cancel in eager PyTorch too (1 + erf(x), 1 + tanh(x), x - tanh(x)): an ulp of difference in the
# inner function (libm's against PyTorch's own) is up to |x| * 2**-24 absolute in the result, so 1e-6 over [-10, 10].
CANCELLING = Tolerance(rtol=1e-6, atol=1e-6)
SPECIAL = (0.0, -0.0, 1e-30, -1e-30, 1e-7, -1e-7, 1e-3, -1e-3, 0.5, -0.5, 20.0, -20.0, 50.0, -50.0, 88.0, -88.0,
           100.0, -100.0, 1e4, -1e4, 1e30, -1e30, 3e38, -3e38, math.inf, -math.inf)
Op = Callable[[torch.Tensor], torch.Tensor]


# Eager PyTorch's own gelu differs by host CPU at float32's edge: its AVX-512 kernel overflows an intermediate
# (gelu(3e38) = inf, gelu(inf) = nan) where other hosts' kernels, the formula and our CPU path give 3e38 and inf.
# There the oracle is no oracle: the gelu sweeps (the cancelling family, the bfloat16 gelu) go without the
# specials beyond 1e38; the other families keep them.
HOST_DEPENDENT = (3e38, -3e38, math.inf, -math.inf)
HOST_INDEPENDENT = tuple(v for v in SPECIAL if v not in HOST_DEPENDENT)


def dense(dtype: torch.dtype = torch.float32, special: tuple[float, ...] = SPECIAL) -> torch.Tensor:
    """[-10, 10] in steps of 0.1, then the special values."""
    return torch.cat([torch.linspace(-10, 10, 201, dtype=torch.float64), torch.tensor(special, dtype=torch.float64)]).to(dtype)


def _both(binary: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> Op:
    """A binary op on the input and its reverse: every value meets another, the specials meet the dense range."""
    return lambda x: binary(x, x.flip(0))


SWEEPS: dict[str, dict[str, Op]] = {
    "cancelling": {"gelu": F.gelu, "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"), "tanhshrink": F.tanhshrink},
    "sigmoid_family": {"sigmoid": torch.sigmoid, "silu": F.silu, "logsigmoid": F.logsigmoid, "hardsigmoid": F.hardsigmoid,
                       "hardswish": F.hardswish, "mish": F.mish, "softplus": F.softplus, "tanh": torch.tanh,
                       "softsign": F.softsign},
    "elu_family": {"elu": F.elu, "selu": F.selu, "celu": lambda x: F.celu(x, alpha=0.7), "leaky_relu": F.leaky_relu,
                   "relu6": F.relu6, "hardtanh": F.hardtanh, "softshrink": F.softshrink, "hardshrink": F.hardshrink},
    "exp_log": {"exp": torch.exp, "exp2": torch.exp2, "expm1": torch.expm1, "log": torch.log, "log2": torch.log2,
                "log10": torch.log10, "log1p": torch.log1p, "logit": torch.logit, "xlogy": lambda x: torch.xlogy(x, x)},
    "roots_powers": {"sqrt": torch.sqrt, "rsqrt": torch.rsqrt, "reciprocal": torch.reciprocal, "square": torch.square,
                     "pow_2_5": lambda x: torch.pow(x, 2.5), "pow": _both(lambda x, y: torch.pow(x.abs(), y / 10))},
    "erf_trig": {"erf": torch.erf, "sin": torch.sin, "cos": torch.cos, "tan": torch.tan, "atan": torch.atan,
                 "asin": torch.asin, "acos": torch.acos, "sinh": torch.sinh, "cosh": torch.cosh, "asinh": torch.asinh,
                 "acosh": torch.acosh, "atanh": torch.atanh, "sinc": torch.sinc},
    "rounding": {"floor": torch.floor, "ceil": torch.ceil, "round": torch.round, "trunc": torch.trunc, "frac": torch.frac,
                 "sign": torch.sign, "abs": torch.abs},
    "softmax": {"softmax": lambda x: F.softmax(x, -1), "log_softmax": lambda x: F.log_softmax(x, -1)},
    "binary": {"div": _both(torch.div), "fmod": _both(torch.fmod), "remainder": _both(torch.remainder),
               "atan2": _both(torch.atan2), "logaddexp": _both(torch.logaddexp), "maximum": _both(torch.maximum)},
}


def _sweep(ops: dict[str, Op]) -> Op:
    table = tuple(ops.values())
    return lambda x: tuple(op(x) for op in table)


def _register(family: str, ops: dict[str, Op]) -> None:
    special = HOST_INDEPENDENT if family == "cancelling" else SPECIAL

    def factory():
        return Lambda(_sweep(ops)), (dense(special=special),)

    factory.__doc__ = f"Results in order: {', '.join(ops)}."
    factory.__qualname__ = f"precision_{family}_f32"
    case(name=f"precision_{family}_f32", tolerance=CANCELLING if family == "cancelling" else TIGHT)(factory)


for _family, _ops in SWEEPS.items():
    _register(_family, _ops)


@case(name="precision_gelu_bf16", tolerance=Tolerance())
def precision_gelu_bf16():
    """The tanh gelu in bfloat16 is computed in float32 and rounded once, as eager does."""
    return Lambda(lambda x: (F.gelu(x, approximate="tanh"), F.gelu(x))), (dense(torch.bfloat16, HOST_INDEPENDENT),)
