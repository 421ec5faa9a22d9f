"""Re-resolve third_party/requirements.in into the lock, re-hash every wheel and re-probe revisions.

Resolution happens in a scratch virtual environment with pip's installation report,
so the lock records exactly the files pip chose, each with the sha256 of the file
itself. The toolchain facts are then probed from that installed environment, so
the recorded revisions are what the binaries report, not what a release note says.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
import venv
from pathlib import Path

from common.atomic import atomic_write_text
from third_party.build_env import sha256_of
from third_party.lockfile import Lock, PinnedWheel, normalize


def workspace_root() -> Path:
    """Under `bazel run` the checkout is BUILD_WORKSPACE_DIRECTORY; otherwise this file's repo."""
    env = os.environ.get("BUILD_WORKSPACE_DIRECTORY")
    return Path(env) if env else Path(__file__).resolve().parents[1]


def resolve(requirements: Path, scratch: Path) -> tuple[Path, list[dict]]:
    env_dir = scratch / "env"
    venv.EnvBuilder(with_pip=True, symlinks=True).create(env_dir)
    python = env_dir / "bin" / "python3"
    report = scratch / "report.json"
    subprocess.run([str(python), "-m", "pip", "install", "--only-binary=:all:", "--report", str(report),
                    "-r", str(requirements)], check=True, stdout=sys.stderr)
    return python, json.loads(report.read_text())["install"]


def sha256_of_url(url: str, scratch: Path) -> str:
    """Hash the file itself: local find-links files carry no hash in pip's report."""
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme == "file":
        path = Path(urllib.parse.unquote(parsed.path))
    else:
        path = scratch / Path(parsed.path).name
        urllib.request.urlretrieve(url, path)
    return sha256_of(path)


def pinned(item: dict, scratch: Path) -> PinnedWheel:
    info = item["download_info"]
    hashes = info.get("archive_info", {}).get("hashes", {})
    digest = hashes.get("sha256") or sha256_of_url(info["url"], scratch)
    metadata = item["metadata"]
    return PinnedWheel(
        name=normalize(metadata["name"]),
        version=metadata["version"],
        file=urllib.parse.unquote(Path(urllib.parse.urlparse(info["url"]).path).name),
        sha256=digest,
    )


def probe(python: Path, root: Path) -> dict[str, dict[str, str]]:
    # A module of this checkout (it runs the YoWASP tools through backend.synth.yowasp).
    result = subprocess.run([str(python), "-m", "third_party.revisions"], cwd=root,
                            check=True, capture_output=True, text=True)
    return json.loads(result.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requirements", type=Path, help="default: third_party/requirements.in")
    parser.add_argument("--lock", type=Path, help="default: third_party/toolchains.lock.json")
    args = parser.parse_args()
    root = workspace_root()
    requirements = args.requirements or root / "third_party" / "requirements.in"
    lock_path = args.lock or root / "third_party" / "toolchains.lock.json"
    with tempfile.TemporaryDirectory(prefix="torch-circt-lock-") as tmp:
        scratch = Path(tmp)
        python, installed = resolve(requirements, scratch)
        packages = sorted((pinned(i, scratch) for i in installed), key=lambda p: p.name)
        lock = Lock(python=f"{sys.version_info.major}.{sys.version_info.minor}", packages=packages,
                    toolchains=probe(python, root))
    atomic_write_text(lock_path, lock.to_json())
    print(f"wrote {lock_path}: {len(packages)} wheels, toolchains {', '.join(sorted(lock.toolchains))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
