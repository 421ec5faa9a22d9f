"""The job's report: `report.json` (for machines), `report.md` and the terminal summary (for people).

All three are rendered from one dict, `build_report`, so they cannot disagree.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import torch

from common.atomic import atomic_write_text
from tools.driver.progress import Progress

REPORT_VERSION = 1
IDEAL_DEFINITION = (
    "sum over every innermost loop of the lowered loop nest (linalg on memrefs -> affine loops, "
    "the input of the rtl 'lower-to-cf' stage) of its iterations times those of its enclosing loops: "
    "the cycles a circuit would need that starts one innermost iteration per cycle"
)


def build_report(job, options, progress: Progress) -> dict:
    rtl = job.rtl
    report: dict = {
        "version": REPORT_VERSION,
        "model": job.model.name,
        "source": str(job.model.source),
        "inputs": job.model.inputs_origin,
        "output_dir": str(job.output_dir),
        "backends": list(options.backends),
        "matched": job.matched,
        "checks": {v.backend: {"matched": v.matched, "results": v.results} for v in job.verdicts},
        "timings": {
            "stages": [asdict(t) for t in progress.times],
            "compile_seconds": progress.total("frontend") + progress.total("rtl"),
            "wall_seconds": job.wall_seconds,
        },
        "files": sorted(job.ir_files + ["metadata.json", "golden.npz", "report.json", "report.md"]),
        "toolchain": {"torch": torch.__version__},
    }
    if rtl is not None:
        report["timings"] |= {"verilator_seconds": rtl.verilator_seconds, "simulation_seconds": rtl.simulation_seconds}
        report["files"] = sorted(report["files"] + [rtl.sv_file, "manifest.json"] + ([rtl.waveform] if rtl.waveform else []))
        report["rtl"] = {
            "top": rtl.top,
            "cycles": rtl.cycles,
            "ideal_cycles": rtl.ideal_cycles,
            "ideal_definition": IDEAL_DEFINITION,
            "ratio": rtl.ratio,
            "loop_nests": rtl.loops.loop_nests if rtl.loops else None,
            "memory_accesses": {"loads": rtl.loops.loads, "stores": rtl.loops.stores} if rtl.loops else None,
            "hardware": rtl.hardware.to_json() if rtl.hardware else None,
        }
    return report


def write_reports(job, options, progress: Progress, out: Path) -> dict:
    report = build_report(job, options, progress)
    atomic_write_text(out / "report.json", json.dumps(report, indent=2, sort_keys=True) + "\n")
    atomic_write_text(out / "report.md", render_markdown(report))
    return report


def _fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def _accesses(counts: dict | None) -> str:
    return "n/a" if counts is None else f"{counts['loads']} loads, {counts['stores']} stores"


def render_markdown(report: dict) -> str:
    lines = [f"# torch-circt report: {report['model']}", "",
             f"Model `{report['source']}`, inputs: {report['inputs']}. Backends: {', '.join(report['backends'])}.", "",
             "## Check against PyTorch", "", "| backend | result | verdict | detail |", "| --- | --- | --- | --- |"]
    for backend, check in report["checks"].items():
        for result in check["results"]:
            verdict = "bit-exact match" if result["matched"] else "MISMATCH"
            lines.append(f"| {backend} | `{result['name']}` | {verdict} | {result['problem'] or ''} |")
    lines += ["", "Integers must match bit for bit; float results (cpu backend only) within rtol=1e-5, atol=1e-6."]
    rtl = report.get("rtl")
    if rtl:
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
            lines += [f"| memory inside the circuit (seq.hlmem) | | {hardware['internal_memory_bits']} |",
                      f"| memory outside (arguments, results, parameters) | | {hardware['external_memory_bits']} |",
                      "", f"{hardware['module_definitions']} module definitions, {hardware['instances']} instances."]
    timings = report["timings"]
    lines += ["", "## Time", "", "| stage | seconds |", "| --- | --- |"]
    lines += [f"| {t['group']}: {t['name']} | {t['seconds']:.3f} |" for t in timings["stages"]]
    lines += ["", f"Compile (frontend + rtl stages): {timings['compile_seconds']:.2f} s."]
    if "verilator_seconds" in timings:
        lines.append(f"Verilator build: {timings['verilator_seconds']:.1f} s; simulation: {timings['simulation_seconds']:.3f} s.")
    lines += [f"Whole job: {timings['wall_seconds']:.1f} s (from toolchain imports to this report; "
              "the interpreter's own start is not included).", "", "## Files", ""]
    lines += [f"- `{name}`" for name in report["files"]]
    return "\n".join(lines) + "\n"


def render_summary(report: dict) -> str:
    """The table printed on stdout at the end of a run."""
    rows = [("backend", "verdict", "cycles", "ideal", "ratio")]
    rtl = report.get("rtl") or {}
    for backend, check in report["checks"].items():
        good = sum(r["matched"] for r in check["results"])
        verdict = f"{'MATCH' if check['matched'] else 'MISMATCH'} {good}/{len(check['results'])}"
        if backend == "rtl":
            rows.append((backend, verdict, str(rtl.get("cycles")), str(rtl.get("ideal_cycles")), _fmt_ratio(rtl.get("ratio"))))
        else:
            rows.append((backend, verdict, "-", "-", "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    table = ["  " + "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    t = report["timings"]
    times = f"compile {t['compile_seconds']:.2f} s"
    if "verilator_seconds" in t:
        times += f", verilator build {t['verilator_seconds']:.1f} s, simulate {t['simulation_seconds']:.3f} s"
    lines = [f"torch-circt: {report['model']} -> {report['output_dir']}", *table, f"  {times}, total {t['wall_seconds']:.1f} s"]
    hardware = rtl.get("hardware")
    if hardware:
        units = hardware["units"]
        lines.append("  hardware: " + ", ".join(f"{units[k]['count']} {k}" for k in ("registers", "adders", "multipliers", "comparators", "muxes"))
                     + f"; {units['registers']['bits']} register bits, {hardware['internal_memory_bits']} memory bits")
    return "\n".join(lines)
