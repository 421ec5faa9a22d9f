"""`--brevitas BITS`: the MLP trained with its quantization in the loop (Brevitas), imported, compiled, simulated.

Weights and activations are BITS wide with power-of-two scales (Brevitas's *FixedPoint quantizers) and the
biases on the accumulator's grid (Int32Bias), so the imported integer module is Brevitas's own fake-quantized
network bit for bit (`from_brevitas(...).exact`), and the hardware is checked against that module.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import brevitas.nn as qnn
import torch
from brevitas.quant import Int8WeightPerTensorFixedPoint, Int32Bias, Uint8ActPerTensorFixedPoint

import torch_circt
from examples.digits.data import Split
from examples.digits.networks import EPOCHS, accuracy, fit, train
from examples.digits.run import Outcome, simulate_all


def brevitas_mlp(bits: int) -> torch.nn.Sequential:
    """The float MLP's shape (64 -> 32 -> 10) in Brevitas layers; pixels in [0, 1] quantized unsigned."""
    weights = {"weight_quant": Int8WeightPerTensorFixedPoint, "weight_bit_width": bits, "bias_quant": Int32Bias}
    act = {"act_quant": Uint8ActPerTensorFixedPoint, "bit_width": bits, "return_quant_tensor": True}
    return torch.nn.Sequential(qnn.QuantIdentity(**act), torch.nn.Flatten(), qnn.QuantLinear(64, 32, bias=True, **weights),
                               qnn.QuantReLU(**act), qnn.QuantLinear(32, 10, bias=True, **weights))


@dataclass(frozen=True)
class Imported:
    """What `evaluate_brevitas` leaves besides its line: the design (to synthesise) and whether the import was exact."""

    outcome: Outcome
    design: torch_circt.Design
    exact: bool


def evaluate_brevitas(bits: int, split: Split, *, images: int | None = None, seed: int = 0, epochs: int = EPOCHS,
                      out_dir: Path | None = None, options: torch_circt.Options | None = None, log=print) -> Imported:
    """Train with Brevitas, import, compile once, simulate the first `images` test images (all: None)."""
    torch.manual_seed(seed)
    model = fit(brevitas_mlp(bits), split.train_images, split.train_labels, seed=seed, epochs=epochs)
    test_images, labels = split.test_images[:images], split.test_labels[:images]
    imported = torch_circt.from_brevitas(model, (split.train_images[:1],))
    (inputs,) = imported.quantize_inputs(test_images)
    with torch.no_grad():
        brevitas_logits = getattr(model(test_images), "value", None)
        brevitas_logits = model(test_images) if brevitas_logits is None else brevitas_logits
    int_logits = imported.module(inputs)
    name = f"digits_brevitas{bits}"
    design = torch_circt.compile(imported.module, (inputs[:1],), target="rtl", options=options, name=name)
    log(f"brevitas{bits}: compiled ({len(design.sv.splitlines())} lines of SystemVerilog); simulating {len(labels)} images")
    rtl_logits, exact, stream = simulate_all(design, inputs, int_logits)
    if out_dir is not None:
        design.check()
        log(f"brevitas{bits}: report in {design.save(out_dir / name) / 'report.md'}")
    outcome = Outcome(f"brevitas{bits}", len(labels), accuracy(brevitas_logits, labels), accuracy(int_logits.to(torch.int32), labels),
                      accuracy(rtl_logits.to(torch.int32), labels), exact, stream.cycles, stream.latency,
                      reference="brevitas")
    return Imported(outcome, design, imported.exact)


def compare_area(design: torch_circt.Design, split: Split, *, seed: int, options: torch_circt.Options) -> str:
    """LUT4 and FF of the imported design beside the int8 post-training MLP's (compiled, not simulated)."""
    model = train("mlp", split.train_images, split.train_labels, seed=seed)
    quantized = torch_circt.quantize(model, split.train_images)
    int8 = torch_circt.compile(quantized, quantized.quantize_inputs(split.test_images[:1]), target="rtl", options=options,
                               name="digits_mlp")
    narrow, wide = design.synthesize(), int8.synthesize()
    return (f"{options.synth.family}: {design.name} LUT4 {narrow.luts}, FF {narrow.ffs}; "
            f"int8 mlp LUT4 {wide.luts}, FF {wide.ffs}")
