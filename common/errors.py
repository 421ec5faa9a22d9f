"""Error types: what a user did that we cannot compile, versus what broke inside us.

A `UserError` always carries enough to act on: which model, which stage, which op,
where in the PyTorch source, and what to do. An `InternalCompilerError` points at
the reproducer it wrote, so a bug report needs nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass
class TorchCirctError(Exception):
    """Base of every error torch-circt raises on purpose."""

    message: str
    stage: str
    model: str | None = None
    op: str | None = None
    location: str | None = None
    hint: str | None = None
    details: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __reduce__(self):
        """Pickle by fields, so an error raised in an isolated worker arrives whole in the caller."""
        return (_rebuild, (type(self), {f.name: getattr(self, f.name) for f in fields(self)}))

    def __str__(self) -> str:
        head = f"[{self.stage}]"
        if self.model:
            head += f" model '{self.model}':"
        lines = [f"{head} {self.message}"]
        if self.op:
            lines.append(f"  op: {self.op}")
        if self.location:
            lines.append(f"  at: {self.location}")
        lines.extend(f"  {d}" for d in self.details)
        if self.hint:
            lines.append(f"  what to do: {self.hint}")
        return "\n".join(lines)


class UserError(TorchCirctError):
    """The input cannot be compiled as given; the message says what to change."""


class UnsupportedOpError(UserError):
    """An op that some stage cannot lower."""


class UnsupportedDtypeError(UserError):
    """A dtype a backend cannot handle (e.g. float on the integer-only RTL path)."""


class DynamicShapeError(UserError):
    """Dynamic shapes are refused: every backend here needs static shapes."""


class ModelError(UserError):
    """The model itself failed: a factory or a forward that raised, a bad model file."""


class InternalCompilerError(TorchCirctError):
    """A stage failed on input it should accept: a bug in torch-circt or a toolchain."""


def foreign_error(error: Exception, *, stage: str, model: str | None, op: str | None = None) -> InternalCompilerError:
    """Another library's exception escaping a stage, as ours: its type and first line kept, the original to be
    chained (`raise foreign_error(e, ...) from e`), so callers need to catch only `TorchCirctError`."""
    text = str(error).strip()
    return InternalCompilerError(
        message=f"{type(error).__name__} escaped the compiler: {text.splitlines()[0] if text else '(no message)'}",
        stage=stage, model=model, op=op,
        hint="please file an issue with the model; the original exception and its traceback are chained to this one",
    )


def _rebuild(kind: type[TorchCirctError], values: dict) -> TorchCirctError:
    return kind(**values)
