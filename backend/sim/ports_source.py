"""Render `ports.cpp`, the only model-specific C++ of a simulator, from a PortManifest.

The harness (harness.cpp) is generic and built once; this file makes the
Verilated top, points the harness at each manifest channel's ports (see
harness.h) and gives the extension its module name, so that a new model changes
data, not code, and compiles one small file against its own headers. A stream top's
start and done are its inner circuit's, not ports: they stay unbound, and its
AXI4-Stream ports are bound instead.
"""

from __future__ import annotations

from backend.rtl.manifest import Channel, PortManifest, StreamPort

_NO_PORT = "Signal{}"


def _port(name: str | None) -> str:
    return _NO_PORT if name is None else f"port(top.{name})"


def _channel(channel: Channel, label: str) -> str:
    return f'Channel{{"{label}", {_port(channel.valid)}, {_port(channel.ready)}}}'


def _stream(index: int, stream: StreamPort) -> str:
    handshake = f'Channel{{"{stream.tdata}", {_port(stream.tvalid)}, {_port(stream.tready)}}}'
    return f"StreamPort{{{index}, {handshake}, {_port(stream.tdata)}, {_port(stream.tlast)}, {stream.width}}}"


def render_ports_source(manifest: PortManifest, module_name: str) -> str:
    memories = ", ".join(f'{{"{m.name}", {m.depth}u, {m.element_width}}}' for m in manifest.memories)
    lines = [
        "// Generated from the port manifest by backend/sim/ports_source.py. Do not edit.",
        '#include "Vtop.h"',
        '#include "harness.h"',
        "",
        "namespace {",
        "using namespace tcsim;",
        "template <typename T>",
        "Signal port(T& storage) { return Signal{&storage, sizeof storage}; }",
        "",
        "struct Bound final : Model {",
        "  explicit Bound(VerilatedContext& context) : top(&context) {",
    ]
    if manifest.interface != "stream":
        lines += [
            f"    start = {_channel(manifest.start, manifest.start.valid.removesuffix('_valid'))};",
            f"    done = {_channel(manifest.done, manifest.done.valid.removesuffix('_valid'))};",
        ]
    lines += [f"    clock = port(top.{manifest.clock});", f"    reset = port(top.{manifest.reset});"]
    for index, memory in enumerate(manifest.memories):
        if memory.stream is not None:
            side = "stream_inputs" if memory.stream.direction == "in" else "stream_outputs"
            lines.append(f"    {side}.push_back({_stream(index, memory.stream)});")
        for load in memory.loads:
            addr = _channel(load.addr, f"{load.name}_addr")
            data = _channel(load.data, f"{load.name}_data")
            lines.append(f"    loads.push_back(LoadPort{{{index}, {addr}, {data}, {_port(load.addr.data)}, "
                         f"{load.addr.width}, {_port(load.data.data)}}});")
        for store in memory.stores:
            request = _channel(store.request, store.request.data or store.name)
            done = _channel(store.done, f"{store.name}_done")
            lines.append(f"    stores.push_back(StorePort{{{index}, {request}, {done}, {_port(store.request.data)}, "
                         f"{store.addr_width}, {store.data_width}}});")
    lines += [
        "  }",
        "  void eval() override { top.eval(); }",
        "  void final() override { top.final(); }",
        "  Vtop top;",
        "};",
        "}  // namespace",
        "",
        "const Design& tcsim::design() {",
        f'  static const Design d{{"{manifest.top}", Vtop::traceCapable, {{{memories}}},',
        "                         [](VerilatedContext& c) -> std::unique_ptr<Model> { return std::make_unique<Bound>(c); }};",
        "  return d;",
        "}",
        "",
        'extern "C" struct _object* PyInit_torch_circt_sim();',
        f'extern "C" __attribute__((visibility("default"))) struct _object* PyInit_{module_name}() {{',
        "  return PyInit_torch_circt_sim();",
        "}",
    ]
    return "\n".join(lines) + "\n"
