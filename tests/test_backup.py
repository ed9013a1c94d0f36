"""`storeops backup` and `storeops restore`: a round trip between two data dirs, and refusals.

Which pass runs these tests: every test here runs `storeops` in subprocesses against data dirs
and databases it makes itself, never pytest-django's test database, so the database a pass is
configured for does not matter to them. They therefore run once, on the SQLite pass (the plain
`pytest` run), and the whole module is skipped on the PostgreSQL pass (STOREOPS_TEST_ON_POSTGRES=1)
so nothing runs twice. The PostgreSQL round trip (`@pytest.mark.postgres`) additionally needs
STOREOPS_TEST_DATABASE_URL: it creates two scratch databases on that server (through its
`postgres` database) and drops them afterwards.

Subprocesses are slow, so each data dir is migrated and seeded once (a module-scoped fixture),
and the refusals that need no database are checked in-process on `storeops.core.backup`.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from storeops.core import backup as bk

pytestmark = pytest.mark.skipif(
    os.environ.get("STOREOPS_TEST_ON_POSTGRES", "") not in ("", "0"),
    reason="runs once, on the SQLite pass (see the module docstring)",
)

STOREOPS = str(Path(sys.executable).parent / "storeops")
REPO = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("STOREOPS_TEST_DATABASE_URL", "")


def storeops(*args: str, data_dir: Path, database_url: str = "", check: bool = True):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("STOREOPS_") and k != "DJANGO_SETTINGS_MODULE"
    }
    env.update(
        STOREOPS_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="config.settings",
        STOREOPS_HTTPS="0",
    )
    if database_url:
        env["STOREOPS_DATABASE_URL"] = database_url
    result = subprocess.run(
        [STOREOPS, *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if check:
        assert result.returncode == 0, f"storeops {' '.join(args)}:\n{result.stderr}"
    return result


def audit_count(data_dir: Path, database_url: str = "") -> int:
    out = storeops("audit-verify", "--json", data_dir=data_dir, database_url=database_url)
    report = json.loads(out.stdout)
    assert report["intact"] is True
    return report["checked"]


def sqlite_usernames(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {row[0] for row in conn.execute("SELECT username FROM accounts_user")}
    finally:
        conn.close()


def repack(src: Path, dest: Path, *, change=None, extra: dict[str, bytes] | None = None) -> None:
    """Copy an archive member by member; change(name, data) may alter a member's bytes."""
    with tarfile.open(src, "r:gz") as tin, tarfile.open(dest, "w:gz") as tout:
        for member in tin:
            data = tin.extractfile(member).read()
            if change:
                data = change(member.name, data)
            member.size = len(data)
            tout.addfile(member, io.BytesIO(data))
        for name, data in (extra or {}).items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tout.addfile(info, io.BytesIO(data))


def flip_byte(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]


def sqlite_db(data_dir: Path) -> dict:
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": data_dir / "storeops.sqlite3"}


def listing(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.fixture(scope="module")
def sqlite_source(tmp_path_factory):
    """Data dir A: migrated SQLite, the demo company (its audit events), an uploaded file, a backup."""
    root = tmp_path_factory.mktemp("backup-sqlite")
    a = root / "a"
    storeops("migrate", "--noinput", "-v0", data_dir=a)
    storeops("seed-demo", "--password", "x", data_dir=a)
    (a / "media" / "products").mkdir(parents=True)
    (a / "media" / "products" / "图片.txt").write_bytes(b"uploaded file")
    events = audit_count(a)
    archive = root / "backup.tar.gz"
    out = storeops("backup", str(archive), data_dir=a)
    return {"root": root, "a": a, "archive": archive, "events": events, "stdout": out.stdout}


def test_sqlite_round_trip_into_an_empty_data_dir(sqlite_source, tmp_path):
    a, archive = sqlite_source["a"], sqlite_source["archive"]
    assert sqlite_source["events"] > 0
    line = sqlite_source["stdout"].strip()
    assert "\n" not in line
    assert str(archive) in line
    assert bk.sha256_file(archive) in line
    assert str(archive.stat().st_size) in line
    assert archive.stat().st_mode & 0o777 == 0o600
    assert not list(archive.parent.glob(".backup.tar.gz.*")), "temporary file left behind"

    with tarfile.open(archive, "r:gz") as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["format_version"] == bk.FORMAT_VERSION
    assert manifest["database"]["vendor"] == "sqlite"
    assert manifest["created_at"].endswith("Z")
    members = set(manifest["members"])
    photos = {m for m in members if m.startswith(("media/catalog/", "media/storefront/"))}
    assert photos, "the demo's product photos and mock-ups are data and belong in the backup"
    assert members - photos == {
        "database.sqlite3",
        "encryption.key",
        "secret.key",
        "media/products/图片.txt",
    }

    b = tmp_path / "b"
    storeops("restore", str(archive), data_dir=b)
    assert audit_count(b) == sqlite_source["events"]
    assert sqlite_usernames(b / "storeops.sqlite3") == sqlite_usernames(a / "storeops.sqlite3")
    assert {"admin", "kefu", "cangku"} <= sqlite_usernames(b / "storeops.sqlite3")
    assert (b / "encryption.key").read_bytes() == (a / "encryption.key").read_bytes()
    assert (b / "secret.key").read_bytes() == (a / "secret.key").read_bytes()
    assert (b / "encryption.key").stat().st_mode & 0o777 == 0o600
    assert (b / "media" / "products" / "图片.txt").read_bytes() == b"uploaded file"
    assert not list(b.glob(".storeops-restore-*")), "staging folder left behind"

    # B now has data: a second restore is refused and changes nothing ...
    before = listing(b)
    refused = storeops("restore", str(archive), data_dir=b, check=False)
    assert refused.returncode != 0
    assert "--force" in refused.stderr
    assert "exists" in refused.stderr
    assert listing(b) == before

    # ... unless forced; a stale write-ahead log of the old database is not replayed into it.
    (b / "storeops.sqlite3-wal").write_bytes(b"stale")
    summary = bk.restore_backup(
        archive,
        data_dir=b,
        database=sqlite_db(b),
        database_has_tables=lambda: pytest.fail("not asked for SQLite"),
        force=True,
    )
    assert summary.database == str(b / "storeops.sqlite3")
    assert not (b / "storeops.sqlite3-wal").exists()
    assert sqlite_usernames(b / "storeops.sqlite3") == sqlite_usernames(a / "storeops.sqlite3")


def test_tampered_database_member_is_refused(sqlite_source, tmp_path):
    bad = tmp_path / "tampered.tar.gz"
    repack(
        sqlite_source["archive"],
        bad,
        change=lambda name, data: flip_byte(data, 5000) if name == "database.sqlite3" else data,
    )
    c = tmp_path / "c"
    result = storeops("restore", str(bad), data_dir=c, check=False)
    assert result.returncode != 0
    assert "database.sqlite3: checksum mismatch" in result.stderr
    assert not (c / "storeops.sqlite3").exists()
    # The keys settings made for the empty dir are untouched, not A's.
    assert (c / "encryption.key").read_bytes() != (
        sqlite_source["a"] / "encryption.key"
    ).read_bytes()
    assert not (c / "media").exists()
    assert not list(c.glob(".storeops-restore-*"))


def test_manifest_checksum_mismatch_is_refused_and_changes_nothing(sqlite_source, tmp_path):
    def change(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["members"]["encryption.key"]["sha256"] = "0" * 64
        return json.dumps(manifest).encode()

    bad = tmp_path / "bad-manifest.tar.gz"
    repack(sqlite_source["archive"], bad, change=change)
    target = tmp_path / "d"
    target.mkdir()
    (target / "encryption.key").write_text("keep me")
    with pytest.raises(bk.BackupError, match=r"encryption\.key: checksum mismatch"):
        bk.restore_backup(
            bad, data_dir=target, database=sqlite_db(target), database_has_tables=lambda: False
        )
    assert listing(target) == {"encryption.key": b"keep me"}
    assert list(target.iterdir()) == [target / "encryption.key"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda good, bad: bad.write_bytes(b"not an archive"), "damaged or not a storeops backup"),
        (
            lambda good, bad: bad.write_bytes(good.read_bytes()[:4000]),
            "damaged or not a storeops backup",
        ),
        (
            lambda good, bad: repack(good, bad, extra={"../escape.txt": b"x"}),
            "not part of a storeops backup",
        ),
        (
            lambda good, bad: repack(good, bad, extra={"media/unlisted.txt": b"x"}),
            "media/unlisted.txt: in the archive but not listed",
        ),
        (
            lambda good, bad: repack(
                good, bad, change=lambda n, d: b"{}" if n == "manifest.json" else d
            ),
            "not a storeops backup manifest",
        ),
    ],
    ids=["garbage", "truncated", "path-traversal", "unlisted-member", "foreign-manifest"],
)
def test_damaged_or_foreign_archives_are_refused(sqlite_source, tmp_path, make, message):
    bad = tmp_path / "bad.tar.gz"
    make(sqlite_source["archive"], bad)
    target = tmp_path / "e"
    with pytest.raises(bk.BackupError, match=message):
        bk.restore_backup(
            bad, data_dir=target, database=sqlite_db(target), database_has_tables=lambda: False
        )
    assert listing(target) == {}
    assert not (tmp_path / "escape.txt").exists()


def test_postgres_settings_reach_pg_tools_by_environment_only():
    env = bk.pg_environment(
        {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "shop",
            "USER": "ops",
            "PASSWORD": "s3cret",
            "HOST": "db.internal",
            "PORT": 5433,
            "OPTIONS": {"sslmode": "require"},
        }
    )
    assert env["PGPASSWORD"] == "s3cret"
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGDATABASE"]) == (
        "db.internal",
        "5433",
        "ops",
        "shop",
    )
    assert env["PGSSLMODE"] == "require"


# --- PostgreSQL ---------------------------------------------------------------------------------


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture
def pg_scratch():
    """Two empty scratch databases on the STOREOPS_TEST_DATABASE_URL server, dropped afterwards."""
    import psycopg

    suffix = secrets.token_hex(4)
    names = [f"storeops_bk_src_{suffix}", f"storeops_bk_dst_{suffix}"]
    admin_url = _with_database(PG_URL, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield [_with_database(PG_URL, name) for name in names]
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="needs STOREOPS_TEST_DATABASE_URL")
def test_postgres_round_trip(pg_scratch, tmp_path):
    import psycopg

    src_url, dst_url = pg_scratch
    a, b = tmp_path / "a", tmp_path / "b"
    storeops("migrate", "--noinput", "-v0", data_dir=a, database_url=src_url)
    storeops("seed-demo", "--password", "x", data_dir=a, database_url=src_url)
    events = audit_count(a, src_url)
    assert events > 0
    archive = tmp_path / "pg-backup.tar.gz"
    storeops("backup", str(archive), data_dir=a, database_url=src_url)
    assert archive.stat().st_mode & 0o777 == 0o600
    with tarfile.open(archive, "r:gz") as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["database"] == {"vendor": "postgresql", "member": "database.pgdump"}

    storeops("restore", str(archive), data_dir=b, database_url=dst_url)
    assert audit_count(b, dst_url) == events
    assert (b / "encryption.key").read_bytes() == (a / "encryption.key").read_bytes()

    def usernames(url):
        with psycopg.connect(url) as conn:
            return {r[0] for r in conn.execute("SELECT username FROM accounts_user")}

    assert usernames(dst_url) == usernames(src_url)
    assert "admin" in usernames(dst_url)

    refused = storeops("restore", str(archive), data_dir=b, database_url=dst_url, check=False)
    assert refused.returncode != 0
    assert "has tables" in refused.stderr

    # --force: pg_restore --clean replaces the tables (a change made since is undone).
    with psycopg.connect(dst_url) as conn:
        conn.execute("UPDATE accounts_user SET first_name = 'changed' WHERE username = 'admin'")
    storeops("restore", "--force", str(archive), data_dir=b, database_url=dst_url)
    with psycopg.connect(dst_url) as conn:
        (first_name,) = conn.execute(
            "SELECT first_name FROM accounts_user WHERE username = 'admin'"
        ).fetchone()
    assert first_name != "changed"
    assert audit_count(b, dst_url) == events
