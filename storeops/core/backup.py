"""One-file backups of a storeops installation, and putting one back (`storeops backup|restore`).

The archive is a gzip'd tar holding:

- ``manifest.json``: format and version, created_at (UTC), database vendor, storeops version and
  the SHA-256 and size of every other member;
- the database: ``database.sqlite3`` (SQLite's online backup API, consistent while the app runs)
  or ``database.pgdump`` (``pg_dump --format=custom``);
- ``encryption.key`` (the key the running settings use, from the data dir or the environment)
  and ``secret.key`` (when the data dir has one);
- ``media/…``: the uploaded files of the data dir, when there are any.

Nothing here knows a business model: the database is copied whole. A restore checks the whole
archive (names, checksums, the database member itself) before it changes anything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

FORMAT = "storeops-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DB_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ENCRYPTION_KEY_FILE = "encryption.key"
SECRET_KEY_FILE = "secret.key"  # noqa: S105 - a file name, not a secret
KEY_FILES = (ENCRYPTION_KEY_FILE, SECRET_KEY_FILE)
MEDIA = "media"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A refusal or failure the operator can act on; the message says what is wrong."""


# --- database settings --------------------------------------------------------------------------


def database_vendor(database: dict[str, Any]) -> str:
    engine = str(database.get("ENGINE", ""))
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"unsupported database engine {engine!r}: only SQLite and PostgreSQL")


_PG_OPTION_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


def pg_environment(database: dict[str, Any]) -> dict[str, str]:
    """libpq environment for pg_dump/pg_restore: the password never appears on a command line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    pairs = {
        "PGHOST": database.get("HOST"),
        "PGPORT": database.get("PORT"),
        "PGUSER": database.get("USER"),
        "PGPASSWORD": database.get("PASSWORD"),
        "PGDATABASE": database.get("NAME"),
    }
    for option, var in _PG_OPTION_ENV.items():
        pairs[var] = (database.get("OPTIONS") or {}).get(option)
    env.update({k: str(v) for k, v in pairs.items() if v not in (None, "")})
    return env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(
            f"{name} not found on PATH: install the PostgreSQL client tools "
            "(the same major version as the server or newer)"
        )
    return path


def _run_pg(argv: list[str], database: dict[str, Any], what: str) -> None:
    result = subprocess.run(  # noqa: S603 - fixed argv, no shell
        argv, env=pg_environment(database), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        raise BackupError(f"{what} failed (exit {result.returncode}): {detail}")


# --- small helpers ------------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _write_private(path: Path, data: bytes) -> None:
    """Write a file atomically with mode 0600 (temporary file in the same folder, then rename)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class _HashingReader:
    """Hashes exactly what tarfile reads into the archive (a file may change while we read it)."""

    def __init__(self, f: BinaryIO) -> None:
        self.f = f
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        block = self.f.read(size)
        self.digest.update(block)
        return block


# --- backup -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    size: int
    sha256: str
    manifest: dict[str, Any]


def _dump_sqlite(database: dict[str, Any], dest: Path) -> None:
    source_path = Path(str(database["NAME"]))
    if not source_path.is_file():
        raise BackupError(f"no SQLite database at {source_path} (run `storeops migrate` first?)")
    source = sqlite3.connect(source_path, timeout=30)
    target = sqlite3.connect(dest)
    try:
        source.backup(target)  # consistent snapshot, safe while the app writes
        # One self-contained file: no WAL flag in the header of the copy.
        target.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite backup of {source_path} failed: {exc}") from exc
    finally:
        target.close()
        source.close()


def _dump_postgresql(database: dict[str, Any], dest: Path) -> None:
    _run_pg(
        [_pg_tool("pg_dump"), "--format=custom", "--no-password", f"--file={dest}"],
        database,
        f"pg_dump of database {database.get('NAME')!r}",
    )


def create_backup(
    dest: Path,
    *,
    data_dir: Path,
    database: dict[str, Any],
    encryption_key: str | None,
    storeops_version: str,
) -> BackupSummary:
    """Write the archive to `dest` (atomically, mode 0600) and return its path, size and SHA-256.

    `encryption_key` is the key the running settings use: the data dir's encryption.key is
    archived as it is when it holds that key; otherwise (STOREOPS_ENCRYPTION_KEY from the
    environment) the key is written into the archive as encryption.key.
    """
    vendor = database_vendor(database)
    dest = Path(dest).resolve()
    if dest.is_dir():
        raise BackupError(f"{dest} is a directory; give the path of the archive to write")
    if not dest.parent.is_dir():
        raise BackupError(f"folder {dest.parent} does not exist")
    data_dir = Path(data_dir)
    members: dict[str, dict[str, Any]] = {}
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".storeops-backup-") as work:
            db_member = DB_MEMBERS[vendor]
            db_file = Path(work) / db_member
            if vendor == "sqlite":
                _dump_sqlite(database, db_file)
            else:
                _dump_postgresql(database, db_file)

            sources: list[tuple[str, Path]] = [(db_member, db_file)]
            key_source = ""
            key_path = data_dir / ENCRYPTION_KEY_FILE
            if key_path.is_file() and (
                encryption_key is None or key_path.read_text().strip() == encryption_key.strip()
            ):
                sources.append((ENCRYPTION_KEY_FILE, key_path))
                key_source = "file"
            elif encryption_key:
                env_key = Path(work) / ENCRYPTION_KEY_FILE
                env_key.write_text(encryption_key.strip())
                sources.append((ENCRYPTION_KEY_FILE, env_key))
                key_source = "environment"
            if (data_dir / SECRET_KEY_FILE).is_file():
                sources.append((SECRET_KEY_FILE, data_dir / SECRET_KEY_FILE))
            media_dir = data_dir / MEDIA
            if media_dir.is_dir():
                for path in sorted(media_dir.rglob("*")):
                    if path.is_file() and not path.is_symlink():
                        sources.append((f"{MEDIA}/{path.relative_to(media_dir).as_posix()}", path))

            now = _utcnow()
            with os.fdopen(fd, "wb") as raw:
                with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
                    for name, path in sources:
                        members[name] = _add_file(tar, name, path, now)
                    manifest = {
                        "format": FORMAT,
                        "format_version": FORMAT_VERSION,
                        "created_at": now.isoformat().replace("+00:00", "Z"),
                        "storeops_version": storeops_version,
                        "database": {"vendor": vendor, "member": db_member},
                        "encryption_key_source": key_source or None,
                        "members": members,
                    }
                    body = json.dumps(manifest, indent=2, sort_keys=True).encode()
                    info = _tarinfo(MANIFEST, len(body), now)
                    tar.addfile(info, _BytesReader(body))
                raw.flush()
                os.fsync(raw.fileno())
        tmp.chmod(0o600)
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return BackupSummary(dest, dest.stat().st_size, sha256_file(dest), manifest)


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.pos + size
        block = self.data[self.pos : end]
        self.pos += len(block)
        return block


def _tarinfo(name: str, size: int, when: dt.datetime, mode: int = 0o600) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = mode
    info.mtime = int(when.timestamp())
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def _add_file(tar: tarfile.TarFile, name: str, path: Path, when: dt.datetime) -> dict[str, Any]:
    with path.open("rb") as f:
        stat = os.fstat(f.fileno())
        # Keys and the database stay private; uploaded files keep their read bits.
        mode = (stat.st_mode & 0o644) | 0o600 if name.startswith(f"{MEDIA}/") else 0o600
        reader = _HashingReader(f)
        try:
            tar.addfile(_tarinfo(name, stat.st_size, when, mode), reader)
        except OSError as exc:
            raise BackupError(f"{path} changed while it was being archived: {exc}") from exc
    return {"sha256": reader.digest.hexdigest(), "size": stat.st_size}


# --- reading and checking an archive ------------------------------------------------------------


@dataclass
class VerifiedArchive:
    """An archive unpacked into `root` whose every member matched the manifest."""

    root: Path
    manifest: dict[str, Any]
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def vendor(self) -> str:
        return self.manifest["database"]["vendor"]

    @property
    def database_file(self) -> Path:
        return self.files[self.manifest["database"]["member"]]


def _allowed_name(name: str) -> bool:
    if name in (MANIFEST, ENCRYPTION_KEY_FILE, SECRET_KEY_FILE, *DB_MEMBERS.values()):
        return True
    parts = PurePosixPath(name).parts
    return (
        len(parts) >= 2
        and parts[0] == MEDIA
        and "\\" not in name
        and all(p not in ("", ".", "..") for p in parts)
        and not name.startswith("/")
    )


def _check_manifest(manifest: Any) -> dict[str, Any]:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{MANIFEST} is not a storeops backup manifest")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version < 1 or version > FORMAT_VERSION:
        raise BackupError(
            f"backup format version {version!r} is not supported (this storeops reads "
            f"up to {FORMAT_VERSION}); restore it with the storeops version that wrote it "
            f"({manifest.get('storeops_version')})"
        )
    database = manifest.get("database")
    members = manifest.get("members")
    if (
        not isinstance(database, dict)
        or database.get("vendor") not in DB_MEMBERS
        or database.get("member") != DB_MEMBERS[database["vendor"]]
        or not isinstance(members, dict)
        or not all(
            isinstance(m, dict)
            and isinstance(m.get("sha256"), str)
            and isinstance(m.get("size"), int)
            for m in members.values()
        )
    ):
        raise BackupError(f"{MANIFEST} is malformed (database or members section)")
    if database["member"] not in members:
        raise BackupError(f"the manifest lists no database member ({database['member']})")
    return manifest


def verify_archive(path: Path, root: Path) -> VerifiedArchive:
    """Unpack `path` into the (empty) folder `root` and check it; BackupError names what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    root.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    digests: dict[str, tuple[str, int]] = {}
    try:
        with tarfile.open(path, mode="r:gz") as tar:
            for member in tar:
                name = member.name
                if member.isdir():
                    continue
                if not member.isfile():
                    raise BackupError(f"archive member {name!r} is not a regular file")
                if not _allowed_name(name):
                    raise BackupError(f"archive member {name!r} is not part of a storeops backup")
                if name in files:
                    raise BackupError(f"archive member {name!r} appears twice")
                target = root / name
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                if source is None:
                    raise BackupError(f"archive member {name!r} cannot be read")
                digest = hashlib.sha256()
                with os.fdopen(
                    os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb"
                ) as out:
                    while block := source.read(CHUNK):
                        digest.update(block)
                        out.write(block)
                if name.startswith(f"{MEDIA}/"):
                    target.chmod((member.mode & 0o644) | 0o600)
                files[name] = target
                digests[name] = (digest.hexdigest(), member.size)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise BackupError(
            f"{path} is damaged or not a storeops backup (.tar.gz): {exc or type(exc).__name__}"
        ) from exc

    if MANIFEST not in files:
        raise BackupError(f"{path} has no {MANIFEST}: not a storeops backup")
    try:
        manifest = json.loads(files.pop(MANIFEST).read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"{MANIFEST} is not valid JSON: {exc}") from exc
    digests.pop(MANIFEST)
    manifest = _check_manifest(manifest)

    problems = []
    listed = manifest["members"]
    for name in sorted(set(listed) - set(files)):
        problems.append(f"{name}: listed in the manifest but missing from the archive")
    for name in sorted(set(files) - set(listed)):
        problems.append(f"{name}: in the archive but not listed in the manifest")
    for name in sorted(set(files) & set(listed)):
        actual, size = digests[name]
        if actual != listed[name]["sha256"] or size != listed[name]["size"]:
            problems.append(
                f"{name}: checksum mismatch (manifest {listed[name]['sha256'][:12]}…, "
                f"archive {actual[:12]}…)"
            )
    if problems:
        raise BackupError("backup failed verification: " + "; ".join(problems))

    archive = VerifiedArchive(root, manifest, files)
    if archive.vendor == "sqlite":
        _check_sqlite_file(archive.database_file)
    else:
        _run_pg(
            [_pg_tool("pg_restore"), "--list", str(archive.database_file)],
            {},
            "reading the PostgreSQL dump (pg_restore --list)",
        )
    return archive


def _check_sqlite_file(path: Path) -> None:
    with path.open("rb") as f:
        if f.read(16) != b"SQLite format 3\x00":
            raise BackupError(f"{path.name} is not a SQLite database")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA quick_check").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise BackupError(f"{path.name} is not a usable SQLite database: {exc}") from exc
    if not result or result[0] != "ok":
        raise BackupError(f"{path.name} failed SQLite's integrity check: {result}")


# --- restore ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreSummary:
    manifest: dict[str, Any]
    database: str
    keys: list[str]
    media_files: int
    kept: list[Path]


def restore_backup(
    path: Path,
    *,
    data_dir: Path,
    database: dict[str, Any],
    database_has_tables: Callable[[], bool],
    force: bool = False,
) -> RestoreSummary:
    """Check the archive whole, refuse a non-empty target unless `force`, then put it back.

    `database_has_tables` answers for the configured PostgreSQL database (the caller owns the
    connection); a SQLite target counts as non-empty when its file exists and is not empty.
    """
    vendor = database_vendor(database)
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=data_dir, prefix=".storeops-restore-"))
    try:
        archive = verify_archive(Path(path), staging / "archive")
        if archive.vendor != vendor:
            raise BackupError(
                f"the backup holds a {archive.vendor} database but this installation is "
                f"configured for {vendor} (STOREOPS_DATABASE_URL)"
            )

        # Is the target empty?
        occupied = []
        if vendor == "sqlite":
            db_path = Path(str(database["NAME"]))
            if db_path.exists() and db_path.stat().st_size > 0:
                occupied.append(f"the SQLite database {db_path} exists")
        elif database_has_tables():
            occupied.append(f"the PostgreSQL database {database.get('NAME')!r} has tables")
        media_dir = data_dir / MEDIA
        has_media = any(n.startswith(f"{MEDIA}/") for n in archive.files)
        if has_media and media_dir.is_dir() and any(media_dir.iterdir()):
            occupied.append(f"the media folder {media_dir} is not empty")
        if occupied and not force:
            raise BackupError(
                "refusing to restore over existing data: "
                + "; ".join(occupied)
                + " (use --force to replace it)"
            )

        # 1. the database (the step most likely to fail goes first: then nothing else changed)
        if vendor == "sqlite":
            _restore_sqlite(archive.database_file, Path(str(database["NAME"])))
            where = str(database["NAME"])
        else:
            _run_pg(
                [
                    _pg_tool("pg_restore"),
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    "--exit-on-error",
                    "--no-password",
                    f"--dbname={database.get('NAME')}",
                    str(archive.database_file),
                ],
                database,
                f"pg_restore into database {database.get('NAME')!r}",
            )
            where = f"PostgreSQL database {database.get('NAME')!r}"

        # 2. the key files (an old, different key is kept beside when data was replaced)
        stamp = _utcnow().strftime("%Y%m%dT%H%M%SZ")
        kept: list[Path] = []
        keys = []
        for name in KEY_FILES:
            if name not in archive.files:
                continue
            new = archive.files[name].read_bytes()
            current = data_dir / name
            if occupied and current.is_file() and current.read_bytes().strip() != new.strip():
                old = data_dir / f"{name}.replaced-{stamp}"
                _write_private(old, current.read_bytes())
                kept.append(old)
            _write_private(current, new)
            keys.append(name)

        # 3. the media folder, swapped in whole
        media_count = 0
        if has_media:
            media_count = sum(1 for n in archive.files if n.startswith(f"{MEDIA}/"))
            if media_dir.exists():
                media_dir.rename(staging / "media.old")
            (staging / "archive" / MEDIA).rename(media_dir)
        return RestoreSummary(archive.manifest, where, keys, media_count, kept)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _restore_sqlite(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out, CHUNK)
            out.flush()
            os.fsync(out.fileno())
        tmp.chmod(0o600)
        # A write-ahead log left from the old database would be replayed into the new one.
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
