"""`storeops inventory-check`: every level equals the sum of its movements and its active
reservations; exits 1 naming the first mismatch (in SKU code, warehouse code order)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from storeops.inventory.selectors import ledger_mismatches, level_count


class Command(BaseCommand):
    help = "核对库存：每个 SKU × 仓库的在库与预占等于出入库流水之和（不一致时退出码 1）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--all", action="store_true", help="列出全部不一致，而不只是第一个")

    def handle(self, *args: Any, **options: Any) -> None:
        found = ledger_mismatches()
        first = next(found, None)
        if first is None:
            self.stdout.write(f"inventory-check OK: {level_count()} stock levels match the ledger")
            return
        if options["all"]:
            for mismatch in found:
                self.stderr.write(mismatch.describe())
        raise CommandError(f"inventory-check FAILED: {first.describe()}")
