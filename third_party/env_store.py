"""Keep the toolchain environment at a path that does not depend on the checkout.

Bazel writes the interpreter's absolute path into every py_binary launcher, and
the launcher is an input of every action and test that runs Python. Inside the
output base (`~/.cache/bazel/_bazel_<user>/<md5 of the workspace path>/...`) that
path differs per clone, so no clone could reuse another's cached results, from a
disk cache or a remote cache. Here the environment lives in a store keyed by
what builds it: `<store>/<key>/env`, the same path for every clone that uses the
same store (TORCH_CIRCT_TOOLCHAIN_STORE, default
`${XDG_CACHE_HOME:-~/.cache}/torch-circt/toolchains`; a team sets one path on
every machine). A clone whose key is already
built reuses it in seconds.

Run by the `toolchain_env` repository rule with the host's python3; prints the
environment's path on its last line of stdout.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))
from build_env import OVERRIDE_ENV, EnvError, build, parse_overrides  # noqa: E402
from lockfile import load_lock  # noqa: E402

from common.cache import user_cache_dir  # noqa: E402

STORE_ENV = "TORCH_CIRCT_TOOLCHAIN_STORE"
_COMPLETE = "complete"
_BUILDER_SOURCES = ("build_env.py", "lockfile.py")


def store_key(lock: Path, overrides: str) -> str:
    """Digest of everything that decides the environment's contents, the host Python included."""
    digest = hashlib.sha256()
    for part in [lock.read_bytes(), overrides.encode(), f"{os.path.realpath(sys.executable)} {sys.version}".encode(),
                 *((Path(__file__).parent / s).read_bytes() for s in _BUILDER_SOURCES)]:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:24]


def ensure_env(store: Path, lock: Path, pip_args: list[str]) -> Path:
    """Return `<store>/<key>/env`, building it under a lock file unless a finished one exists.

    The `complete` marker is written last, so a build that was interrupted is
    deleted and redone rather than used half made. A finished environment is
    only read (a sandboxed caller may not be able to write the store).
    """
    spec = os.environ.get(OVERRIDE_ENV, "")
    home = store / store_key(lock, spec)
    if (home / _COMPLETE).exists():
        return home / "env"
    store.mkdir(parents=True, exist_ok=True)
    with open(store / f"{home.name}.lock", "w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)  # another clone may be building the same key
        if not (home / _COMPLETE).exists():
            shutil.rmtree(home, ignore_errors=True)
            build(load_lock(lock), home / "env", home / "wheelhouse", pip_args, parse_overrides(spec))
            shutil.rmtree(home / "wheelhouse")  # installed and verified; pip's cache keeps the downloads
            (home / _COMPLETE).write_text(f"lock {lock}\nlocal overrides: {spec or 'none'}\n")
    return home / "env"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lock", type=Path, required=True)
    parser.add_argument("--store", type=Path, help=f"folder holding one environment per key (default: ${STORE_ENV}, "
                        "else the user cache's torch-circt/toolchains)")
    parser.add_argument("--pip-arg", action="append", default=[], help="extra pip download flag")
    args = parser.parse_args(argv)
    try:
        store = args.store or Path(os.environ.get(STORE_ENV) or user_cache_dir() / "toolchains")
        print(ensure_env(store.expanduser().resolve(), args.lock, args.pip_arg))
    except EnvError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
