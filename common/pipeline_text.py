"""The one place pass-pipeline strings are built, so option syntax lives nowhere else."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

OptionValue = bool | int | str


def pass_spec(name: str, options: Mapping[str, OptionValue] | None = None) -> str:
    """`name{key=value ...}`; a True flag renders as the bare key, False is dropped."""
    if not options:
        return name
    rendered = []
    for key, value in options.items():
        if value is True:
            rendered.append(key)
        elif value is False:
            continue
        else:
            rendered.append(f"{key}={value}")
    return f"{name}{{{' '.join(rendered)}}}" if rendered else name


def nested(anchor: str, passes: Sequence[str]) -> str:
    """`anchor(p1,p2)`: run `passes` on every op named `anchor`."""
    return f"{anchor}({','.join(passes)})"


def module_pipeline(passes: Sequence[str]) -> str:
    """A full pipeline anchored on the top-level builtin.module, as PassManager.parse wants."""
    return nested("builtin.module", passes)


def stage_name(function: Callable[..., object]) -> str:
    """The stage of one of our pass functions: its name, dashed, so module, function and stage share one name."""
    return function.__name__.replace("_", "-")
