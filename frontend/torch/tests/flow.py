"""The frontend as the flow runs it: `torch_circt.compile(..., emit="linalg")`."""

from __future__ import annotations

from pathlib import Path

import torch


def import_module(module: torch.nn.Module, inputs, *, name: str, dump_dir: Path | None = None):
    """A design stopped after the frontend: `.linalg`, `.metadata`, `.golden`."""
    import torch_circt

    options = torch_circt.Options(emit="linalg", dump_dir=dump_dir)
    return torch_circt.compile(module, inputs, target="cpu", options=options, name=name)
