"""Reading files on every core while keeping their order and bounding memory.

A delivery's files are read (decoded, parsed as CSV or XLSX) in worker threads: Polars and
calamine release the GIL, so two files are read at once on two cores. Results come back
in the files' order, because the first rejected file in name order decides a delivery's
message, and at most ``ahead`` results wait unconsumed, because a province delivery read
all at once would not fit in the memory cap.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def ordered_map(function: Callable[[Item], Result], items: Iterable[Item], workers: int,
                ahead: int) -> Iterator[Result]:
    """``map(function, items)`` on ``workers`` threads, in order, at most ``ahead`` pending."""
    with ThreadPoolExecutor(max_workers=max(workers, 1)) as pool:
        pending: deque[Future[Result]] = deque()
        for item in items:
            pending.append(pool.submit(function, item))
            if len(pending) >= max(ahead, 1):
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
