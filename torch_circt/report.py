"""A design's report: `report.json` (for machines), `report.md` and the terminal summary (for people).

All three are rendered from one dict, `build_report`, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch

from frontend.quantize import render_error_report
from torch_circt.artifacts import artifact_names

REPORT_VERSION = 1
IDEAL_DEFINITION = (
    "sum over every innermost loop of the lowered loop nest (linalg on memrefs -> affine loops, "
    "the input of the rtl 'lower-to-affine' stage) of its iterations times those of its enclosing loops: "
    "the cycles a circuit would need that starts one innermost iteration per cycle"
)



@dataclass(frozen=True)
class RunInfo:
    """What only the caller knows: where the model came from and where the files went."""

    source: str | None = None
    inputs: str = "example inputs"
    output_dir: str | None = None
    wall_seconds: float | None = None
    extra_times: tuple[tuple[str, str, float], ...] = ()
    all_ir: bool = False


def build_report(designs: list, info: RunInfo | None = None) -> dict:
    """One report over the designs of one model (one per target), each with its latest check."""
    info = info or RunInfo()
    first = designs[0]
    times = [*({"group": g, "name": n, "seconds": s} for g, n, s in info.extra_times)]
    seen: set[tuple[str, str]] = set()
    for design in designs:
        for stage in [*design.stages, *design.synth_stages]:
            if (stage.group, stage.name) not in seen:  # the frontend ran once per target; report it once
                seen.add((stage.group, stage.name))
                times.append({"group": stage.group, "name": stage.name, "seconds": stage.seconds})
    checks = {c.target: c for d in designs for c in d.checks}  # the latest check of each target (rtl, cpu, netlist)
    report: dict = {
        "version": REPORT_VERSION,
        "model": first.name,
        "source": info.source or first.source,
        "inputs": info.inputs,
        "output_dir": info.output_dir,
        "backends": [d.target for d in designs],
        "emit": first.options.emit,
        "matched": all(c.matched for c in checks.values()) if checks else None,
        "checks": {t: {"matched": c.matched, "results": [asdict(r) for r in c.results]} for t, c in checks.items()},
        "tolerance": asdict(first.options.tolerance),
        "baked_arguments": [asdict(b) for b in first.metadata.baked],
        "python_results": dict(first.metadata.python_results),
        "timings": {
            "stages": times,
            "compile_seconds": sum(t["seconds"] for t in times if t["group"] in ("frontend", "rtl")),
            "wall_seconds": info.wall_seconds,
        },
        "files": sorted(artifact_names(designs, all_ir=info.all_ir)),
        "toolchain": {"torch": torch.__version__},
    }
    if first.quantization is not None:
        report["quantization"] = first.quantization
    rtl = next((d for d in designs if d.target == "rtl"), None)
    if rtl is not None and rtl.manifest is not None:
        report["rtl"] = _rtl_section(rtl, checks.get("rtl"))
        if "rtl" in checks:
            report["timings"] |= {"verilator_seconds": rtl.build_seconds,
                                  "simulation_seconds": checks["rtl"].simulation.seconds}
    if rtl is not None and rtl.synthesis is not None:
        report["synthesis"] = _synthesis_section(rtl, report["rtl"]["cycles"], checks.get("netlist"))
        report["timings"]["synthesis_seconds"] = sum(s.seconds for s in rtl.synth_stages)
        if "netlist" in checks:
            report["timings"] |= {"netlist_verilator_seconds": rtl.netlist_build_seconds,
                                  "netlist_simulation_seconds": checks["netlist"].simulation.seconds}
    return report


def _synthesis_section(design, cycles: int | None, netlist_check) -> dict:
    """Latency is the simulated cycles at Fmax: the RTL's, or the netlist's where only the netlist ran."""
    synth = design.synthesis
    if cycles is None and netlist_check is not None:
        cycles = netlist_check.simulation.cycles
    return {
        **synth.to_json(),
        "family": design.options.synth.family,
        "cycles": cycles,
        "latency_us": synth.latency_us(cycles) if cycles else None,
        "netlist_matched": netlist_check.matched if netlist_check else None,
        "netlist_cycles": netlist_check.simulation.cycles if netlist_check else None,
    }


def _rtl_section(design, check) -> dict:
    loops, hardware = design.loops, design.hardware  # computed once, in the compile's worker
    cycles = check.simulation.cycles if check else None
    ideal = loops.innermost_iterations if loops else None
    return {
        "top": design.manifest.top,
        "cycles": cycles,
        "ideal_cycles": ideal,
        "ideal_definition": IDEAL_DEFINITION,
        "ratio": cycles / ideal if cycles and ideal else None,
        "loop_nests": loops.loop_nests if loops else None,
        "folds": list(design.folds),
        "outputs_side_by_side": list(design.outputs_side_by_side),
        "stages": [{"top": part.name, "folds": list(part.folds), "outputs_side_by_side": list(part.outputs_side_by_side),
                    "loop_nests": part.loops.loop_nests,
                    "ideal_cycles": part.loops.innermost_iterations} for part in design.parts],
        "memory_accesses": {"loads": loops.loads, "stores": loops.stores} if loops else None,
        "hardware": hardware.to_json() if hardware else None,
        "interface": _interface(design.manifest),
    }


def _interface(manifest) -> dict:
    """The top's ports by the tensor each memory holds (docs/interface.md, "Names"): what a user wires up."""
    return {
        "clock": manifest.clock, "reset": manifest.reset,
        "start": manifest.start.valid.removesuffix("_valid"), "done": manifest.done.valid.removesuffix("_valid"),
        "interface": manifest.interface, "ports": list(manifest.top_ports()),
        "memories": [{"tensor": m.name, "role": m.role, "dtype": m.dtype, "shape": list(m.shape),
                      "ports": [*(p.name for p in m.loads), *(p.name for p in m.stores)], "rom": m.rom,
                      "stream": m.stream.tdata.removesuffix("_tdata") if m.stream else None}
                     for m in manifest.memories],
    }


def _interface_markdown(rtl: dict) -> list[str]:
    interface = rtl["interface"]
    if interface.get("interface") == "stream":
        handshakes = ("Each argument is an AXI4-Stream slave and each result a master (`_tdata`, `_tvalid`, `_tready`, "
                      "`_tlast`), one element per transfer, row-major (docs/interface.md, \"Streams\").")
    else:
        handshakes = (f"start `{interface['start']}_valid`/`_ready`, done `{interface['done']}_valid`/`_ready`. Each memory "
                      "port is a valid/ready channel (`_addr`, `_data`; a store's packed request and its `_done`).")
    lines = ["", "## Interface", "", f"Top module `{rtl['top']}`: clock `{interface['clock']}`, reset `{interface['reset']}` "
             f"(synchronous, active high); {handshakes}", "",
             "| tensor | role | dtype | shape | ports |", "| --- | --- | --- | --- | --- |"]
    for memory in interface["memories"]:
        inside = f"none: inside the circuit, ROM `{memory['rom']}`" if memory.get("rom") else "none (unused by the circuit)"
        ports = f"stream `{memory['stream']}`" if memory.get("stream") else ", ".join(f"`{p}`" for p in memory["ports"]) or inside
        lines.append(f"| `{memory['tensor']}` | {memory['role']} | {memory['dtype']} | {memory['shape']} | {ports} |")
    if interface.get("ports"):
        width = max(len(p) for p in interface["ports"])
        connections = [f"    .{p:<{width}} ({p})" for p in interface["ports"]]
        lines += ["", "Instantiation template (connect each port to a signal of your own):", "", "```systemverilog",
                  f"{rtl['top']} u_{rtl['top']} (", ",\n".join(connections), ");", "```"]
    return lines


def _in_flow_order(checks: dict) -> list[tuple[str, dict]]:
    """rtl, cpu, then the netlist synthesised from the rtl (report.json sorts its keys)."""
    order = ("rtl", "cpu", "netlist")
    return sorted(checks.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order))


def _fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def _accesses(counts: dict | None) -> str:
    return "n/a" if counts is None else f"{counts['loads']} loads, {counts['stores']} stores"


def render_markdown(report: dict) -> str:
    lines = [f"# torch-circt report: {report['model']}", "",
             f"Model `{report['source']}`, inputs: {report['inputs']}. Backends: {', '.join(report['backends'])}.", "",
             *_signature_notes(report),
             "## Check against PyTorch", "", "| backend | result | verdict | detail |", "| --- | --- | --- | --- |"]
    for backend, check in _in_flow_order(report["checks"]):
        for result in check["results"]:
            verdict = "bit-exact match" if result["matched"] else "MISMATCH"
            lines.append(f"| {backend} | `{result['name']}` | {verdict} | {result['problem'] or ''} |")
    tol = report["tolerance"]
    lines += ["", f"Integers must match bit for bit; float results within rtol={tol['rtol']}, atol={tol['atol']} "
              f"(float16: rtol, atol = {tuple(tol['float16'])}; bfloat16: {tuple(tol['bfloat16'])})."]
    rtl = report.get("rtl")
    if rtl:
        lines += _interface_markdown(rtl)
    if rtl and rtl.get("folds"):
        lines += ["", "## Folds", "", f"Steps per iteration of each reduction loop nest, in program order: "
                  f"{', '.join(map(str, rtl['folds']))} (fold-reductions; the ideal bound below counts the loops unfolded)."]
    if rtl and max(rtl.get("outputs_side_by_side") or [1]) > 1:
        lines += ["", "## Outputs side by side", "", "Outputs per iteration of each loop around a reduction, in program "
                  f"order: {', '.join(map(str, rtl['outputs_side_by_side']))} (unroll-outputs; with all of a layer's "
                  "outputs, its epilogue per output: fuse-epilogues); the ideal bound below counts the loops one output "
                  "at a time."]
    if rtl and rtl.get("stages"):
        lines += ["", "## Stages", "", "Layers as concurrent stages (dataflow): one circuit each, chained stream to stream, "
                  "each on its own inference; a stream's interval is the slowest stage's.", "",
                  "| stage | folds | outputs side by side | loop nests | ideal cycles |", "|---|---|---|---|---|",
                  *(f"| `{s['top']}` | {', '.join(map(str, s['folds'])) or '1'} | "
                    f"{', '.join(map(str, s['outputs_side_by_side'])) or '1'} | {s['loop_nests']} | {s['ideal_cycles']} |"
                    for s in rtl["stages"])]
    if rtl and rtl["cycles"] is not None:
        lines += ["", "## Cycles", "", f"- simulated: **{rtl['cycles']}** cycles (Verilator, from start token to done)",
                  f"- ideal lower bound: {rtl['ideal_cycles']} cycles", f"- ratio simulated / ideal: {_fmt_ratio(rtl['ratio'])}",
                  "", f"The bound is the {rtl['ideal_definition']}. Loop nests: {rtl['loop_nests']}; memory accesses "
                  f"in innermost bodies: {_accesses(rtl['memory_accesses'])}. A ratio well above 1 means the dataflow circuit does "
                  "not overlap loop iterations (no pipelining) and pays handshake latency per access."]

        hardware = rtl.get("hardware")
        if hardware:
            lines += ["", "## Hardware estimate", "", f"Counted in the {hardware['source']}; pre-synthesis, "
                      "so an upper bound on what synthesis keeps.", "", "| unit | count | bits |", "| --- | --- | --- |"]
            lines += [f"| {k} | {v['count']} | {v['bits']} |" for k, v in hardware["units"].items()]
            lines += [f"| memory inside the circuit (seq.hlmem, parameter ROMs) | | {hardware['internal_memory_bits']} |",
                      f"| memory outside (arguments, results, parameters left as ports) | | {hardware['external_memory_bits']} |",
                      "", f"{hardware['module_definitions']} module definitions, {hardware['instances']} instances."]
    if "quantization" in report:
        lines += ["", *render_error_report(report["quantization"])]
    lines += _synthesis_markdown(report.get("synthesis"))
    timings = report["timings"]
    lines += ["", "## Time", "", "| stage | seconds |", "| --- | --- |"]
    lines += [f"| {t['group']}: {t['name']} | {t['seconds']:.3f} |" for t in timings["stages"]]
    lines += ["", f"Compile (frontend + rtl stages): {timings['compile_seconds']:.2f} s."]
    if "verilator_seconds" in timings:
        lines.append(f"Verilator build: {timings['verilator_seconds']:.1f} s; simulation: {timings['simulation_seconds']:.3f} s.")
    if timings["wall_seconds"] is not None:
        lines += [f"Whole job: {timings['wall_seconds']:.1f} s (from toolchain imports to this report; "
                  "the interpreter's own start is not included)."]
    lines += ["", "## Files", ""]
    lines += [f"- `{name}`" for name in report["files"]]
    return "\n".join(lines) + "\n"


def _signature_notes(report: dict) -> list[str]:
    """What torch.export specialised: baked-in arguments, and Python scalars returned as 0-d tensors."""
    lines = []
    if report["baked_arguments"]:
        baked = ", ".join(f"`{b['name']}` = {b['value']} ({b['kind']})" for b in report["baked_arguments"])
        lines += [f"Baked in at their example values (the circuit has them wired in; recompile to change them): "
                  f"{baked}.", ""]
    if report["python_results"]:
        returned = ", ".join(f"`{n}` ({k})" for n, k in report["python_results"].items())
        lines += [f"Returned by forward as Python scalars, compared as 0-d tensors (int as int64, float as "
                  f"float64): {returned}.", ""]
    return lines
def _synthesis_markdown(synth: dict | None) -> list[str]:
    if not synth:
        return []
    available = synth["available"]

    def row(label: str, key: str) -> str:
        total = available.get(key)
        share = f"{100 * synth[key] / total:.1f} %" if total else ""
        return f"| {label} | {synth[key]} | {total if total is not None else ''} | {share} |"

    required = f", {synth['clock_mhz']:g} MHz required" if synth["clock_mhz"] else " (no clock required)"
    latency = f"{synth['latency_us']:.2f} µs ({synth['cycles']} cycles at Fmax)" if synth["latency_us"] else "n/a"
    netlist = {True: "MATCH: the post-synthesis netlist, simulated, computes what PyTorch computes bit for bit",
               False: "MISMATCH: the post-synthesis netlist disagrees with PyTorch (see the check above)",
               None: "not simulated"}[synth["netlist_matched"]]
    return ["", f"## FPGA synthesis: {synth['device']}, speed grade {synth['speed']}", "",
            "Yosys `synth_ecp5`, then nextpnr-ecp5 placed and routed out of context (no I/O pins; "
            "the clock routed in the fabric).", "",
            "| resource | used | available | share |", "| --- | --- | --- | --- |",
            row("LUT4 (logic and carry)", "luts"), row("flip-flops", "ffs"), row("DSP multipliers (MULT18X18D)", "dsps"),
            row("block RAM (DP16KD)", "brams"), row("LUT RAM write ports", "lutrams"), "",
            f"- Fmax: **{synth['fmax_mhz']:.1f} MHz**{required}", f"- latency: **{latency}**",
            f"- netlist check: {netlist}"]


def render_summary(report: dict) -> str:
    """The table printed on stdout at the end of a run."""
    rows = [("backend", "verdict", "cycles", "ideal", "ratio")]
    rtl = report.get("rtl") or {}
    for backend, check in _in_flow_order(report["checks"]):
        good = sum(r["matched"] for r in check["results"])
        verdict = f"{'MATCH' if check['matched'] else 'MISMATCH'} {good}/{len(check['results'])}"
        if backend == "rtl":
            rows.append((backend, verdict, str(rtl.get("cycles")), str(rtl.get("ideal_cycles")), _fmt_ratio(rtl.get("ratio"))))
        elif backend == "netlist":
            cycles = report["synthesis"]["netlist_cycles"]
            ideal = rtl.get("ideal_cycles")
            rows.append((backend, verdict, str(cycles), str(ideal), _fmt_ratio(cycles / ideal if cycles and ideal else None)))
        else:
            rows.append((backend, verdict, "-", "-", "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    table = ["  " + "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    t = report["timings"]
    times = f"compile {t['compile_seconds']:.2f} s"
    if "verilator_seconds" in t:
        times += f", verilator build {t['verilator_seconds']:.1f} s, simulate {t['simulation_seconds']:.3f} s"
    if t["wall_seconds"] is not None:
        times += f", total {t['wall_seconds']:.1f} s"
    synth = report.get("synthesis")
    if synth:
        times += f", synthesis {t['synthesis_seconds']:.0f} s"
        if "netlist_verilator_seconds" in t:
            times += f", netlist build {t['netlist_verilator_seconds']:.0f} s"
    lines = [f"torch-circt: {report['model']} -> {report['output_dir']}", *table, f"  {times}"]
    if synth:
        latency = f"{synth['latency_us']:.2f} us" if synth["latency_us"] else "n/a"
        lines.append(f"  {synth['device']}-{synth['speed']}: {synth['luts']} LUT4, {synth['ffs']} FF, {synth['dsps']} DSP, "
                     f"{synth['brams']} BRAM; Fmax {synth['fmax_mhz']:.1f} MHz; latency {latency}")
    hardware = rtl.get("hardware")
    if hardware:
        units = hardware["units"]
        kinds = ("registers", "adders", "multipliers", "comparators", "muxes")
        lines.append("  hardware: " + ", ".join(f"{units[k]['count']} {k}" for k in kinds)
                     + f"; {units['registers']['bits']} register bits, {hardware['internal_memory_bits']} memory bits")
    return "\n".join(lines)
