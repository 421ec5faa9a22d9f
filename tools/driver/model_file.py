"""Turn the command line's model argument into an nn.Module and example inputs.

Two kinds of model file are accepted:

* `model.py[:factory]` — a Python file whose factory (default `model`) returns
  `(nn.Module, example_inputs_tuple)`. A factory with a `seed` parameter gets
  `--seed`; otherwise the seed is unused (we say so on stderr).
* `program.pt2` — a saved `torch.export` program. Its own `example_inputs` are
  used when it was saved with them; otherwise inputs are drawn at random from
  the signature's shapes and dtypes with `--seed` (default 0): integers uniform
  in [-8, 8), bools uniform, floats standard normal.

Every failure here is the user's to fix, so each is a `ModelError` (exit 2).
"""

from __future__ import annotations

import importlib.util
import inspect
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import torch

from common.errors import DynamicShapeError, ModelError
from torch_circt.compiler import identifier

STAGE = "load-model"
DEFAULT_FACTORY = "model"
BUNDLED_EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "int_mlp.py"


@dataclass(frozen=True)
class LoadedModel:
    """What the job compiles: a name usable as an identifier, the module (or the saved program) and its inputs."""

    name: str
    module: torch.nn.Module | torch.export.ExportedProgram
    inputs: tuple[torch.Tensor, ...]
    source: Path
    inputs_origin: str  # "factory", "saved example_inputs" or "random (seed N)"


def user_dir() -> Path:
    """The user's working directory: `bazelw` records it before it changes to the workspace,
    and `bazel run` records the directory it was called from."""
    recorded = os.environ.get("TORCH_CIRCT_WORKING_DIRECTORY") or os.environ.get("BUILD_WORKING_DIRECTORY")
    return Path(recorded or os.getcwd())


def resolve(path: str | Path) -> Path:
    path = Path(path).expanduser()
    return path if path.is_absolute() else user_dir() / path


def split_spec(spec: str) -> tuple[str, str | None]:
    """`dir/m.py:make` -> ("dir/m.py", "make"); a colon is a factory only after `.py`."""
    match = re.fullmatch(r"(.+\.py):(\w+)", spec)
    return (match.group(1), match.group(2)) if match else (spec, None)


def load_model(spec: str | None, *, seed: int | None, warn=print) -> LoadedModel:
    """Load `spec` (None means the bundled example)."""
    if spec is None:
        return _load_python(BUNDLED_EXAMPLE, None, seed, warn)
    file, factory = split_spec(spec)
    path = resolve(file)
    if not path.is_file():
        raise ModelError(
            message=f"model file '{path}' does not exist", stage=STAGE,
            hint="give a path to a .py file with a factory function, or to a saved torch.export .pt2 program",
        )
    if path.suffix == ".pt2":
        if factory:
            raise ModelError(message="a .pt2 program has no factory to name", stage=STAGE)
        return _load_pt2(path, seed, warn)
    if path.suffix != ".py":
        raise ModelError(message=f"'{path.name}' is neither a .py model file nor a .pt2 program", stage=STAGE)
    return _load_python(path, factory, seed, warn)


def _load_python(path: Path, factory: str | None, seed: int | None, warn) -> LoadedModel:
    name = identifier(path.stem if factory in (None, DEFAULT_FACTORY) else f"{path.stem}_{factory}")
    factory = factory or DEFAULT_FACTORY
    module = _exec_file(path, name)
    function = getattr(module, factory, None)
    if not callable(function):
        found = sorted(n for n, v in vars(module).items() if inspect.isfunction(v) and v.__module__ == module.__name__)
        raise ModelError(
            message=f"'{path.name}' defines no factory function '{factory}'", stage=STAGE, model=name,
            hint=f"define `def {factory}(): return module, (inputs,)` or name one with {path.name}:<factory>"
            + (f"; functions found: {', '.join(found)}" if found else ""),
        )
    kwargs = {}
    if seed is not None:
        if "seed" in inspect.signature(function).parameters:
            kwargs["seed"] = seed
        else:
            warn(f"note: factory '{factory}' takes no seed parameter; --seed {seed} is unused")
    try:
        result = function(**kwargs)
        module_, inputs = result
    except Exception as error:
        raise ModelError(
            message=f"factory '{factory}' raised {type(error).__name__}: {error}", stage=STAGE, model=name,
            hint="the factory must return (nn.Module, example_inputs_tuple); run it in Python to debug",
        ) from error
    if not isinstance(module_, torch.nn.Module):
        raise ModelError(message=f"factory '{factory}' returned a {type(module_).__name__}, not an nn.Module",
                         stage=STAGE, model=name)
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    return LoadedModel(name, module_.eval(), inputs, path, "factory")


def _exec_file(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(f"torch_circt_user_{name}", path)
    if spec is None or spec.loader is None:
        raise ModelError(message=f"cannot load '{path}' as Python", stage=STAGE, model=name)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))  # let the model import its neighbours
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        raise ModelError(
            message=f"importing '{path.name}' raised {type(error).__name__}: {error}", stage=STAGE, model=name,
            hint="fix the model file so that `python <file>` runs",
        ) from error
    finally:
        sys.path.remove(str(path.parent))
    return module


def _load_pt2(path: Path, seed: int | None, warn) -> LoadedModel:
    name = identifier(path.stem)
    try:
        program = torch.export.load(str(path))
    except Exception as error:
        raise ModelError(message=f"torch.export.load failed: {type(error).__name__}: {error}", stage=STAGE,
                         model=name, hint="save the program with torch.export.save(torch.export.export(...), path)") from error
    placeholders = _user_placeholders(program, name)
    saved = getattr(program, "example_inputs", None)
    if saved is not None and saved[0] and not saved[1]:
        if seed is not None:
            warn(f"note: '{path.name}' carries its example inputs; --seed {seed} is unused")
        return LoadedModel(name, program, tuple(saved[0]), path, "saved example_inputs")
    inputs = _random_inputs(placeholders, seed or 0)
    return LoadedModel(name, program, inputs, path, f"random (seed {seed or 0})")


def _user_placeholders(program, name: str) -> list[tuple[str, torch.Tensor]]:
    """The program's user inputs as (name, fake tensor); a symbolic dimension is refused."""
    user_inputs = set(program.graph_signature.user_inputs)
    found = []
    for node in program.graph.nodes:
        if node.op != "placeholder" or node.name not in user_inputs:
            continue
        value = node.meta.get("val")
        if not isinstance(value, torch.Tensor):
            raise ModelError(message=f"input '{node.name}' is not a tensor", stage=STAGE, model=name)
        if not all(isinstance(d, int) for d in value.shape):
            raise DynamicShapeError(
                message=f"input '{node.name}' has a dynamic shape {list(value.shape)}; every backend needs static shapes",
                stage=STAGE, model=name, hint="export the program again without dynamic_shapes (torch.export.export(m, args))",
            )
        found.append((node.name, value))
    return found


def _random_inputs(placeholders: list[tuple[str, torch.Tensor]], seed: int) -> tuple[torch.Tensor, ...]:
    generator = torch.Generator().manual_seed(seed)
    inputs = []
    for _, value in placeholders:
        shape = tuple(value.shape)
        if value.dtype == torch.bool:
            inputs.append(torch.randint(0, 2, shape, generator=generator).bool())
        elif value.dtype.is_floating_point:
            inputs.append(torch.randn(shape, generator=generator).to(value.dtype))
        else:
            inputs.append(torch.randint(-8, 8, shape, generator=generator).to(value.dtype))
    return tuple(inputs)
