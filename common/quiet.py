"""Third-party noise kept off the user's terminal while our own error says what went wrong.

A failed torch.export prints its partial FX graph to stderr (twice) and torch logs
symbolic-shape warnings before our `ModelError`, which already names the user's line
and what to do. Inside `quiet_torch()` torch's loggers, Python warnings and writes to
`sys.stderr` are swallowed, unless `showing_noise(True)` is in effect (the CLI's --debug).
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from collections.abc import Iterator

_show = False


@contextlib.contextmanager
def showing_noise(show: bool) -> Iterator[None]:
    """Let third-party output through (`show`) for the block: a --debug run wants every line."""
    global _show
    before, _show = _show, show
    try:
        yield
    finally:
        _show = before


@contextlib.contextmanager
def quiet_torch() -> Iterator[None]:
    """Swallow torch's logging, warnings and stderr prints for the block, unless showing noise."""
    if _show:
        yield
        return
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)
               if name == "torch" or name.startswith("torch.")]
    disabled = [logger.disabled for logger in loggers]
    for logger in loggers:
        logger.disabled = True
    try:
        with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, was in zip(loggers, disabled):
            logger.disabled = was
