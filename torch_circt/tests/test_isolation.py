"""The forked worker: results, exceptions and messages cross; a native crash does not end the caller."""

from __future__ import annotations

import ctypes
import importlib
import os
import sys

import pytest

from common.errors import InternalCompilerError
from torch_circt.isolation import WorkerCrash, call_isolated


def test_result_and_messages_cross_in_order() -> None:
    seen: list[int] = []

    def work(send):
        for i in range(3):
            send(i)
        return {"pid": os.getpid()}

    result = call_isolated(work, seen.append)
    assert seen == [0, 1, 2] and result["pid"] != os.getpid()


def test_error_arrives_whole() -> None:
    def work(_send):
        raise InternalCompilerError(message="boom", stage="s", model="m", details=["d"])

    with pytest.raises(InternalCompilerError) as caught:
        call_isolated(work)
    assert (caught.value.stage, caught.value.model, caught.value.details) == ("s", "m", ["d"])


def test_segfault_is_reported_not_fatal() -> None:
    def work(_send):
        ctypes.string_at(0)  # reads address 0: SIGSEGV

    with pytest.raises(WorkerCrash) as caught:
        call_isolated(work)
    assert "SIGSEGV" in caught.value.diagnostics()


def test_abort_is_reported_with_its_stderr() -> None:
    def work(_send):
        os.write(2, b"Assertion `x' failed.\n")
        os.abort()

    with pytest.raises(WorkerCrash) as caught:
        call_isolated(work)
    assert "SIGABRT" in caught.value.how and caught.value.stderr[0] == "Assertion `x' failed."


def test_modules_the_worker_imported_are_inherited_by_the_next_worker() -> None:
    sys.modules.pop("colorsys", None)  # a small pure-Python module nothing here needs

    def work(_send):
        importlib.import_module("colorsys")
        return "colorsys" in sys.modules

    assert call_isolated(work) and "colorsys" in sys.modules
