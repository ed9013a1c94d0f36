"""storeops import-orders --store CODE [--format auto|taobao|jd|pdd|douyin|generic] [--json]
[--skip-invalid] [--user NAME] FILE…: marketplace order exports (CSV/XLS/XLSX; Taobao's classic
order report and item report together in one call). Exit 0 when applied, 1 when rejected; a
progress bar on stderr at a terminal; with --json one object on stdout (ARCHITECTURE.md)."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from storeops.core.errors import DomainError
from storeops.core.imports import TerminalProgress

FORMATS = ("auto", "taobao", "jd", "pdd", "douyin", "generic")


class Command(BaseCommand):
    help = "导入平台订单导出文件 / Import marketplace order exports"
    # The system checks import every URL conf, view and API module (about a second): they run
    # in CI and on `migrate`; an import does not need them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--store", required=True, help="store code (店铺编码)")
        parser.add_argument("--format", default="auto", choices=FORMATS)
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="apply the valid orders, report the rest"
        )
        parser.add_argument("--user", default="admin", help="the user the import runs as")

    def handle(self, *args, **options):
        from storeops.accounts.models import User
        from storeops.accounts.selectors import store_get
        from storeops.core.sqlite import checkpoint_wait
        from storeops.orders.importing.reading import ImportFile
        from storeops.orders.services.imports import order_import_files

        actor = User.objects.filter(username=options["user"], is_active=True).first()
        if actor is None:
            raise CommandError(f"用户不存在：{options['user']}")
        paths = [Path(name) for name in options["files"]]
        for path in paths:
            if not path.is_file():
                raise CommandError(f"文件不存在：{path}")
        applied = False
        bar = TerminalProgress(sys.stderr, label="导入订单")
        try:
            store = store_get(actor=actor, code=options["store"])
            result = order_import_files(
                actor=actor,
                store=store,
                files=[ImportFile.from_path(p) for p in paths],
                platform=options["format"],
                skip_invalid=options["skip_invalid"],
                channel="cli",
                progress=bar if bar.enabled else None,  # no bar: no counting the lines
            )
            body = result.as_dict()
            applied = result.applied
        except DomainError as exc:  # the file as a whole, the store, the permission
            body = {
                "created": 0,
                "updated": 0,
                "unchanged": 0,
                "rejected": 0,
                "errors": [{"line": 0, "field": "", "message": exc.message}],
            }
        if options["json"]:
            self.stdout.write(json.dumps(body, ensure_ascii=False))
        else:
            state = "已导入" if applied else "已拒绝，未写入任何订单"
            self.stdout.write(
                f"{state}：新建 {body['created']}，更新 {body['updated']}，"
                f"未变 {body['unchanged']}，拒绝 {body['rejected']}（单位：订单）"
            )
            for error in body["errors"]:
                where = f"{error['file']} " if error.get("file") else ""
                self.stdout.write(
                    f"  {where}第 {error['line']} 行 {error['field']}：{error['message']}"
                )
        self.stdout.flush()
        checkpoint_wait()  # the database file is left tidy: its WAL copied back (core.sqlite)
        if not applied:
            sys.exit(1)
