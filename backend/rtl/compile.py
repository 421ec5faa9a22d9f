"""compile_to_rtl: linalg-on-tensors MLIR -> SystemVerilog text + port manifest."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from backend.rtl.circt_side import to_handshake_stages, to_sv_stages
from backend.rtl.manifest import PortManifest
from backend.rtl.params import Param
from backend.rtl.ports import read_manifest
from backend.rtl.torch_side import torch_stages
from backend.rtl.transport import transport
from common.errors import TorchCirctError, UnsupportedDtypeError
from common.records import ModelMetadata
from common.stages import Stage, StageLog, run_stages


@dataclass(frozen=True)
class RtlDesign:
    """The generated circuit and how to drive it."""

    sv: str
    manifest: PortManifest


TRANSPORT = Stage(
    "transport",
    transport,
    lambda path: f"python -c 'from backend.rtl.transport import transport; import sys; "
    f"print(transport(open(sys.argv[1]).read()))' {path}",
)


def compile_to_rtl(
    mlir: str,
    metadata: ModelMetadata,
    *,
    dump_dir: Path | None = None,
    log: StageLog | None = None,
) -> RtlDesign:
    """Lower `mlir` (linalg on tensors, one public func) to SystemVerilog."""
    params: list[Param] = []
    first = (*torch_stages(params, len(metadata.args), len(metadata.results), metadata.name), TRANSPORT, *to_handshake_stages())
    handshake = run_stages(first, mlir, model=metadata.name, dump_dir=dump_dir, log=log)
    _check_metadata(metadata)  # the IR scan in rtl-check-dtypes names the op; this catches the rest
    try:
        manifest = read_manifest(handshake, metadata, params)
    except TorchCirctError as error:
        error.model = metadata.name
        raise
    sv = run_stages(
        to_sv_stages(), handshake, model=metadata.name, dump_dir=dump_dir, log=log, first_index=len(first)
    )
    return RtlDesign(sv=sv, manifest=manifest)


def _check_metadata(metadata: ModelMetadata) -> None:
    for spec in (*metadata.args, *metadata.results):
        if not spec.is_integer:
            raise UnsupportedDtypeError(
                message=f"tensor '{spec.name}' has dtype {spec.dtype}; the hardware (RTL) path is "
                "integer-only for now",
                stage="rtl-check-dtypes",
                model=metadata.name,
                hint="cast the model and its inputs to an integer dtype, or run it on the cpu backend",
            )
