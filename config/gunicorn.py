"""gunicorn's settings for storeops, in one place: `gunicorn -c python:config.gunicorn
config.wsgi:application --bind …` (docs/deploy.md), what `storeops serve` runs, and what
bench/bench_inventory.py measures.

Per 2-core host: 4 processes × 1 thread, threaded worker class (gthread: connections kept alive
between requests, also nginx's upstream `keepalive`). One thread per process because Python runs
one thread of a process at a time: a second thread only helps while the first waits, and on
SQLite the thread holding the writer's turn then waits for the interpreter while every other
writer waits for it. Measured on 2 cores (docs/performance.md, stock reservations over HTTP):
4 × 1 about 760/s, 4 × 2 about 700/s, 2 × 4 about 600/s. Two processes per core so that one
waiting on the disk or the database leaves the core to another.
The price of one thread: a slow request (a big export) holds its process, and requests that
process already accepted wait behind it. `WEB_THREADS=2` trades some speed for that; on
PostgreSQL, where requests wait on the network, more threads cost less.
`WEB_WORKERS`, `WEB_THREADS` override the numbers (e.g. 8 × 1 on 4 cores); `WEB_ACCESS_LOG`
empty turns the access log off (nginx logs every request already), `-` (default) is stdout.
"""

import os

worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS", "4"))
threads = int(os.environ.get("WEB_THREADS", "1"))
timeout = 120
accesslog = os.environ.get("WEB_ACCESS_LOG", "-") or None
