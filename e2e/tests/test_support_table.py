"""The support table in docs/suite.md is the one the suite generates, and it shows refusals by name."""

import re
from pathlib import Path

from e2e.suite import CASES
from e2e.support_table import render_table, with_table

PAGE = Path(__file__).parents[2] / "docs" / "suite.md"


def test_suite_page_table_is_current():
    text = PAGE.read_text()
    assert with_table(text) == text, (
        "docs/suite.md's support table is stale: run `./bazelw run //e2e:support_table -- --write $PWD/docs/suite.md`"
    )


def test_the_table_names_exactly_the_declared_rtl_refusals():
    table = render_table()
    refused = {name for name, case in CASES.items() if case.expected_failure("rtl")}
    named = {name for cell in re.findall(r"\(refused: ([^)]*)\)", table) for name in cell.split(", ")}
    assert named == refused
    assert f"{len(CASES)} cases:" in table
