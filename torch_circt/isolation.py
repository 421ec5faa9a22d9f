"""Native code runs in a forked worker, so an abort or a segfault cannot take the caller down.

MLIR and CIRCT passes, the CPU JIT and the Verilator simulator are C++ behind
Python bindings: an assertion or a bad pointer there ends the process, and with
it a notebook, a test run or a long-lived service. `call_isolated` runs a
function in a `fork()`ed child and returns its result (or re-raises its
exception); the child can stream messages back while it works. If the child dies,
the caller gets `WorkerCrash` saying how, with the first lines it wrote on stderr.
Forking keeps closures and loaded modules as they are: nothing needs to pickle
but the messages and the result. What a worker loads dies with it, though, and the
MLIR bindings import a dialect's Python module (thousands of generated op classes)
the first time an op of that dialect is seen: every worker paid ~1 s for that again.
So the worker names the Python modules it imported, and the caller imports them
after it (pure Python, already run once without a crash): the next fork inherits them.
"""

from __future__ import annotations

import importlib
import os
import pickle
import signal
import sys
import tempfile
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
Send = Callable[[Any], None]
_STDERR_LINES = 12


class WorkerCrash(Exception):
    """The worker died without an answer: killed by a signal, or exited by native code."""

    def __init__(self, how: str, stderr: list[str]) -> None:
        super().__init__(how)
        self.how = how
        self.stderr = stderr

    def diagnostics(self) -> str:
        return "\n".join([f"the worker process {self.how}", *self.stderr])


def call_isolated(work: Callable[[Send], T], on_message: Callable[[Any], None] | None = None) -> T:
    """Run `work(send)` in a child process; each `send(x)` reaches `on_message(x)` here, live."""
    read_fd, write_fd = os.pipe()
    with tempfile.TemporaryFile() as stderr:
        pid = os.fork()
        if pid == 0:  # the worker
            os.close(read_fd)
            _serve(work, write_fd, stderr.fileno())
        os.close(write_fd)
        try:
            imported: list[str] = []
            outcome = _collect(read_fd, on_message, imported)
        except BaseException:  # the caller stopped listening (an exception, Ctrl-C): stop the worker
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise
        _, status = os.waitpid(pid, 0)
        if outcome is not None:
            _adopt(imported)
            kind, value = outcome
            if kind == "raise":
                raise value
            return value
        stderr.seek(0)
        raise WorkerCrash(_describe(status), _interesting(stderr.read().decode(errors="replace")))


def _serve(work: Callable[[Send], Any], write_fd: int, stderr_fd: int) -> None:
    code = 0
    try:
        os.dup2(stderr_fd, 2)
        with os.fdopen(write_fd, "wb") as pipe:
            def send(message: Any) -> None:
                pickle.dump(("message", message), pipe)
                pipe.flush()

            before = set(sys.modules)
            try:
                outcome = ("return", work(send))
            except BaseException as error:  # noqa: BLE001 - every outcome crosses back to the caller
                outcome = ("raise", error)
            pickle.dump(("imported", _python_modules(set(sys.modules) - before)), pipe)
            try:
                payload = pickle.dumps(outcome)
            except Exception as error:  # noqa: BLE001 - an unpicklable result or exception
                payload = pickle.dumps(("raise", RuntimeError(f"{outcome[0]} value cannot cross processes: {error}")))
            pipe.write(payload)
            pipe.flush()
    except BaseException:  # noqa: BLE001 - the caller sees "exited 70 without an answer"
        code = 70
    finally:
        os._exit(code)


def _collect(read_fd: int, on_message: Callable[[Any], None] | None, imported: list[str]) -> tuple[str, Any] | None:
    with os.fdopen(read_fd, "rb") as pipe:
        while True:
            try:
                kind, value = pickle.load(pipe)
            except (EOFError, pickle.UnpicklingError):
                return None
            if kind == "imported":
                imported.extend(value)
            elif kind != "message":
                return kind, value
            elif on_message is not None:
                on_message(value)


def _python_modules(names: set[str]) -> list[str]:
    """Modules loaded from Python source under their own name: importable here the same way.
    Native extensions (a design's simulator) stay in the worker."""
    found = []
    for name in sorted(names):
        spec = getattr(sys.modules.get(name), "__spec__", None)
        if spec is not None and spec.name == name and (spec.origin or "").endswith(".py"):
            found.append(name)
    return found


def _adopt(names: list[str]) -> None:
    for name in names:
        if name not in sys.modules:
            try:
                importlib.import_module(name)
            except ImportError:  # loaded by path in the worker, not by name: the next worker loads it again
                pass


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        return f"was killed by {signal.Signals(number).name} (signal {number})"
    return f"exited with status {os.WEXITSTATUS(status)} without an answer"


def _interesting(text: str) -> list[str]:
    """The assertion or error lines of a native crash, not its stack dump."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [line[:300] for line in lines if "Stack dump" not in line][:_STDERR_LINES]
