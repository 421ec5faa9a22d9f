"""Tables of measurements in the docs, rendered from measured files (never typed).

    python -m docs.tables            # which measured file each page shows
    python -m docs.tables --write    # re-render every block in README.md and docs/*.md
    python -m docs.tables --check    # exit 1 when a page differs from its measured files

A measured file (docs/measured/NAME.json) is one run of one command: the command,
the commit it ran at, the conditions that matter to the numbers, and the rows it
produced. A page shows it between `<!-- measured:NAME -->` and
`<!-- measured:NAME:end -->`, with that provenance printed under the table, so a
number in the docs always says how to get it again.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from docs.markers import splice

ROOT = Path(__file__).parents[1]
MEASURED = "docs/measured"
_BLOCK = re.compile(r"<!-- measured:([a-z0-9_-]+) -->")
_COMMIT = re.compile(r"[0-9a-f]{7,40}")


@dataclass(frozen=True)
class Measurement:
    """One run of one command, at one commit."""

    name: str
    title: str
    command: str
    measured_at: str
    conditions: str
    columns: list[str]
    rows: list[list]

    @classmethod
    def load(cls, path: Path) -> Measurement:
        data = json.loads(path.read_text())
        fields = {"title", "command", "measured_at", "conditions", "columns", "rows"}
        if set(data) != fields:
            raise ValueError(f"{path}: needs exactly the keys {sorted(fields)}, has {sorted(data)}")
        if not _COMMIT.fullmatch(data["measured_at"]):
            raise ValueError(f"{path}: measured_at must be a commit hash, not {data['measured_at']!r}")
        if not data["rows"] or any(len(row) != len(data["columns"]) for row in data["rows"]):
            raise ValueError(f"{path}: every row needs one value per column ({len(data['columns'])})")
        return cls(name=path.stem, **data)

    def render(self) -> str:
        lines = ["| " + " | ".join(self.columns) + " |", "|" + " --- |" * len(self.columns)]
        lines += ["| " + " | ".join(str(value) for value in row) + " |" for row in self.rows]
        provenance = f"*{self.title}: measured at commit `{self.measured_at}` with `{self.command}`; "
        provenance += f"{self.conditions}.*"
        return "\n".join([*lines, "", provenance])


def load_all(root: Path = ROOT) -> dict[str, Measurement]:
    return {path.stem: Measurement.load(path) for path in sorted((root / MEASURED).glob("*.json"))}


def pages(root: Path = ROOT) -> list[Path]:
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def shown(text: str) -> list[str]:
    """The measured files a page shows, in order."""
    return _BLOCK.findall(text)


def render_page(text: str, measured: dict[str, Measurement]) -> str:
    """`text` with every measured block re-rendered from its file."""
    for name in shown(text):
        if name not in measured:
            raise ValueError(f"a page shows measured:{name}, but there is no {MEASURED}/{name}.json")
        text = splice(text, f"<!-- measured:{name} -->", f"<!-- measured:{name}:end -->", measured[name].render())
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true", help="re-render the tables in place")
    group.add_argument("--check", action="store_true", help="exit 1 if a page is stale")
    args = parser.parse_args(argv)
    root = Path(os.environ.get("BUILD_WORKSPACE_DIRECTORY", ROOT))
    measured = load_all(root)
    stale = []
    for page in pages(root):
        text = page.read_text()
        fresh = render_page(text, measured)
        if args.write and fresh != text:
            page.write_text(fresh)
        elif args.check and fresh != text:
            stale.append(page.relative_to(root))
        elif not args.write and not args.check:
            print(f"{page.relative_to(root)}: {', '.join(shown(text)) or '-'}")
    for page in stale:
        print(f"{page}: a measured table is stale; run: ./bazelw run //docs:tables -- --write", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
