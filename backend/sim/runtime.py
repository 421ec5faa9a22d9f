"""The simulator runtime: the part of every extension that no design changes, compiled once.

It is one static archive: Verilator's support library (verilated.cpp, its threads
and VCD writer, built by Verilator's own makefile with Verilator's flags, from a
one-register design verilated with --trace) and the generic harness with pybind11
(harness.cpp). A design's build then compiles only its model and ports.cpp.

Bazel builds it as the target //backend/sim:runtime and passes it to every design's
build action as a declared input: cached and shared by Bazel like any output,
nothing written outside the sandbox, nothing a build action must not depend on.
The Python API keeps one in a cache directory named by a hash of everything that
goes into it (`cached_runtime`); it is written atomically, so concurrent builders
at worst both build it and one copy wins.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pybind11

from backend.sim.toolchain import VERILATOR, run, verilator_root
from common.atomic import atomic_write_bytes
from common.cache import user_cache_dir

HARNESS = Path(__file__).with_name("harness.cpp")
HARNESS_HEADER = Path(__file__).with_name("harness.h")
# The runtime is built once, so it is always optimised; the design's own -O is SimOptions.verilator_opt.
RUNTIME_OPT = "-O2"
HARNESS_FLAGS = ("-c", "-fPIC", RUNTIME_OPT, "-std=c++20")
# Four translation units, built once: two jobs are plenty, and that is all a CI machine may have.
JOBS = 2
_STUB = "module stub(input logic clock, output logic q); always_ff @(posedge clock) q <= ~q; endmodule\n"


def build_runtime(out: Path) -> None:
    """Write the runtime archive to `out`, whole or not at all."""
    out = Path(out).absolute()
    with tempfile.TemporaryDirectory(prefix="torch-circt-runtime-") as tmp:
        build = Path(tmp)
        (build / "stub.sv").write_text(_STUB)
        run([str(VERILATOR), "--cc", "stub.sv", "--trace", "--no-timing", "--prefix", "Vtop", "-Mdir", "obj",
             "-CFLAGS", "-fPIC"], build, "verilating the runtime stub")
        run(["make", "-f", "Vtop.mk", "-j", str(JOBS), "libverilated.a", f"OPT_GLOBAL={RUNTIME_OPT}"],
            build / "obj", "building Verilator's runtime library")
        objects = build / "objects"
        objects.mkdir()
        run(["ar", "x", str(build / "obj" / "libverilated.a")], objects, "unpacking Verilator's runtime library")
        shutil.copy(HARNESS, build / HARNESS.name)
        shutil.copy(HARNESS_HEADER, build / HARNESS_HEADER.name)
        run(["g++", *HARNESS_FLAGS, *(f"-I{p}" for p in _harness_includes()), f"../{HARNESS.name}",
             "-o", "harness.o"], objects, "compiling the harness")
        members = sorted(p.name for p in objects.glob("*.o"))
        run(["ar", "rcsD", str(build / "runtime.a"), *members], objects, "archiving the runtime")
        atomic_write_bytes(out, (build / "runtime.a").read_bytes())


def _harness_includes() -> list[Path]:
    root = verilator_root()
    return [root / "include", root / "include" / "vltstd", Path(pybind11.get_include()),
            Path(sysconfig.get_paths()["include"])]


def runtime_key() -> str:
    """A hash of what the runtime is made of: toolchain versions, flags and the harness sources."""
    parts = [
        subprocess.run([str(VERILATOR), "--version"], capture_output=True, text=True, check=True).stdout,
        subprocess.run(["g++", "--version"], capture_output=True, text=True, check=True).stdout,
        str(verilator_root()), pybind11.__version__, sys.version, sysconfig.get_config_var("EXT_SUFFIX") or "",
        " ".join(HARNESS_FLAGS), _STUB, HARNESS.read_text(), HARNESS_HEADER.read_text(),
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:24]


def cached_runtime() -> Path:
    """The runtime for this toolchain, from the user's cache, built there on first use.

    Under `bazel test` the cache is the test's $TEST_TMPDIR: a sandboxed test may not write to $HOME.
    """
    base = Path(os.environ["TEST_TMPDIR"]) if os.environ.get("TEST_TMPDIR") else user_cache_dir()
    path = base / "sim-runtime" / runtime_key() / "runtime.a"
    if not path.is_file():
        build_runtime(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the simulator runtime archive every design links")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    build_runtime(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
