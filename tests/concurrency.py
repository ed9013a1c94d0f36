"""Racing real threads against one database (the PostgreSQL concurrency tests)."""

from __future__ import annotations

import threading

from django.db import connections


def race(*calls, timeout: float = 60):
    """Run each call in its own thread, released together by a barrier; return, in call order,
    what each returned or raised. Each thread closes its own connections."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait(10)
        try:
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return results


def in_spawned_process(target, *args, timeout: float = 600):
    """Run `target(*args, queue)` in a fresh (spawned) process — Django set up anew there, on a
    database of its own — and return the one thing it puts on the queue; the process must exit
    cleanly."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    found = queue.get(timeout=timeout)
    process.join(60)
    assert process.exitcode == 0
    return found
