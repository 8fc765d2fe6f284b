"""The steps of a large study that may take more than a second: progress bars, and the
garbage collector paused while many long-lived objects are made.

One place decides how tymqual shows progress: :func:`tqdm.auto.tqdm` (a widget in Jupyter, a
text bar on a terminal), shown only once a loop has run for a second, so the thesis-size
project never sees one. The label is Finnish or English after the project's language.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm.auto import tqdm

T = TypeVar("T")

DELAY = 1.0
"""Seconds a loop runs before its bar appears."""


def progress(items: Iterable[T], label: tuple[str, str], *, lang: str = "fi",
             total: int | None = None, show: bool | None = None) -> Iterator[T]:
    """``items`` with a progress bar labelled ``label[0]`` (Finnish) or ``label[1]``.

    ``show=None`` shows the bar when the loop lasts more than :data:`DELAY` seconds;
    ``False`` never shows it.
    """
    desc = label[0] if lang == "fi" else label[1]
    yield from tqdm(items, desc=desc, total=total, delay=DELAY, disable=show is False,
                    leave=False)


__all__ = ["DELAY", "progress"]


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a step makes many long-lived objects.

    Opening a large study (turns, cells) and making its search index (the rows of 200,000
    sources) create hundreds of thousands of objects that live as long as the project; the
    collector would otherwise walk them again and again (about a sixth of a warm open of
    1,000 interviews, and of a first search). The collector's state is restored after.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
