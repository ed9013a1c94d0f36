"""storeops import-products [--json] [--skip-invalid] [--user NAME] FILE: products and SKUs from
CSV/XLSX/XLS. Exit 0 when applied, 1 when rejected; a progress bar on stderr at a terminal."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from storeops.catalog.services import product_import
from storeops.core.errors import DomainError
from storeops.core.imports import TerminalProgress


class Command(BaseCommand):
    help = "导入商品与 SKU（CSV/XLSX/XLS，每行一个 SKU）/ Import products and SKUs"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="apply the valid rows, report the rest"
        )
        parser.add_argument("--user", default="admin", help="the user the import runs as")

    def handle(self, *args, **options):
        from storeops.accounts.models import User

        actor = User.objects.filter(username=options["user"], is_active=True).first()
        if actor is None:
            raise CommandError(f"用户不存在：{options['user']}")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            result = product_import(
                actor=actor,
                source=path,
                filename=path.name,
                skip_invalid=options["skip_invalid"],
                progress=TerminalProgress(sys.stderr, label="导入商品"),
            )
            body = result.as_dict()
        except DomainError as exc:  # the file as a whole: not a spreadsheet, columns missing
            body = {
                "created": 0,
                "updated": 0,
                "unchanged": 0,
                "rejected": 0,
                "errors": [{"line": 0, "field": "", "message": exc.message}],
            }
            applied = False
        else:
            applied = result.applied
        if options["json"]:
            self.stdout.write(json.dumps(body, ensure_ascii=False))
        else:
            state = "已导入" if applied else "已拒绝，未写入任何数据"
            self.stdout.write(
                f"{state}：新建 {body['created']}，更新 {body['updated']}，"
                f"未变 {body['unchanged']}，拒绝 {body['rejected']}"
            )
            for error in body["errors"]:
                self.stdout.write(f"  第 {error['line']} 行 {error['field']}：{error['message']}")
        if not applied:
            sys.exit(1)
