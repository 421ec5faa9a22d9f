"""torch-circt: a PyTorch model to hardware that provably computes what PyTorch computes.

    import torch, torch_circt
    design = torch_circt.compile(model, (x,), target="rtl")   # or an ExportedProgram; target="cpu"
    print(design.check())             # MATCH rtl: 1/1 results bit for bit, 123 cycles
    design.simulate(x2)               # outputs + cycle count
    design.ir("handshake-buffers")    # any stage's MLIR
    design.save("out/")               # .sv, manifest.json, report.json, ...

    quantized = torch_circt.quantize(float_model, calibration_data)   # int8 integer module + error per layer
    design = torch_circt.compile(quantized, quantized.quantize_inputs(x), target="rtl")
    imported = torch_circt.from_brevitas(brevitas_model, (x,))        # a Brevitas QAT model, its integer module

Options are dataclasses with one default each (`Options`, `RtlOptions`,
`SimOptions`, `SynthOptions`, `Tolerance`); `Options(emit="handshake")` stops early;
`Options(synth=SynthOptions(family="ecp5"))` then `design.synthesize()` and
`design.check_netlist()` give FPGA area, Fmax and the netlist's own check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from common.compare import Tolerance
from common.errors import InternalCompilerError, TorchCirctError, UserError
from torch_circt.options import EMIT_LEVELS, Options, RtlOptions, SimOptions, SynthOptions

if TYPE_CHECKING:
    from frontend.quantize import BrevitasModel, QuantizedModel, QuantizeOptions, from_brevitas, quantize
    from torch_circt.compiler import compile, from_linalg
    from torch_circt.design import Check, Design, Simulation, StreamSimulation

# Loaded on first use, so a tool that needs only the options (a simulator build
# action) neither imports both MLIR copies nor depends on the compiler's code.
_LAZY = {"compile": "torch_circt.compiler", "from_linalg": "torch_circt.compiler", "Check": "torch_circt.design",
         "Design": "torch_circt.design", "Simulation": "torch_circt.design", "StreamSimulation": "torch_circt.design",
         "quantize": "frontend.quantize",
         "QuantizeOptions": "frontend.quantize", "QuantizedModel": "frontend.quantize",
         "from_brevitas": "frontend.quantize", "BrevitasModel": "frontend.quantize"}

__all__ = [
    "EMIT_LEVELS",
    "BrevitasModel",
    "Check",
    "Design",
    "InternalCompilerError",
    "Options",
    "QuantizeOptions",
    "QuantizedModel",
    "RtlOptions",
    "SimOptions",
    "Simulation",
    "StreamSimulation",
    "SynthOptions",
    "Tolerance",
    "TorchCirctError",
    "UserError",
    "compile",
    "from_brevitas",
    "from_linalg",
    "quantize",
]


def __dir__() -> list[str]:
    """The public names, lazy ones included; not the typing helpers this module imports."""
    return sorted(__all__)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'torch_circt' has no attribute '{name}'")
