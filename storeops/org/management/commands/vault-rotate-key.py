"""`storeops vault-rotate-key`: re-encrypt every stored secret under a new key (R5.2)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from storeops.core.errors import DomainError
from storeops.org.services import vault_rotate_key

HELP = """Re-encrypt every stored secret (vault credentials and every other registered encrypted
column) under a new key, in one transaction.

Key in the data dir's key file (the default): the command generates a new key (or takes
--new-key), writes the file as "new,old" BEFORE the transaction, re-encrypts, and only after the
commit — and after checking that every value opens with the new key alone — writes the file as
"new". A crash at any point leaves stored secrets readable; run the command again to finish.

Key from STOREOPS_ENCRYPTION_KEY: a process cannot rewrite its environment, so (1) set
STOREOPS_ENCRYPTION_KEY="NEW,OLD" (new key first; `storeops vault-rotate-key --generate` prints
a fresh key) and restart the service, (2) run this command, which re-encrypts everything under
the first key, (3) set STOREOPS_ENCRYPTION_KEY="NEW" and restart again. Keep the old key until
step 3 is done everywhere."""


class Command(BaseCommand):
    help = HELP

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--new-key",
            default=None,
            help="the new Fernet key (key file only); write --new-key=KEY: a key may start with -",
        )
        parser.add_argument(
            "--generate", action="store_true", help="only print a fresh key and exit"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["generate"]:
            from storeops.core.crypto import generate_key

            self.stdout.write(generate_key())
            return
        try:
            result = vault_rotate_key(new_key=options["new_key"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"re-encrypted {result.count} value(s) under the new key")
        if result.source == "env":
            self.stdout.write(
                "now set STOREOPS_ENCRYPTION_KEY to the first key only and restart the service"
            )
        elif not result.old_keys_dropped:
            raise CommandError(
                "some values still need an old key; the key file keeps both — run again"
            )
