"""The names of the emitted hardware: the model's, not CIRCT's (docs/interface.md, "Names").

CIRCT names the top `main`, the ports of memory interface k `in{k}_ld{n}.addr`,
`in{k}_ld{n}.data`, `in{k}_st{n}` and `in{k}_st{n}.done`, the start token
`in{N}`, the done token `out0`, and every other module generically
(`handshake_fork_in_ui32_out_ui32_ui32`), so two designs could not share a
netlist. Here each port takes the name of the tensor its memory holds
(`x_ld0_addr`, `fc1_weight_ld0_data`), start and done are `start`/`done`, the
top takes the design's name and every other module gets it as a prefix. The
stage that renames the IR (circt_side/name_hardware.py) and the manifest reader
(circt_side/ports.py) both ask this module, so the SystemVerilog and the
manifest cannot disagree. It imports no MLIR.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from backend.rtl.attributes import Param
from common.dtypes import BY_ELEMENT
from common.records import ModelMetadata, NamedConstant, rearranged_digest, values_digest

# IEEE 1800-2017 reserved words: a top module named like one would not parse.
SV_KEYWORDS = frozenset("""
accept_on alias always always_comb always_ff always_latch and assert assign assume automatic before begin bind bins binsof
bit break buf bufif0 bufif1 byte case casex casez cell chandle checker class clocking cmos config const constraint context
continue cover covergroup coverpoint cross deassign default defparam design disable dist do edge else end endcase endchecker
endclass endclocking endconfig endfunction endgenerate endgroup endinterface endmodule endpackage endprimitive endprogram
endproperty endspecify endsequence endtable endtask enum event eventually expect export extends extern final first_match for
force foreach forever fork forkjoin function generate genvar global highz0 highz1 if iff ifnone ignore_bins illegal_bins
implements implies import incdir include initial inout input inside instance int integer interconnect interface intersect
join join_any join_none large let liblist library local localparam logic longint macromodule matches medium modport module
nand negedge nettype new nexttime nmos nor noshowcancelled not notif0 notif1 null or output package packed parameter pmos
posedge primitive priority program property protected pull0 pull1 pulldown pullup pulsestyle_ondetect pulsestyle_onevent
pure rand randc randcase randsequence rcmos real realtime ref reg reject_on release repeat restrict return rnmos rpmos rtran
rtranif0 rtranif1 s_always s_eventually s_nexttime s_until s_until_with scalared sequence shortint shortreal showcancelled
signed small soft solve specify specparam static string strong strong0 strong1 struct super supply0 supply1 sync_accept_on
sync_reject_on table tagged task this throughout time timeprecision timeunit tran tranif0 tranif1 tri tri0 tri1 triand trior
trireg type typedef union unique unique0 unsigned until until_with untyped use uwire var vectored virtual void wait wait_order
wand weak weak0 weak1 while wildcard wire with within wor xnor xor
""".split())

CLOCK, RESET, START, DONE = "clock", "reset", "start", "done"
# CIRCT's top-level port names, as `handshake-lower-extmem-to-hw` and `lower-esi-ports` leave them.
_MEMORY_PORT = re.compile(r"in(\d+)_(ld|st)(\d+)(?:\.(addr|data|done))?(_valid|_ready)?")
_TOKEN_PORT = re.compile(r"(in|out)\d+(_valid|_ready)?")
CIRCT_TOP = "main"


def sv_identifier(text: str) -> str:
    """`text` as a legal SystemVerilog identifier: ASCII word characters, no leading digit, no reserved word."""
    name = _word(text)
    return f"m_{name}" if name in SV_KEYWORDS else name


def _word(text: str) -> str:
    """ASCII letters, digits and single underscores, not first a digit: a port's prefix, which its suffix
    (`_ld0_addr`) keeps from being a reserved word. Underscores never repeat nor start or end it: Verilator
    escapes `__` in its C++ names (`___05F`), and a harness finds each port under the manifest's name."""
    name = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_") or "model"
    return f"m_{name}" if name[0].isdigit() else name


def unique(names: Sequence[str]) -> tuple[str, ...]:
    """`names` made distinct in order: a repeat gets the first free suffix `_1`, `_2`, ..."""
    taken: set[str] = set()
    out = []
    for name in names:
        candidate, n = name, 0
        while candidate in taken:
            n += 1
            candidate = f"{name}_{n}"
        taken.add(candidate)
        out.append(candidate)
    return tuple(out)


@dataclass(frozen=True)
class MemoryTensor:
    """What one memory of the circuit holds: a model argument, result or parameter (`role`, `index` among them)."""

    role: str
    index: int
    name: str
    dtype: str
    shape: tuple[int, ...]


def memory_tensors(metadata: ModelMetadata, params: Sequence[Param]) -> tuple[MemoryTensor, ...]:
    """Every tensor that was given a memory, in the order of the circuit's memory arguments."""
    return (
        *(MemoryTensor("arg", i, t.name, t.dtype, t.shape) for i, t in enumerate(metadata.args)),
        *(MemoryTensor("result", i, t.name, t.dtype, t.shape) for i, t in enumerate(metadata.results)),
        *(MemoryTensor("param", i, name, BY_ELEMENT[p.element].name, p.shape)
          for i, (p, name) in enumerate(zip(params, param_names(metadata.constants, params), strict=True))),
    )


# The widths a model's integer tensor can have: a widened copy holds its values, read back at the tensor's width.
_WIDTHS = sorted({dtype.bits for dtype in BY_ELEMENT.values()})


def param_names(constants: Sequence[NamedConstant], params: Sequence[Param]) -> tuple[str, ...]:
    """Each parameter memory under the name of the model tensor with its shape and values (`fc1.weight`).

    The same values in the same order but wider (a widening cast the compiler folded in) keep the name; the
    same values in another order (a folded transpose) get it with `.permuted`, so nobody fills that memory in
    the tensor's own layout (the manifest's shape and `init` give the memory's). A constant torch-mlir computed
    otherwise (or written in forward) matches none and keeps its global's name. Equal tensors are named in the
    model's order, each once.
    """
    unclaimed = list(constants)
    names = []
    for param in params:
        digest = values_digest(param.values, BY_ELEMENT[param.element].bits)
        match = next((c for c in unclaimed if c.shape == param.shape and c.digest == digest), None)
        suffix = ""
        if match is None:
            in_order = {values_digest(param.values, bits) for bits in _WIDTHS
                        if all(-(1 << (bits - 1)) <= v < (1 << bits) for v in param.values)}
            match = next((c for c in unclaimed if c.digest in in_order and math.prod(c.shape) == len(param.values)), None)
        if match is None:
            rearranged = rearranged_digest(param.values)
            match = next((c for c in unclaimed if c.rearranged == rearranged and math.prod(c.shape) == len(param.values)), None)
            suffix = ".permuted"
        if match is not None:
            unclaimed.remove(match)
        names.append(match.name + suffix if match is not None else param.name)
    return tuple(names)


def interfaces(tensors: Sequence[MemoryTensor], unused: set[int]) -> dict[int, int]:
    """Tensor position -> memory interface k: the k-th tensor the circuit uses (unused ones were dropped)."""
    return {tensor: k for k, tensor in enumerate(i for i in range(len(tensors)) if i not in unused)}


@dataclass(frozen=True)
class HardwareNames:
    """The top's name and, per memory interface k, the prefix of its ports."""

    top: str
    prefixes: Mapping[int, str]

    def port(self, circt_name: str) -> str:
        """Our name of one of the top's ports, from CIRCT's (with or without `_valid`/`_ready`)."""
        if circt_name in (CLOCK, RESET):
            return circt_name
        memory = _MEMORY_PORT.fullmatch(circt_name)
        if memory:
            k, kind, number, part, handshake = memory.groups()
            if int(k) not in self.prefixes:
                raise ValueError(f"port '{circt_name}' belongs to no memory interface (known: {sorted(self.prefixes)})")
            return f"{self.prefixes[int(k)]}_{kind}{number}{'_' + part if part else ''}{handshake or ''}"
        token = _TOKEN_PORT.fullmatch(circt_name)
        if token:
            return f"{START if token[1] == 'in' else DONE}{token[2] or ''}"
        raise ValueError(f"port '{circt_name}' is neither a memory port, start/done nor clock/reset")

    def module(self, circt_name: str) -> str:
        """The top for CIRCT's `main`; every other module keeps its name behind the top's, so designs can share a netlist."""
        return self.top if circt_name == CIRCT_TOP else f"{self.top}_{circt_name}"


def hardware_names(metadata: ModelMetadata, params: Sequence[Param], unused: set[int]) -> HardwareNames:
    """The names of a design from its metadata and what the torch side recorded on the module."""
    tensors = memory_tensors(metadata, params)
    prefixes = tensor_prefixes([t.name for t in tensors])
    return HardwareNames(sv_identifier(metadata.name), {k: prefixes[i] for i, k in interfaces(tensors, unused).items()})


def tensor_prefixes(tensor_names: Sequence[str]) -> tuple[str, ...]:
    """Each memory tensor's port prefix, in `memory_tensors` order, used by the circuit or not
    (a stream top has a port for every argument)."""
    return unique([_word(name) for name in tensor_names])
