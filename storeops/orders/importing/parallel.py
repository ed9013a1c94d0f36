"""A large import on two cores: forked children that do pure-Python work and send it back.

Two users: stage 1 (`pipeline._fork_for_later_files`) — Taobao's classic export is two files of
about equal weight (the order report, the item report), so a child reads the later files into a
staging of its own and hands back what it staged (order-level values, lines, bad order numbers
and row errors, already marshal bytes), which the parent merges as if it had read those files
itself, in the same order (tests/test_orders_import_parallel.py holds the two equal); and the
writer's row builder (`services.imports._write_with_builder`), whose child streams a chunk's
INSERT parameters at a time while the parent inserts the chunk before.

A child never touches the database, logs nothing and leaves with `os._exit`: the parent's
connection, files and threads are not its to close. Messages go through a pipe as
length-prefixed marshal bytes, then a "done" mark; without it (an exception, killed) the
parent knows the child stopped short and does the rest itself. Used only where `os.fork`
exists and `ORDER_IMPORT_PARALLEL` is on; stage 1 only for imports large enough for a fork to
pay (`MIN_ROWS`) and small enough to stay in memory (`Staging.memory_rows`).
"""

from __future__ import annotations

import contextlib
import marshal
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.conf import settings

MIN_ROWS = 20_000  # below this a fork (~10 ms) saves nothing worth having


def available() -> bool:
    return hasattr(os, "fork") and bool(getattr(settings, "ORDER_IMPORT_PARALLEL", True))


def split_point(sizes: Sequence[int]) -> int:
    """Where the child's files start: the split of the files, in their order, into two parts of
    the nearest weight (bytes). 0 < k < len(sizes)."""
    total, best, best_k, running = sum(sizes), None, 1, 0
    for k in range(1, len(sizes)):
        running += sizes[k - 1]
        gap = abs(total - 2 * running)
        if best is None or gap < best:
            best, best_k = gap, k
    return best_k


_DONE = b"done"


class Stream:
    """A forked child sending a series of messages (`stream`); iterate to receive them. After the
    loop, `complete` says whether the child sent everything (else it failed half-way: the caller
    does the rest itself)."""

    def __init__(self, pid: int, fd: int) -> None:
        self.pid = pid
        self.pipe = os.fdopen(fd, "rb")
        self.complete = False
        self.done = False

    def __iter__(self) -> Iterator[Any]:
        read = self.pipe.read
        while True:
            head = read(8)
            if len(head) < 8:
                break
            size = int.from_bytes(head, "little")
            data = read(size)
            if len(data) < size:
                break
            if data == _DONE:
                self.complete = True
                break
            yield marshal.loads(data)  # noqa: S302 — our own child's bytes
        self.close()

    def result(self) -> Any:
        """The one message of a `start`ed child, or None when it could not finish."""
        messages = list(self)
        return messages[0] if self.complete and len(messages) == 1 else None

    def close(self) -> None:
        if self.done:
            return
        self.done = True
        if not self.complete:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            self.pipe.close()
        with contextlib.suppress(ChildProcessError):
            _, status = os.waitpid(self.pid, 0)
            if status != 0:
                self.complete = False


def stream(produce: Callable[[Callable[[Any], None]], None]) -> Stream | None:
    """Fork a child that runs `produce(send)`; each `send(message)` reaches the parent's loop
    over the returned `Stream` as it is sent (the child works ahead while the parent uses the
    last message). None when forking fails."""
    try:
        read_fd, write_fd = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return None
    if pid == 0:  # the child
        code = 1
        try:
            os.close(read_fd)
            with os.fdopen(write_fd, "wb", buffering=1 << 20) as pipe:

                def send(message: Any) -> None:
                    data = marshal.dumps(message)
                    pipe.write(len(data).to_bytes(8, "little"))
                    pipe.write(data)

                produce(send)
                pipe.write(len(_DONE).to_bytes(8, "little"))
                pipe.write(_DONE)
            code = 0
        except BaseException:  # noqa: S110 — the parent does the rest itself
            pass
        finally:
            os._exit(code)
    os.close(write_fd)
    return Stream(pid, read_fd)


def start(work: Callable[[], Any]) -> Stream | None:
    """Fork a child that runs `work` and sends back its one result (`Stream.result`)."""
    return stream(lambda send: send(work()))
