"""The RTL analyses are computed in the compile's worker and carried on the Design; the report reruns no pass."""

from __future__ import annotations

import torch

import torch_circt


class ScaleAdd(torch.nn.Module):
    def forward(self, x, y):
        return x * 3 + y


def test_the_report_reads_the_analyses_the_worker_returned(monkeypatch) -> None:
    x = torch.arange(8, dtype=torch.int32).reshape(2, 4)
    design = torch_circt.compile(ScaleAdd(), (x, x), options=torch_circt.Options(emit="hw"))
    # one loop nest of 8: the multiply and the add fused (fuse-elementwise), writing the result in place
    assert (design.loops.innermost_iterations, design.loops.loop_nests, design.manifest.loop_bound) == (8, 1, 8)
    assert design.hardware is not None and design.hardware.units["adders"].count >= 1

    def no_pass(*_args, **_kwargs):
        raise AssertionError("the report ran an MLIR pass in the caller")

    from torch_mlir import passmanager

    monkeypatch.setattr(passmanager.PassManager, "parse", no_pass)
    rtl = design.report["rtl"]
    assert (rtl["ideal_cycles"], rtl["loop_nests"], rtl["memory_accesses"]) == (8, 1, {"loads": 16, "stores": 8})
    assert rtl["hardware"] == design.hardware.to_json()
