"""Verilate a design and link it with the prebuilt runtime into one Python extension .so.

    python -m backend.sim.build_extension --sv X.sv --manifest X.json --out X_sim.so \\
        --jobs N [--opt-level N] [--runtime runtime.a] [--trace]

Per design only Verilator's model and the small generated ports.cpp are compiled;
Verilator's support library and the harness come from the runtime archive
(backend/sim/runtime.py), built once. The module name is the stem of --out (Python
requires it to match the file name). Everything happens in a temporary directory;
only the finished .so is moved to --out, atomically, so a Bazel genrule sees
exactly one output.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from backend.rtl.manifest import PortManifest
from backend.sim.ports_source import render_ports_source
from backend.sim.runtime import HARNESS_HEADER, cached_runtime
from backend.sim.toolchain import VERILATOR, run
from common.atomic import atomic_write_bytes

# Verilator's makefile precompiles the model's header twice (fast, slow). Measured at -O0
# on ten designs, that changed the build's CPU time by -30 % (mlp_i32) to +22 % (matmul
# 64x64x64), more often up than down; without it there is also no need to patch the
# wheel's empty CFG_CXXFLAGS_PCH_I. So tell make the headers are there and not to use them.
_WITHOUT_PCH = ("VK_PCH_I_FAST=", "VK_PCH_I_SLOW=", "-o", "Vtop__pch.h.fast.gch", "-o", "Vtop__pch.h.slow.gch")
# Optimising the model pays only when it runs long: at -O1 a 64x64x64 matmul (loop bound
# 270k) simulates 2.5x faster than at -O0 for 15 % more build time, while the e2e models
# (loop bounds in the hundreds) finish in milliseconds either way and build 20-40 % slower.
LONG_RUN_LOOP_BOUND = 100_000
LONG_RUN_OPT_LEVEL = 1


def automatic_opt_level(manifest: PortManifest) -> int:
    """The g++ -O of a model that was given none: -O1 for a long run (by its loop bound), else -O0."""
    return LONG_RUN_OPT_LEVEL if (manifest.loop_bound or 0) >= LONG_RUN_LOOP_BOUND else 0


@dataclass(frozen=True)
class BuildTimes:
    verilate: float
    compile: float


def module_name_for(out: Path) -> str:
    name = out.name.split(".")[0]
    if not name.isidentifier():
        raise ValueError(f"--out stem '{name}' is not a valid Python module name")
    return name


def build_extension(
    sv: Path, manifest: PortManifest, out: Path, *, trace: bool = False, module_name: str | None = None,
    keep_build: Path | None = None, opt_level: int | None, jobs: int, runtime: Path | None = None,
    libraries: Sequence[Path] = (),
) -> BuildTimes:
    """Build `out` (a CPython extension) simulating `sv`; returns the time of each step.

    `libraries` are Verilog files whose modules `sv` instantiates (an FPGA's cell models, for a
    synthesised netlist); their folders are searched for the files they include. They are read as
    plain sources in the given order, where the first declaration of a module wins (Verilator warns
    MODDUP about the later ones and drops them): a model listed before Yosys's cells_sim.v replaces
    a blackbox of the same name there (with `-v`, the blackbox won whatever the order); modules
    nothing instantiates are dropped as `-v` would.

    `opt_level` is g++'s -O for the per-cycle code of Verilator's model (None:
    `automatic_opt_level`); its run-once code (construction, initial settling) is
    always -O0, which halves big designs' builds at no cost per cycle. `jobs` is
    the parallel make jobs; the defaults of both live in torch_circt's SimOptions.
    `runtime` is the archive of `backend.sim.runtime`; without it, the user's cached one.
    """
    out = Path(out).absolute()
    name = module_name or module_name_for(out)
    runtime = Path(runtime).absolute() if runtime is not None else cached_runtime()
    build = Path(tempfile.mkdtemp(prefix="torch-circt-verilate-")) if keep_build is None else Path(keep_build).absolute()
    build.mkdir(parents=True, exist_ok=True)
    try:
        (build / "ports.cpp").write_text(render_ports_source(manifest, name))
        (build / "exports.map").write_text(f"{{ global: PyInit_{name}; local: *; }};\n")
        shutil.copy(sv, build / "design.sv")
        opt = f"-O{automatic_opt_level(manifest) if opt_level is None else opt_level}"
        command = [
            str(VERILATOR), "--cc", "design.sv", "ports.cpp", "--top-module", manifest.top, "--prefix", "Vtop",
            "-Mdir", "obj", "--no-timing", "-Wno-fatal", "-Wno-lint", "-Wno-style",
            "-CFLAGS", "-fPIC", "-CFLAGS", f"-I{HARNESS_HEADER.parent}",
            "--output-split", "20000", "--output-split-cfuncs", "2000", "--output-groups", str(jobs),
        ]
        for library in libraries:
            command += [str(Path(library).absolute()), f"-I{Path(library).absolute().parent}"]
        if libraries:
            # A cell model's elaboration-time $fatal/$error (a configuration it does not model) must stop
            # the build, not be one more warning under -Wno-fatal.
            command += ["-Werror-USERFATAL", "-Werror-USERERROR"]
        if trace:
            command.append("--trace")
        start = time.perf_counter()
        run(command, build, "verilator")
        verilated = time.perf_counter() - start
        start = time.perf_counter()
        run(["make", "-f", "Vtop.mk", "-j", str(jobs), "libVtop.a", f"OPT_FAST={opt}", "OPT_SLOW=-O0",
             *_WITHOUT_PCH], build / "obj", "compiling the model")
        library = build / "extension.so"
        run(["g++", "-shared", "-o", str(library), "-Wl,--whole-archive", "obj/libVtop.a", "-Wl,--no-whole-archive",
             str(runtime), "-pthread", "-latomic", "-Wl,--version-script=exports.map"], build, "linking the extension")
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
    parser.add_argument("--opt-level", type=int, help="g++ -O level of the model's per-cycle code (default: by its loop bound)")
    parser.add_argument("--jobs", type=int, required=True, help="parallel make jobs")
    parser.add_argument("--runtime", type=Path, help="the runtime archive (default: built once into the user's cache)")
    args = parser.parse_args(argv)
    times = build_extension(args.sv, PortManifest.load(args.manifest), args.out, trace=args.trace,
                            module_name=args.module_name, keep_build=args.keep_build,
                            opt_level=args.opt_level, jobs=args.jobs, runtime=args.runtime)
    print(f"built {args.out} (verilate {times.verilate:.1f}s, compile and link {times.compile:.1f}s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
