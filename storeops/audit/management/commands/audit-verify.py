"""storeops audit-verify: seal, then check the whole chain; non-zero naming the first broken event."""

import json

from django.core.management.base import BaseCommand, CommandError

from storeops.audit.services import audit_verify


class Command(BaseCommand):
    help = "封存未封存的操作日志并校验整条哈希链 / Seal and verify the audit chain"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options):
        report = audit_verify()
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "intact": report.is_intact,
                        "checked": report.checked,
                        "head_hash": report.head_hash,
                        "broken_event_id": report.broken_event_id,
                        "broken_seq": report.broken_seq,
                        "reason": report.reason,
                    },
                    ensure_ascii=False,
                )
            )
        if not report.is_intact:
            raise CommandError(
                f"audit chain broken at event {report.broken_event_id} "
                f"(seq {report.broken_seq}): {report.reason}"
            )
        if not options["json"]:
            self.stdout.write(
                f"audit chain intact: {report.checked} events, head {report.head_hash}"
            )
