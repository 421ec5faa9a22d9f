"""One network through the whole path: train in float, quantize, compile to RTL, simulate the test images."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

import torch_circt
from examples.digits.data import Split
from examples.digits.networks import EPOCHS, accuracy, train


@dataclass(frozen=True)
class Outcome:
    """Accuracies in percent over `images` test images; `bit_exact` counts images whose simulated
    outputs equal the integer module's bit for bit."""

    network: str
    images: int
    float_accuracy: float
    int_accuracy: float
    rtl_accuracy: float
    bit_exact: int
    cycles: tuple[int, ...]
    reference: str = "float"  # what float_accuracy measured: the float model, or Brevitas's fake-quantized one
    hardware: str | None = None  # with `--synth`: the design on the FPGA (`hardware_line`)

    @property
    def line(self) -> str:
        cycles = round(sum(self.cycles) / len(self.cycles))
        return (f"digits: {self.reference} {self.float_accuracy:.2f}%, int {self.int_accuracy:.2f}%, rtl {self.rtl_accuracy:.2f}%, "
                f"bit-exact {self.bit_exact}/{self.images}, cycles/inference {cycles}")


def evaluate(network: str, split: Split, *, images: int | None = None, seed: int = 0, epochs: int = EPOCHS,
             out_dir: Path | None = None, options: torch_circt.Options | None = None, log=print) -> Outcome:
    """Train, quantize on the training images, compile once, simulate the first `images` test images (all: None)."""
    model = train(network, split.train_images, split.train_labels, seed=seed, epochs=epochs)
    test_images, labels = split.test_images[:images], split.test_labels[:images]
    quantized = torch_circt.quantize(model, split.train_images)
    (inputs,) = quantized.quantize_inputs(test_images)
    with torch.no_grad():
        float_logits = model(test_images)
    int_logits = quantized.module(inputs)
    design = torch_circt.compile(quantized, (inputs[:1],), target="rtl", options=options, name=f"digits_{network}")
    log(f"{network}: compiled ({len(design.sv.splitlines())} lines of SystemVerilog); simulating {len(labels)} images")
    rtl_logits, exact, cycles = simulate_all(design, inputs, int_logits)
    if out_dir is not None:
        design.check()  # the report's verdict: the first image against eager PyTorch
        log(f"{network}: report in {design.save(out_dir / f'digits_{network}') / 'report.md'}")
    return Outcome(network, len(labels), accuracy(float_logits, labels), accuracy(int_logits.to(torch.int32), labels),
                   accuracy(rtl_logits.to(torch.int32), labels), exact, cycles,
                   hardware=hardware_line(design, cycles) if design.options.synth.family else None)


def hardware_line(design: torch_circt.Design, cycles: tuple[int, ...]) -> str:
    """Area, Fmax and the mean latency per inference of the synthesised design (its netlist is not simulated)."""
    s = design.synthesize()
    latency = sum(cycles) / len(cycles) / s.fmax_mhz
    return (f"{s.device}-{s.speed}: LUT4 {s.luts}, FF {s.ffs}, DSP {s.dsps}, BRAM {s.brams}; "
            f"Fmax {s.fmax_mhz:.1f} MHz; latency {latency:.3f} us/inference")


def simulate_all(design: torch_circt.Design, inputs: torch.Tensor, int_logits: torch.Tensor) -> tuple[torch.Tensor, int, tuple[int, ...]]:
    """Every image through the simulated circuit: its logits, how many equal the integer module's bit for bit, cycles."""
    runs = design.simulate_many([(image,) for image in inputs.split(1)])
    rtl_logits = torch.cat([torch.from_numpy(run.outputs[0]) for run in runs])
    exact = sum(bool(torch.equal(r, i)) for r, i in zip(rtl_logits.split(1), int_logits.split(1)))
    return rtl_logits, exact, tuple(run.cycles for run in runs)
