"""The digits example on a few test images: both networks, hardware bit for bit against the integer module,
the integer MLP within 1.5 points of float on the whole test split, and the imported 4-bit Brevitas MLP equal to
Brevitas on it (eager PyTorch only: cheap)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

import torch_circt
from e2e.cycles_guard import Baseline, judge
from examples.digits.data import digits_split
from examples.digits.digits import main
from examples.digits.networks import accuracy, fit, train
from examples.digits.qat import brevitas_mlp
from examples.digits.run import evaluate

IMAGES = 3
QUICK_EPOCHS = 3  # a short training: bit-exactness does not depend on how good the weights are
# Cycles per inference do not depend on the weights either (no data-dependent control), so they are held
# to a baseline like the e2e suite's: the CNN once grew 7.5 % and the MLP 6.5 % without a test noticing.
CYCLES_BASELINE = Path(__file__).parents[1] / "cycles_baseline.json"


@pytest.fixture(scope="module")
def split():
    return digits_split(0)


@pytest.mark.parametrize("network", ["mlp", "cnn"])
def test_hardware_matches_the_integer_model_bit_for_bit(network: str, split) -> None:
    outcome = evaluate(network, split, images=IMAGES, epochs=QUICK_EPOCHS, log=lambda _: None)
    assert outcome.images == IMAGES and outcome.bit_exact == IMAGES
    assert outcome.rtl_accuracy == outcome.int_accuracy
    assert all(c > 0 for c in outcome.cycles) and len(set(outcome.cycles)) == 1  # no data-dependent control
    assert outcome.line.startswith("digits: float ") and f"bit-exact {IMAGES}/{IMAGES}, cycles/inference " in outcome.line
    verdict = judge(f"digits_{network}", outcome.cycles[0], Baseline.load(CYCLES_BASELINE))
    assert verdict.passed, f"{verdict.note}\n(the digits baseline is {CYCLES_BASELINE}: update it by hand, not with the e2e tool)"


def test_integer_mlp_is_within_one_and_a_half_points_of_float(split) -> None:
    model = train("mlp", split.train_images, split.train_labels, seed=0)
    quantized = torch_circt.quantize(model, split.train_images)
    (inputs,) = quantized.quantize_inputs(split.test_images)
    with torch.no_grad():
        float_accuracy = accuracy(model(split.test_images), split.test_labels)
    int_accuracy = accuracy(quantized.module(inputs).to(torch.int32), split.test_labels)
    assert float_accuracy > 90 and abs(float_accuracy - int_accuracy) <= 1.5


def test_imported_brevitas_mlp_is_brevitas_bit_for_bit(split) -> None:
    """The --brevitas path's claim, in eager PyTorch (its RTL twin is //frontend/quantize:brevitas_test): the imported
    4-bit module's logits are Brevitas's divided by the output scale, so the two accuracies are equal."""
    torch.manual_seed(0)
    model = fit(brevitas_mlp(4), split.train_images, split.train_labels, seed=0, epochs=QUICK_EPOCHS)
    imported = torch_circt.from_brevitas(model, (split.train_images[:1],))
    (inputs,) = imported.quantize_inputs(split.test_images)
    with torch.no_grad():
        reference = model(split.test_images)
    ours = imported.module(inputs)
    assert imported.exact and torch.equal(imported.dequantize_outputs(ours)[0], reference.double())
    assert accuracy(ours.to(torch.int32), split.test_labels) == accuracy(reference, split.test_labels)


def test_brevitas_bit_width_is_checked(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["--brevitas", "9"])
    assert "bit width in 2..8" in capsys.readouterr().err


def test_unknown_network_is_refused(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["--networks", "mlp,rnn"])
    assert "unknown network rnn" in capsys.readouterr().err
