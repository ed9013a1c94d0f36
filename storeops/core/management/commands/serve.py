"""storeops serve: gunicorn (debug off, WhiteNoise static) and the Huey consumer, side by side.

Stopping one (Ctrl-C, SIGTERM) stops both; if either dies, the other is stopped too.
"""

import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动网页服务和后台任务处理 / Serve the app (gunicorn) with its task consumer (Huey)"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        # default: config/gunicorn.py (WEB_WORKERS, else 2 processes × 4 threads)
        parser.add_argument("--workers", type=int, default=None)

    def handle(self, *args, **options):
        bindir = os.path.dirname(sys.executable)
        storeops = os.path.join(bindir, "storeops")
        gunicorn = os.path.join(bindir, "gunicorn")
        web = subprocess.Popen(
            [
                gunicorn,
                "--config",
                "python:config.gunicorn",  # the production settings (docs/deploy.md)
                "config.wsgi:application",
                "--bind",
                f"{options['host']}:{options['port']}",
                *(["--workers", str(options["workers"])] if options["workers"] else []),
            ]
        )
        worker = subprocess.Popen(
            [storeops, "run_huey", "--workers", "2", "--worker-type", "thread"]
        )
        self.stdout.write(f"storeops: http://{options['host']}:{options['port']}/ (Ctrl-C 停止)")
        children = (web, worker)

        def stop(*_args):
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            stop()
            for child in children:
                try:
                    child.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    child.kill()
        code = max(abs(child.returncode or 0) for child in children)
        if code and code not in (signal.SIGTERM, signal.SIGINT):
            sys.exit(code)
