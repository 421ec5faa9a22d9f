"""The layout's promises: each half of the backend imports one MLIR copy, and every CHECK line checks something."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
RTL = ROOT / "backend" / "rtl"


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, at module level or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def _source(module: str) -> Path | None:
    """The repository file of `module`, or None for a third-party one."""
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def reached(path: Path) -> set[str]:
    """The third-party modules `path` imports directly or through the repository's modules."""
    seen: set[Path] = set()
    outside: set[str] = set()
    todo = [path]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for name in _imports(current):
            source = _source(name)
            if source is not None:
                todo.append(source)
            elif _source(name.rsplit(".", 1)[0]) is None:  # `from pkg import name`: pkg itself was listed
                outside.add(name)
    return outside


@pytest.mark.parametrize(("half", "foreign"), [("torch_side", "pycde"), ("circt_side", "torch_mlir")])
def test_each_half_imports_one_mlir_copy(half: str, foreign: str) -> None:
    modules = sorted((RTL / half).glob("*.py"))
    assert modules, f"no modules under {half}"
    crossing = {path.name: sorted(n for n in reached(path) if n.split(".")[0] == foreign) for path in modules}
    assert not {name: found for name, found in crossing.items() if found}


def test_the_check_finds_a_crossing() -> None:
    """The transport is the one module that imports both copies, so the walk must see both from it."""
    roots = {name.split(".")[0] for name in reached(RTL / "transport.py")}
    assert {"pycde", "torch_mlir"} <= roots


# A check directive without its colon (`// CHECK foo`) is plain text to FileCheck: it checks nothing.
_DIRECTIVE = re.compile(r"//\s*CHECK(?:-[A-Z0-9]+)*(?=[^-A-Z0-9:]|$)")


@pytest.mark.parametrize("path", sorted(RTL.glob("*/test/*.mlir")), ids=lambda p: p.name)
def test_every_check_line_has_its_colon(path: Path) -> None:
    text = path.read_text()
    assert "// RUN:" in text and "// CHECK" in text
    assert not [line for line in text.splitlines() if _DIRECTIVE.search(line)]


def test_the_lint_finds_a_check_without_its_colon() -> None:
    assert _DIRECTIVE.search("// CHECK-NEXT  arith.addi") and _DIRECTIVE.search("// CHECK arith.addi")
    assert not _DIRECTIVE.search("// CHECK-NEXT: arith.addi")


def test_one_pass_test_per_stage_name() -> None:
    """Each file is named after the stage its first RUN line runs."""
    for path in RTL.glob("*/test/*.mlir"):
        stages = re.findall(r"--stage ([\w-]+)", path.read_text().splitlines()[0])
        assert path.stem in stages, f"{path.name} runs {stages}"
