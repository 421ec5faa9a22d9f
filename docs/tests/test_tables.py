"""Every table of measurements in the docs is the one its measured file renders, with its provenance."""

import json

import pytest

from docs.tables import Measurement, load_all, pages, render_page, shown


def test_every_page_matches_its_measured_files():
    measured = load_all()
    stale = [page.name for page in pages() if render_page(page.read_text(), measured) != page.read_text()]
    assert not stale, f"stale measured tables in {stale}: run `./bazelw run //docs:tables -- --write`"


def test_every_measured_file_is_shown_somewhere():
    used = {name for page in pages() for name in shown(page.read_text())}
    assert set(load_all()) <= used, f"measured files no page shows: {sorted(set(load_all()) - used)}"


def test_a_typed_number_is_put_back():
    measured = load_all()
    page = next(page for page in pages() if shown(page.read_text()))
    text = page.read_text()
    name = shown(text)[0]
    row = measured[name].render().splitlines()[2]
    edited = text.replace(row, row.replace("|", "| 0", 1), 1)
    assert edited != text and render_page(edited, measured) == text


def test_a_table_says_where_its_numbers_come_from():
    rendered = next(iter(load_all().values())).render()
    assert "measured at commit `" in rendered and "with `" in rendered


def test_a_measured_file_without_a_commit_is_refused(tmp_path):
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"title": "t", "command": "c", "measured_at": "yesterday", "conditions": "",
                                "columns": ["a"], "rows": [[1]]}))
    with pytest.raises(ValueError, match="commit"):
        Measurement.load(path)


def test_a_page_that_shows_a_missing_file_is_refused():
    with pytest.raises(ValueError, match="no docs/measured/nowhere.json"):
        render_page("<!-- measured:nowhere -->\n<!-- measured:nowhere:end -->\n", {})
