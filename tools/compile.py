"""torch-circt's main job (smoke stage): import a tiny model through torch-mlir, print the toolchains.

Proves on a fresh machine that the pinned environment works end to end: torch
exports the model, torch-mlir lowers it to linalg, and every toolchain reports
the version and revisions the lock records.
"""

from __future__ import annotations

import sys

import torch
from torch_mlir import fx

from third_party.revisions import probe_all


class TinyModel(torch.nn.Module):
    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return torch.relu(a * b + a)


def main() -> int:
    example = (torch.arange(-4, 4, dtype=torch.int32), torch.full((8,), 3, dtype=torch.int32))
    module = fx.export_and_import(TinyModel(), *example, output_type="linalg-on-tensors")
    print(module.operation.get_asm(large_elements_limit=16))
    print("toolchains:")
    for name, facts in probe_all().items():
        details = ", ".join(f"{k}={v}" for k, v in sorted(facts.items()) if k != "package")
        print(f"  {name:<11} {details}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
