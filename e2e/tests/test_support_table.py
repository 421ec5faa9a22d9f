"""The support table in docs/suite.md is the one the suite generates, and it shows refusals by name."""

from pathlib import Path

from e2e.suite import CASES
from e2e.support_table import render_table, with_table

PAGE = Path(__file__).parents[2] / "docs" / "suite.md"


def test_suite_page_table_is_current():
    text = PAGE.read_text()
    assert with_table(text) == text, (
        "docs/suite.md's support table is stale: run `./bazelw run //e2e:support_table -- --write $PWD/docs/suite.md`"
    )


def test_every_declared_rtl_refusal_is_named_in_the_table():
    table = render_table()
    refused = [name for name, case in CASES.items() if case.expected_failure("rtl")]
    assert refused and all(name in table for name in refused)
    assert f"{len(CASES)} cases:" in table
