"""The registry and the shared comparison: cheap, no compilation."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.utils._pytree import tree_leaves

from common.compare import compare
from common.records import Golden, ModelMetadata, TensorSpec
from e2e.suite import CASES, Registry, Tolerance, UnknownCaseError, get_case


def _factory():
    return torch.nn.ReLU(), (torch.zeros(2),)


def test_duplicate_names_are_rejected():
    registry = Registry()
    registry.case(name="twice")(_factory)
    with pytest.raises(ValueError, match="duplicate case name 'twice'"):
        registry.case(name="twice")(_factory)


def test_xfail_must_name_a_known_backend():
    with pytest.raises(ValueError, match="unknown backends"):
        Registry().case(name="x", xfail={"gpu": "no gpu"})


def test_unknown_case_name_is_a_clear_error():
    with pytest.raises(UnknownCaseError, match="unknown case 'mlp_i33'.*similar: .*mlp_i32"):
        get_case("mlp_i33")


def _bits(tensor: torch.Tensor) -> torch.Tensor:
    return tensor.detach().reshape(-1).contiguous().view(torch.uint8)


def test_suite_size_and_declarations():
    assert len(CASES) >= 44
    for case in CASES.values():
        module, inputs = case.build()
        again = case.build()[1]
        for a, b in zip(tree_leaves(inputs), tree_leaves(again), strict=True):
            # bit for bit: a NaN input (isfinite_f32) is not equal to itself
            same = torch.equal(_bits(a), _bits(b)) if isinstance(a, torch.Tensor) else a == b
            assert same, f"{case.name}: inputs not deterministic"
        with torch.no_grad():
            outputs = tree_leaves(module(*inputs))
        values = [*tree_leaves(inputs), *outputs]
        is_float = any(t.is_floating_point() if isinstance(t, torch.Tensor) else isinstance(t, float) for t in values)
        if case.rtl:
            assert not is_float, f"{case.name}: rtl=True needs integer inputs and outputs"
        if any(t.is_floating_point() if isinstance(t, torch.Tensor) else isinstance(t, float) for t in outputs):
            assert case.tolerance is not None, f"{case.name}: float results need a stated tolerance"


META = ModelMetadata("m", (TensorSpec("x", (3,), "int32"),), (TensorSpec("r0", (3,), "int32"), TensorSpec("r1", (2,), "float32")))
GOLDEN = Golden((np.zeros(3, np.int32),), (np.array([1, -2, 3], np.int32), np.array([1.0, 2.0], np.float32)))


def test_compare_accepts_equal_and_close():
    actual = (np.array([1, -2, 3], np.int32), np.array([1.0, 2.0 + 1e-7], np.float32))
    assert compare(META, GOLDEN, actual, Tolerance(rtol=1e-5, atol=1e-6)) == []


def test_compare_catches_one_bit_integer_difference():
    actual = (np.array([1, -2, 3 ^ 1], np.int32), GOLDEN.outputs[1])
    (problem,) = compare(META, GOLDEN, actual, Tolerance())
    assert "result 0 ('r0')" in problem and "1 of 3 elements differ" in problem and "first at (2,)" in problem


def test_compare_catches_dtype_difference():
    actual = (np.array([1, -2, 3], np.int64), GOLDEN.outputs[1])
    (problem,) = compare(META, GOLDEN, actual, Tolerance())
    assert "dtype int64, expected int32" in problem


def test_compare_reports_float_error_and_index():
    actual = (GOLDEN.outputs[0], np.array([1.0, 2.5], np.float32))
    (problem,) = compare(META, GOLDEN, actual, Tolerance(rtol=1e-5, atol=1e-6))
    assert "max abs error 0.5" in problem and "first at (1,)" in problem


def test_compare_catches_shape_and_count():
    assert "shape [1, 3]" in compare(META, GOLDEN, (GOLDEN.outputs[0][None], GOLDEN.outputs[1]), None)[0]
    assert compare(META, GOLDEN, GOLDEN.outputs[:1], None) == ["expected 2 results, got 1"]


def test_report_verdict_inverts_for_xfail(capsys):
    from e2e.check import report_verdict
    from e2e.suite import Case

    plain = Case("p", _factory)
    expected = Case("x", _factory, xfail={"cpu": "known bug"})
    assert report_verdict("cpu", plain, True, "ok") == 0
    assert report_verdict("cpu", plain, False, "bad\ndetail") == 1
    assert report_verdict("cpu", expected, False, "bad") == 0
    assert report_verdict("cpu", expected, True, "ok") == 1
    assert report_verdict("rtl", expected, True, "ok") == 0  # xfail is per backend
    out = capsys.readouterr().out
    assert "FAIL cpu p: bad\ndetail" in out and "XFAIL cpu x: failed as expected (known bug)" in out
    assert "XPASS cpu x" in out and "remove the xfail" in out


def test_compare_with_golden_counts_mismatches_and_says_exact():
    from e2e.check import compare_with_golden
    from e2e.suite import Case

    case = Case("m", _factory, tolerance=Tolerance(rtol=1e-5, atol=1e-6))
    passed, summary = compare_with_golden(META, GOLDEN, GOLDEN.outputs, case, "(3 cycles)", exact=True)
    assert passed and summary == "2 results match bit for bit (3 cycles)"
    wrong = (np.array([1, -2, 4], np.int32), GOLDEN.outputs[1])
    passed, summary = compare_with_golden(META, GOLDEN, wrong, case, "(t)")
    head, *details = summary.splitlines()
    assert not passed and head == "1 of 2 results mismatch (t)" and len(details) == 1 and "r0" in details[0]
