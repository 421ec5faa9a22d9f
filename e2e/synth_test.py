"""One suite case synthesised for an FPGA, its netlist simulated and checked against PyTorch.

    python -m e2e.synth_test --model NAME --synth ecp5 [option flags]

Slow (Yosys and nextpnr: seconds for a small case, minutes for the MLP), so
these tests carry the "synth" tag and are run on request (docs/synthesis.md). The test
passes when the RTL and the post-synthesis netlist both match PyTorch bit for
bit, in the same number of cycles, and the report holds area, Fmax and latency.
"""

from __future__ import annotations

import argparse
import sys

from e2e.suite import get_case
from torch_circt.options import add_arguments, from_arguments


def main(argv: list[str] | None = None) -> int:
    import torch_circt

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    add_arguments(parser)
    args = parser.parse_args(argv)
    options = from_arguments(args)
    if options.synth.family is None:
        parser.error("give --synth FAMILY")
    case = get_case(args.model)
    module, inputs = case.build()
    design = torch_circt.compile(module, inputs, target="rtl", options=options, name=case.name)
    rtl = design.check()
    synthesis = design.synthesize()
    netlist = design.check_netlist()
    synth = design.report["synthesis"]
    print(rtl)
    print(netlist)
    print(f"{synthesis.device}-{synthesis.speed}: {synthesis.luts} LUT4, {synthesis.ffs} FF, {synthesis.dsps} DSP, "
          f"{synthesis.brams} BRAM; Fmax {synthesis.fmax_mhz:.1f} MHz; latency {synth['latency_us']:.3f} us")
    problems = [
        *(["the RTL mismatches PyTorch"] if not rtl.matched else []),
        *(["the netlist mismatches PyTorch"] if not netlist.matched else []),
        *([f"the netlist took {netlist.simulation.cycles} cycles, the RTL {rtl.simulation.cycles}"]
          if netlist.simulation.cycles != rtl.simulation.cycles else []),
        *(["no LUTs or flip-flops: nothing was synthesised"] if synthesis.luts <= 0 or synthesis.ffs <= 0 else []),
        *(["no Fmax"] if not synthesis.fmax_mhz > 0 else []),
    ]
    for problem in problems:
        print(f"FAIL: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
