"""One network through the whole path: train in float, quantize, compile to RTL, simulate the test images."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import torch

import torch_circt
from backend.sim import mean_interval
from examples.digits.data import Split
from examples.digits.networks import EPOCHS, accuracy, train


@dataclass(frozen=True)
class Outcome:
    """Accuracies in percent over `images` test images; `bit_exact` counts images whose simulated
    outputs equal the integer module's bit for bit. The images run as one stream (`simulate_stream`):
    `cycles` are each image's since the previous result (the first's since reset), `latency` the first
    image's from its input taken to its result."""

    network: str
    images: int
    float_accuracy: float
    int_accuracy: float
    rtl_accuracy: float
    bit_exact: int
    cycles: tuple[int, ...]
    latency: int
    reference: str = "float"  # what float_accuracy measured: the float model, or Brevitas's fake-quantized one
    hardware: str | None = None  # with `--synth`: the design on the FPGA (`hardware_line`)
    fmax_mhz: float | None = None  # with `--synth`: the clock the design reached

    @property
    def line(self) -> str:
        return (f"digits: {self.reference} {self.float_accuracy:.2f}%, int {self.int_accuracy:.2f}%, rtl {self.rtl_accuracy:.2f}%, "
                f"bit-exact {self.bit_exact}/{self.images}, cycles/inference {round(sum(self.cycles) / len(self.cycles))}")

    @property
    def interval(self) -> float:
        """Cycles between consecutive results of the stream (one image: its latency)."""
        return mean_interval(self.cycles) or self.latency

    @property
    def stream_line(self) -> str:
        return (f"stream of {self.images} images: interval {self.interval:.1f} cycles/inference, "
                f"latency {self.latency} cycles")


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
    rtl_logits, exact, stream = simulate_all(design, inputs, int_logits)
    if out_dir is not None:
        design.check()  # the report's verdict: the first image against eager PyTorch
        log(f"{network}: report in {design.save(out_dir / f'digits_{network}') / 'report.md'}")
    outcome = Outcome(network, len(labels), accuracy(float_logits, labels), accuracy(int_logits.to(torch.int32), labels),
                      accuracy(rtl_logits.to(torch.int32), labels), exact, stream.cycles, stream.latency)
    if not design.options.synth.family:
        return outcome
    return replace(outcome, hardware=hardware_line(design, outcome.interval), fmax_mhz=design.synthesis.fmax_mhz)


def hardware_line(design: torch_circt.Design, interval: float) -> str:
    """Area, Fmax, and the time and throughput per inference of the synthesised design at its stream interval
    (its netlist is not simulated)."""
    s = design.synthesize()
    return (f"{s.device}-{s.speed}: LUT4 {s.luts}, FF {s.ffs}, DSP {s.dsps}, BRAM {s.brams}; "
            f"Fmax {s.fmax_mhz:.1f} MHz; {interval / s.fmax_mhz:.3f} us/inference, "
            f"{s.fmax_mhz * 1e6 / interval:,.0f} inferences/s")


def simulate_all(design: torch_circt.Design, inputs: torch.Tensor,
                 int_logits: torch.Tensor) -> tuple[torch.Tensor, int, torch_circt.StreamSimulation]:
    """Every image through the simulated circuit as one stream: the logits, how many equal the integer module's bit
    for bit, and the stream's interval and latency."""
    stream = design.simulate_stream([(image,) for image in inputs.split(1)])
    rtl_logits = torch.cat([torch.from_numpy(outputs[0]) for outputs in stream.outputs])
    exact = sum(bool(torch.equal(r, i)) for r, i in zip(rtl_logits.split(1), int_logits.split(1)))
    return rtl_logits, exact, stream
