"""The toolchain lock: which wheel files, by sha256, make up the toolchain environment.

`toolchains.lock.json` is the single source of truth. It holds every package
(top-level pins and all transitive dependencies) as an exact wheel file name and
its sha256, and for each toolchain what a user needs when something breaks: its
version and the LLVM/CIRCT revisions embedded in its native libraries.

Standard library only: the repository rule runs this before any environment exists.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

LOCK_PATH = Path(__file__).with_name("toolchains.lock.json")


@dataclass(frozen=True)
class PinnedWheel:
    """One wheel file, named exactly, with the sha256 it must have."""

    name: str
    version: str
    file: str
    sha256: str

    @property
    def requirement(self) -> str:
        return f"{self.name}=={self.version}"


@dataclass
class Lock:
    """The parsed lock file; `toolchains` maps a toolchain name to its recorded facts."""

    python: str
    packages: list[PinnedWheel]
    toolchains: dict[str, dict[str, str]] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    def requirements_txt(self, skip: frozenset[str] = frozenset()) -> str:
        """A pip requirements file with hashes, for `pip install --require-hashes`."""
        return "".join(
            f"{p.requirement} --hash=sha256:{p.sha256}\n"
            for p in self.packages
            if normalize(p.name) not in skip
        )


def normalize(name: str) -> str:
    """PEP 503 name normalisation, so `Torch_MLIR` and `torch-mlir` are one package."""
    return "-".join(name.lower().replace("_", "-").replace(".", "-").split("-"))


def load_lock(path: Path = LOCK_PATH) -> Lock:
    raw = json.loads(Path(path).read_text())
    packages = [PinnedWheel(**p) for p in raw["packages"]]
    return Lock(python=raw["python"], packages=packages, toolchains=raw.get("toolchains", {}))
