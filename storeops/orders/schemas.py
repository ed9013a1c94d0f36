"""Schemas of the order import API."""

from datetime import datetime

from ninja import Schema


class ImportErrorOut(Schema):
    line: int
    field: str
    message: str
    file: str | None = None


class ImportFileOut(Schema):
    name: str
    sha256: str
    size: int


class OrderImportOut(Schema):
    """The `--json` result of ARCHITECTURE.md (counts are orders) plus the import record."""

    id: int
    store: str
    status: str
    format: str
    created: int
    updated: int
    unchanged: int
    rejected: int
    errors: list[ImportErrorOut]
    files: list[ImportFileOut]
    started_at: datetime
    finished_at: datetime | None
    imported_by: str | None
