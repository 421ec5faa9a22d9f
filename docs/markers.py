"""Generated blocks inside hand-written Markdown.

A generator owns the text between a begin and an end marker line; everything
else in the page stays hand-written. One splice for every generator, so a page
can hold several blocks and a test can compare a page with its regenerated self.
"""

from __future__ import annotations


def splice(text: str, begin: str, end: str, body: str) -> str:
    """`text` with the lines between `begin` and `end` replaced by `body`."""
    if begin not in text or end not in text:
        raise ValueError(f"no generated block: add the lines\n{begin}\n{end}")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{body}\n{end}{tail}"
