"""Point an error at the user's PyTorch source, not at torch's or ours.

FX nodes carry a `stack_trace` and an `nn_module_stack`; a Python exception
carries a traceback. Both are reduced here to `file:line` plus the source line.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import torch

# The stage every error of the export and its graph rules names, beside the user's source line.
STAGE = "torch_export"
_FRAME = re.compile(r'File "([^"]+)", line (\d+), in [^\n]*\n\s*([^\n]*)')
_OUR_DIR = Path(__file__).resolve().parent
_STDLIB = Path(traceback.__file__).resolve().parent


@dataclass(frozen=True)
class SourceSite:
    """Where in the user's code something happened."""

    file: str
    line: int
    code: str = ""

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"

    def describe(self) -> str:
        return f"{self.location}: {self.code}" if self.code else self.location


def site_of_node(node: torch.fx.Node) -> SourceSite | None:
    """The innermost frame of the node's stack trace in the user's code (`self.fc(x)`, not torch's
    `F.linear` inside it), else the innermost frame: the line that called the op."""
    trace = node.meta.get("stack_trace") or ""
    frames = _FRAME.findall(trace)
    if not frames:
        return None
    file, line, code = next((f for f in reversed(frames) if not _is_library(f[0])), frames[-1])
    return SourceSite(file, int(line), code.strip())


@contextmanager
def helper_frames_kept() -> Iterator[None]:
    """While exporting, a node's stack trace keeps the user's helper functions, not only `forward` frames.

    torch.export (non-strict) records only frames named `forward`, so an op inside a helper
    function would read as the forward line that called the helper. Frames below the first
    `forward` that are the user's (not torch's, another package's or ours) are kept as well.
    Without the tracer hook (another torch version) the stack traces are torch's own.
    """
    tracer = torch.fx.proxy.TracerBase
    original = tracer.__dict__.get("_filter_traceback_frames")
    if original is None:
        yield
        return

    def keep_helpers(self, summary: traceback.StackSummary) -> traceback.StackSummary:
        first = next((i for i, frame in enumerate(summary) if frame.name == "forward"), None)
        if not getattr(self, "_record_forward_stack_traces_only", False) or first is None:
            return original(self, summary)
        kept = [frame for frame in summary[first:] if frame.name == "forward" or not _is_library(frame.filename)]
        return traceback.StackSummary.from_list(kept)

    tracer._filter_traceback_frames = keep_helpers
    try:
        yield
    finally:
        tracer._filter_traceback_frames = original


def module_path_of_node(node: torch.fx.Node) -> str | None:
    """The submodule that produced the node, e.g. `encoder.linear (torch.nn.Linear)`."""
    stack = node.meta.get("nn_module_stack") or {}
    if not stack:
        return None
    path, kind = list(stack.values())[-1]
    kind_name = getattr(kind, "__qualname__", str(kind))
    return f"{path or '<root>'} ({kind_name})"


def site_of_exception(error: BaseException) -> SourceSite | None:
    """The innermost traceback frame outside torch, the stdlib and torch-circt."""
    frames = traceback.extract_tb(error.__traceback__)
    for frame in reversed(frames):
        if not _is_library(frame.filename):
            return SourceSite(frame.filename, frame.lineno or 0, (frame.line or "").strip())
    return None


def _is_library(filename: str) -> bool:
    """Frames in torch, other installed packages, the stdlib or this package are not the user's."""
    if filename.startswith("<"):
        return True
    path = Path(filename).resolve()
    if path.parent == _OUR_DIR or "site-packages" in path.parts or "dist-packages" in path.parts:
        return True
    return path.is_relative_to(_STDLIB)


def node_details(node: torch.fx.Node) -> list[str]:
    """Source line and owning submodule of a node, as error-detail lines."""
    site = site_of_node(node)
    module = module_path_of_node(node)
    lines = [f"source: {site.code}"] if site and site.code else []
    return lines + ([f"module: {module}"] if module else [])
