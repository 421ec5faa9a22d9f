"""Timing diagrams of the two tops, taken from a real simulation (never drawn by hand).

    ./bazelw run //docs:waves              # print them
    ./bazelw run //docs:waves -- --write   # rewrite docs/waves/*.json and the diagrams in docs/interface.md

A tiny design (`y = x * 3 + 1` on two int32 elements) is compiled with each
interface and simulated with a waveform; the top's ports, sampled once a cycle
just before the rising edge (what the circuit sees at that edge), become a
WaveDrom JSON file (docs/waves/, for wavedrom's editor or any renderer) and a
text diagram in docs/interface.md between its `<!-- wave:NAME -->` markers.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from docs.markers import splice

PAGE = Path("docs") / "interface.md"
WAVES = Path("docs") / "waves"
INTERFACES = ("memory", "stream")


@dataclass(frozen=True)
class Trace:
    """Each top-level signal's value in each cycle (None: unknown), in port order; `data_widths` splits a store
    request's packed {address, data} for its label."""

    signals: dict[str, list[int | None]]
    widths: dict[str, int]
    data_widths: dict[str, int] = field(default_factory=dict)

    def label(self, name: str, value: int) -> str:
        """A payload as a reader wants it: signed decimal, a store request as `address:data`."""
        if name in self.data_widths:
            low = self.data_widths[name]
            return f"{value >> low}:{_signed(value & ((1 << low) - 1), low)}"
        return str(_signed(value, self.widths[name]))


def _signed(value: int, width: int) -> int:
    return value - (1 << width) if width and value >> (width - 1) else value


def read_vcd(text: str, scope: str = "TOP") -> Trace:
    """The signals declared directly in `scope`, sampled at every falling-edge dump of `clock`.

    The harness evaluates the new inputs with the clock low and dumps, then raises the clock:
    the dump with the clock low is the cycle as the rising edge sees it.
    """
    codes: dict[str, str] = {}
    widths: dict[str, int] = {}
    depth, inside = 0, False
    lines = iter(text.splitlines())
    for line in lines:
        words = line.split()
        if words[:2] == ["$scope", "module"]:
            depth += 1
            inside = depth == 1 and words[2] == scope
        elif words[:1] == ["$upscope"]:
            depth -= 1
            inside = False
        elif words[:1] == ["$var"] and inside:
            name = words[4]
            codes[words[3]] = name
            widths[name] = int(words[2])
        elif words[:1] == ["$enddefinitions"]:
            break
    values: dict[str, int | None] = {name: None for name in widths}
    samples: dict[str, list[int | None]] = {name: [] for name in widths}

    def sample() -> None:
        if values.get("clock") == 0:
            for name in samples:
                samples[name].append(values[name])

    started = False
    for line in lines:
        if line.startswith("#"):
            if started:
                sample()
            started = True
        elif line.startswith("b"):
            bits, code = line[1:].split()
            if code in codes:
                values[codes[code]] = None if re.search("[xz]", bits) else int(bits, 2)
        elif line[:1] in "01xz" and line[1:] in codes:
            values[codes[line[1:]]] = None if line[0] in "xz" else int(line[0])
    sample()
    return Trace(samples, widths)


def payload_valid(trace: Trace, name: str) -> str | None:
    """The valid that qualifies a payload port (`x_ld0_addr` -> `x_ld0_addr_valid`, `y_tdata` -> `y_tvalid`)."""
    for candidate in (f"{name}_valid", re.sub(r"_t(data|last)$", "_tvalid", name)):
        if candidate != name and candidate in trace.signals:
            return candidate
    return None


def _shown(trace: Trace, name: str) -> list[int | None]:
    """A payload's value only while its valid is high (don't care otherwise: None)."""
    valid = payload_valid(trace, name)
    samples = trace.signals[name]
    return samples if valid is None else [v if trace.signals[valid][c] else None for c, v in enumerate(samples)]


def wavedrom(trace: Trace, title: str) -> dict:
    """WaveDrom's JSON: a clock, then each port, a payload labelled with its value while valid."""
    rows: list[dict] = [{"name": "clock", "wave": "p" + "." * (len(trace.signals["clock"]) - 1)}]
    for name in trace.signals:
        if name == "clock":
            continue
        wave, data, last = "", [], object()
        for value in _shown(trace, name):
            if value == last:
                wave += "."
            elif value is None:
                wave += "x"
            elif trace.widths[name] == 1:
                wave += str(value)
            else:
                wave += "="
                data.append(trace.label(name, value))
            last = value
        rows.append({"name": name, "wave": wave, **({"data": data} if data else {})})
    return {"signal": rows, "head": {"text": title}, "config": {"hscale": 1}}


def text_diagram(trace: Trace, cell: int = 5) -> str:
    """One row per port, `cell` characters per cycle: `‾` high, `_` low, a payload's value where it
    becomes valid or changes (running on into the cycles that repeat it), blank while not valid."""
    cycles = len(trace.signals["clock"])
    names = [n for n in trace.signals if n != "clock"]
    width = max(len(n) for n in names)
    rows = [" " * width + " " + "".join(f"{c:<{cell}}" for c in range(0, cycles)).rstrip()]
    for name in names:
        shown = _shown(trace, name)
        chars = [" "] * (cycles * cell)
        for c, value in enumerate(shown):
            if value is not None and trace.widths[name] == 1:
                chars[c * cell:(c + 1) * cell] = ("‾" if value else "_") * cell
            elif value is not None and (c == 0 or shown[c - 1] != value):
                label = trace.label(name, value)
                end = next((k for k in range(c + 1, cycles) if shown[k] != value), cycles) * cell
                label = label[: end - c * cell]
                chars[c * cell: c * cell + len(label)] = label
                chars[c * cell + len(label): end] = "·" * (end - c * cell - len(label))
        rows.append(f"{name:<{width}} {''.join(chars).rstrip()}")
    return "\n".join(rows)


def in_port_order(trace: Trace, ports: tuple[str, ...], first_cycle: int, data_widths: dict[str, int]) -> Trace:
    """The clock and `ports` in that order, from `first_cycle` on."""
    names = ["clock", *ports]
    return Trace({n: trace.signals[n][first_cycle:] for n in names}, {n: trace.widths[n] for n in names}, data_widths)


def _simulate(interface: str, work: Path) -> Trace:
    import torch

    import torch_circt

    class ScaleShift(torch.nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x * 3 + 1

    x = torch.tensor([5, -2], dtype=torch.int32)
    options = torch_circt.Options(rtl=torch_circt.RtlOptions(interface=interface),
                                  sim=torch_circt.SimOptions(waveform=True))
    design = torch_circt.compile(ScaleShift(), (x,), target="rtl", name="scale_shift", options=options)
    vcd = work / f"{interface}.vcd"
    design.simulate(x, vcd=vcd)
    trace = read_vcd(vcd.read_text())
    last_reset = max(c for c, v in enumerate(trace.signals["reset"]) if v)
    requests = {s.request.data: s.data_width for m in design.manifest.memories for s in m.stores if s.request.data}
    return in_port_order(trace, tuple(p for p in design.manifest.top_ports() if p != "clock"), last_reset, requests)


def _marked(name: str) -> tuple[str, str]:
    return f"<!-- wave:{name} -->", f"<!-- wave:{name}:end -->"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite docs/waves/*.json and the page's diagrams")
    args = parser.parse_args(argv)
    root = Path(os.environ.get("BUILD_WORKSPACE_DIRECTORY", Path(__file__).resolve().parents[1]))
    page = (root / PAGE).read_text()
    with tempfile.TemporaryDirectory() as scratch:
        for interface in INTERFACES:
            trace = _simulate(interface, Path(scratch))
            diagram = text_diagram(trace)
            title = f"scale_shift ({interface} top): y = x * 3 + 1, x = [5, -2]"
            print(f"{title}\n{diagram}\n")
            if args.write:
                (root / WAVES).mkdir(exist_ok=True)
                (root / WAVES / f"{interface}_top.json").write_text(json.dumps(wavedrom(trace, title), indent=1) + "\n")
                page = splice(page, *_marked(interface), f"```text\n{diagram}\n```")
    if args.write:
        (root / PAGE).write_text(page)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
