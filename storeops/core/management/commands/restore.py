"""storeops restore FILE [--force]: put a `storeops backup` archive back into this installation.

The archive is checked whole (manifest, checksums, the database member) before anything changes.
An installation that already has data is refused unless --force. Stop the web and worker
processes first.
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from storeops.core.backup import BackupError, restore_backup


def _has_tables() -> bool:
    connection = connections["default"]
    try:
        return bool(connection.introspection.table_names(include_views=True))
    finally:
        connection.close()


class Command(BaseCommand):
    help = "从备份归档恢复 / Restore a backup archive (refuses a non-empty target without --force)"
    # System checks may open the database; a restore must find it as it is.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="an archive written by `storeops backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the existing database, key files and media",
        )

    def handle(self, *args, **options):
        connections["default"].close()
        try:
            summary = restore_backup(
                Path(options["file"]),
                data_dir=Path(settings.DATA_DIR),
                database=settings.DATABASES["default"],
                database_has_tables=_has_tables,
                force=options["force"],
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = summary.manifest
        self.stdout.write(
            f"restored backup of {manifest['created_at']} (storeops "
            f"{manifest.get('storeops_version')}): database → {summary.database}; "
            f"keys: {', '.join(summary.keys) or 'none'}; media files: {summary.media_files}"
        )
        for path in summary.kept:
            self.stdout.write(f"the replaced key was kept as {path}")
        restored_key = Path(settings.DATA_DIR) / "encryption.key"
        env_key = os.environ.get("STOREOPS_ENCRYPTION_KEY", "").strip()
        if env_key and restored_key.is_file() and restored_key.read_text().strip() != env_key:
            self.stderr.write(
                "warning: STOREOPS_ENCRYPTION_KEY is set and differs from the restored "
                f"{restored_key}; the environment wins, so stored credentials will not decrypt "
                "until it is unset or set to the restored key"
            )
