"""storeops backup FILE: database, key files and uploaded media in one .tar.gz (mode 0600)."""

from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from storeops.core.backup import BackupError, create_backup


def storeops_version() -> str:
    try:
        return metadata.version("storeops")
    except metadata.PackageNotFoundError:
        return "unknown"


class Command(BaseCommand):
    help = (
        "备份数据库、密钥文件和上传文件到一个归档 / Back up database, keys and media to one archive"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the archive to write (.tar.gz); replaced if it exists")

    def handle(self, *args, **options):
        try:
            summary = create_backup(
                Path(options["file"]),
                data_dir=Path(settings.DATA_DIR),
                database=settings.DATABASES["default"],
                encryption_key=getattr(settings, "STOREOPS_ENCRYPTION_KEY", None),
                storeops_version=storeops_version(),
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"backup written: {summary.path} ({summary.size} bytes, sha256 {summary.sha256})"
        )
