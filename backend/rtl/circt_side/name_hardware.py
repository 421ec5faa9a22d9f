"""The name-hardware pass: the model's names on the hw IR (hw, after `esi-to-hw`).

The top `main` takes the design's name, its ports the names of the tensors
they carry, and every other module the top's name as a prefix, with each
reference to it (`backend.rtl.names` decides every name). Only names change,
never an op: the circuit, and so its cycle counts, stay what they were.
"""

from __future__ import annotations

import re

from pycde.circt import ir

from backend.rtl.circt_side.ports import module_params, unused_memories
from backend.rtl.ir_walk import block_ops
from backend.rtl.names import CIRCT_TOP, HardwareNames, hardware_names
from common.records import ModelMetadata

# One port of a printed `!hw.modty<...>`: its direction and name, up to the colon before its type.
_MODTY_PORT = re.compile(r"(?:(?<=<)|(?<=, ))(input|output|inout) ([\w.$]+) :")


def name_hardware(module: ir.Module, metadata: ModelMetadata) -> int:
    """Rename the top, its ports and every module of `module`; returns how many modules were renamed."""
    names = hardware_names(metadata, module_params(module), unused_memories(module))
    modules = [op for op in block_ops(module.body) if op.name in ("hw.module", "hw.module.extern")]
    renamed = {_symbol(op): names.module(_symbol(op)) for op in modules}
    if CIRCT_TOP not in renamed:
        raise ValueError(f"no hw.module @{CIRCT_TOP} to name (modules: {', '.join(sorted(renamed))})")
    taken = set(renamed.values())
    if len(taken) != len(renamed):
        raise ValueError(f"two modules would be named alike: {sorted(renamed.values())}")
    for op in modules:
        if _symbol(op) == CIRCT_TOP:
            _rename_ports(op, names)
        op.attributes["sym_name"] = ir.StringAttr.get(renamed[_symbol(op)])
    _rename_references(module.body, renamed)
    return len(modules)


def _symbol(op: ir.Operation) -> str:
    return ir.StringAttr(op.attributes["sym_name"]).value


def _rename_ports(top: ir.Operation, names: HardwareNames) -> None:
    """The top's ports live in its `module_type`: rename each there (the body refers to them by position)."""
    text = str(top.attributes["module_type"])
    renamed = _MODTY_PORT.sub(lambda m: f"{m[1]} {names.port(m[2])} :", text)
    top.attributes["module_type"] = ir.TypeAttr.get(ir.Type.parse(renamed))


def _rename_references(block: ir.Block, renamed: dict[str, str]) -> None:
    """Every symbol reference to a renamed module (hw.instance's `moduleName`), at any depth."""
    for op in block_ops(block):
        attributes = [op.attributes[index] for index in range(len(op.attributes))]
        for named in attributes:
            if isinstance(named.attr, ir.FlatSymbolRefAttr) and named.attr.value in renamed:
                op.attributes[named.name] = ir.FlatSymbolRefAttr.get(renamed[named.attr.value])
        for region in op.regions:
            for inner in region.blocks:
                _rename_references(inner, renamed)
