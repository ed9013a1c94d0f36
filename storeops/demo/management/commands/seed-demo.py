"""storeops seed-demo [--password P]: the demo company 格润莱特 (idempotent)."""

import os
import secrets

from django.core.management.base import BaseCommand, CommandError

from storeops.demo.services import COMPANY, DEMO_ORDERS, DEMO_USERS, demo_seed


class Command(BaseCommand):
    help = "载入演示公司格润莱特的数据（可重复运行）/ Load the demo company (idempotent)"

    def add_arguments(self, parser):
        parser.add_argument("--password", help="password of the demo users")
        parser.add_argument(
            "--orders",
            type=int,
            default=None,
            help="demo orders across the stores in all (default 300; 1000000 for benchmarks)",
        )
        parser.add_argument(
            "--only-if-empty",
            action="store_true",
            help="do nothing when the database already has users (make run)",
        )

    def handle(self, *args, **options):
        from storeops.accounts.models import User

        if options["only_if_empty"] and User.objects.exists():
            self.stdout.write(
                "数据库已有数据，跳过演示数据 / database not empty: demo data skipped"
            )
            return
        password = options["password"] or os.environ.get("STOREOPS_DEMO_PASSWORD")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(9)
        orders = options["orders"] if options["orders"] is not None else DEMO_ORDERS
        if not 0 <= orders <= 10_000_000:
            raise CommandError("--orders 应在 0 到 10000000 之间")
        report = demo_seed(password=password, orders=orders)
        self.stdout.write(
            f"演示公司 {COMPANY}: 新建店铺 {len(report.created_stores)} 个, "
            f"新建用户 {len(report.created_users)} 个"
        )
        if report.created_users:
            self.stdout.write(f"演示账号 / demo logins (password: {password}):")
            for username, display, role, _stores in DEMO_USERS:
                if username in report.created_users:
                    self.stdout.write(f"  {username:<10} {display}（{role.label}）")
        elif generated:
            self.stdout.write("演示账号已存在，密码未改变 / demo users exist; passwords unchanged")
