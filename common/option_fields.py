"""Option fields that carry their own command-line help, so every flag is derived from its dataclass field.

A field declared with `option(...)` gets a flag (`--` and its name dashed, unless
`flag` names it), and a switch may name the optional `stages` of the flow it turns
on and off: the option, its flag and its stages are then written in one place.
"""

from __future__ import annotations

import dataclasses
from typing import Any


def option(default: Any, help: str, *, flag: str | None = None, stages: tuple[str, ...] = (), on: Any = True) -> Any:
    """A dataclass field with a command-line flag; `stages` are the optional stages it runs while its value is `on`."""
    return dataclasses.field(default=default, metadata={"help": help, "flag": flag, "stages": stages, "on": on})


def flagged(kind: type) -> list[tuple[str, dataclasses.Field]]:
    """(flag, field) of every field of the dataclass `kind` declared with `option`, in declaration order."""
    return [(field.metadata["flag"] or "--" + field.name.replace("_", "-"), field)
            for field in dataclasses.fields(kind) if "help" in field.metadata]


def stage_switch(options: Any, stage: str) -> bool:
    """Whether `stage` runs under `options`: every switch that names it is on (a stage no switch names always runs)."""
    return all(getattr(options, field.name) == field.metadata["on"] for field in dataclasses.fields(options)
               if stage in field.metadata.get("stages", ()))
