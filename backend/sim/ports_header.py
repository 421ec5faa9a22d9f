"""Render `ports.h`, the only model-specific C++ the harness needs, from a PortManifest.

The harness (harness.cpp) is generic; this header binds each manifest channel to
small accessor lambdas over the Verilated top, so that a new model changes data,
not code.
"""

from __future__ import annotations

from backend.rtl.manifest import Channel, PortManifest


def _getter(port: str) -> str:
    return f"[t]() {{ return t->{port} != 0; }}"


def _setter(port: str) -> str:
    return f"[t](bool v) {{ t->{port} = v; }}"


def _channel(channel: Channel, *, tb_drives_valid: bool, label: str) -> str:
    """Channel{name, valid, ready, set_valid, set_ready}: the side the harness drives gets a setter."""
    if tb_drives_valid:
        parts = ["nullptr", _getter(channel.ready), _setter(channel.valid), "nullptr"]
    else:
        parts = [_getter(channel.valid), "nullptr", "nullptr", _setter(channel.ready)]
    return f'Channel{{"{label}", {", ".join(parts)}}}'


def _address(channel: Channel) -> str:
    if channel.data is None:  # a one-entry memory has a zero-width address
        return "uint64_t{0}"
    return f"read_field(t->{channel.data}, 0, {channel.width})"


def render_ports_header(manifest: PortManifest, module_name: str) -> str:
    lines = [
        "// Generated from the port manifest by backend/sim/ports_header.py. Do not edit.",
        "#pragma once",
        f"#define MODULE_NAME {module_name}",
        f'#define TOP_NAME "{manifest.top}"',
        f"static constexpr size_t NUM_MEMS = {len(manifest.memories)};",
        "static const MemInfo MEMS[] = {",
    ]
    lines += [f'  {{"{m.name}", {m.depth}u, {m.element_width}}},' for m in manifest.memories]
    if not manifest.memories:
        lines.append('  {"", 0u, 0},')
    lines += [
        "};",
        "static void bind_ports(Vtop* t, std::vector<LoadBind>& loads, std::vector<StoreBind>& stores, Control& ctl) {",
        f"  ctl.start = {_channel(manifest.start, tb_drives_valid=True, label=manifest.start.valid[:-6])};",
        f"  ctl.done = {_channel(manifest.done, tb_drives_valid=False, label=manifest.done.valid[:-6])};",
        f"  ctl.clock = [t](uint8_t v) {{ t->{manifest.clock} = v; }};",
        f"  ctl.reset = [t](uint8_t v) {{ t->{manifest.reset} = v; }};",
    ]
    for index, memory in enumerate(manifest.memories):
        for load in memory.loads:
            addr = _channel(load.addr, tb_drives_valid=False, label=f"{load.name}_addr")
            data = _channel(load.data, tb_drives_valid=True, label=f"{load.name}_data")
            lines.append(
                f"  loads.push_back(LoadBind{{{index}, {addr}, {data}, "
                f"[t]() {{ return {_address(load.addr)}; }}, "
                f"[t](uint64_t v) {{ write_value(t->{load.data.data}, v); }}}});"
            )
        for store in memory.stores:
            request = _channel(store.request, tb_drives_valid=False, label=store.request.data or store.name)
            done = _channel(store.done, tb_drives_valid=True, label=f"{store.name}_done")
            lines.append(
                f"  stores.push_back(StoreBind{{{index}, {request}, {done}, {store.addr_width}, {store.data_width}, "
                f"[t](int lo, int w) {{ return read_field(t->{store.request.data}, lo, w); }}}});"
            )
    lines.append("}")
    return "\n".join(lines) + "\n"
