"""e2e/BUILD.bazel declares every suite case, with the RTL backend exactly for RTL candidates."""

import re
from pathlib import Path

from e2e.suite import CASES

BUILD = (Path(__file__).parents[1] / "BUILD.bazel").read_text()
DECLARED = {
    name: "rtl" in backends
    for name, backends in re.findall(r'e2e_test\(\s*name = "(\w+)",\s*backends = \[([^\]]*)\]', BUILD)
}


def test_every_case_has_targets():
    missing = sorted(set(CASES) - set(DECLARED))
    assert not missing, f"add e2e_test(...) lines to e2e/BUILD.bazel for: {missing}"


def test_every_target_names_a_case():
    unknown = sorted(set(DECLARED) - set(CASES))
    assert not unknown, f"e2e/BUILD.bazel declares models that e2e/suite.py does not register: {unknown}"


def test_rtl_backend_exactly_for_rtl_candidates():
    wrong = sorted(name for name, case in CASES.items() if DECLARED.get(name) is not None and DECLARED[name] != case.rtl)
    assert not wrong, f"rtl backend must be declared exactly for cases with rtl=True: {wrong}"
