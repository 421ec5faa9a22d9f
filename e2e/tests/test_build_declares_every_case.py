"""e2e/cases.bzl, which e2e/BUILD.bazel turns into targets, is exactly what e2e/suite.py says."""

from pathlib import Path

from e2e.list_cases import render_bzl
from e2e.suite import CASES

HERE = Path(__file__).parents[1]


def test_cases_bzl_is_generated_from_the_suite():
    assert (HERE / "cases.bzl").read_text() == render_bzl(), (
        "e2e/cases.bzl is stale: run `./bazelw run //e2e:list_cases -- --bzl > e2e/cases.bzl`"
    )


def test_build_uses_the_generated_cases():
    build = (HERE / "BUILD.bazel").read_text()
    assert 'load("//e2e:cases.bzl", "CASES")' in build and "e2e_suite(CASES)" in build
    assert "e2e_test(" not in build, "declare cases in e2e/suite.py, not in BUILD"


def test_rtl_backend_exactly_for_rtl_candidates():
    text = render_bzl()
    for name, case in CASES.items():
        assert (f'"{name}": {{"backends": ["cpu", "rtl"]' in text) == case.rtl
