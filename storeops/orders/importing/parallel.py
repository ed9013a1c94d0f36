"""Stage 1 on two cores: the later files of an import are read in a forked child process.

Taobao's classic export is two files of about equal weight (the order report, the item report);
reading and checking them is half of a large import's time. The parent forks before it reads
its own files; the child reads the later files into a staging of its own and hands back what it
staged — order-level values, lines, bad order numbers and row errors, already marshal bytes — as
one marshal blob through a pipe. The parent merges it as if it had read those files itself, in
the same order, so the answers (errors, duplicates, digests) are the same as one process reading
every file (tests/test_orders_import_parallel.py holds the two equal).

The child never touches the database, logs nothing and leaves with `os._exit`: the parent's
connection, files and threads are not its to close. It is used only where `os.fork` exists, when
`ORDER_IMPORT_PARALLEL` is on, and when the import is large enough for a fork to pay
(`MIN_ROWS`) and small enough to stay in memory (`Staging.memory_rows`). Anything the child
cannot finish (an exception, too many rows, killed) makes the parent read those files itself.
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

# what the child hands back: (o, dups, l, rows, bad, bad_unkeyed, error items, error count)
Handback = tuple[
    dict[str, tuple[int, int, bytes]],
    dict[str, tuple[int, int]],
    dict[str, list[Any]],
    int,
    list[str],
    int,
    list[dict[str, Any]],
    int,
]


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


class Child:
    """A forked child working on a `Handback`; `result()` waits for it."""

    def __init__(self, pid: int, fd: int) -> None:
        self.pid = pid
        self.fd = fd
        self.done = False

    def result(self) -> Handback | None:
        """What the child staged, or None when it could not finish."""
        try:
            with os.fdopen(self.fd, "rb") as pipe:
                data = pipe.read()
        finally:
            self.done = True
            _, status = os.waitpid(self.pid, 0)
        if status != 0 or not data:
            return None
        try:
            return marshal.loads(data)  # noqa: S302 — our own child's bytes
        except (EOFError, ValueError, TypeError):
            return None

    def close(self) -> None:
        """The parent failed before it asked for the result: stop the child, reap it."""
        if self.done:
            return
        self.done = True
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.close(self.fd)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


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


def start(work: Callable[[], Handback]) -> Child | None:
    """Fork a child that runs `work` and sends its result back; None when forking fails."""
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
            payload = marshal.dumps(work())
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(payload)
            code = 0
        except BaseException:  # noqa: S110 — the parent reads the files itself then
            pass
        finally:
            os._exit(code)
    os.close(write_fd)
    return Child(pid, read_fd)
