"""Schemas of the order import API."""

from datetime import datetime

from ninja import Field, Schema


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


class ImportAliasIn(Schema):
    format: str = Field(..., max_length=10, description="taobao|jd|pdd|douyin|generic")
    alias: str = Field(..., min_length=1, max_length=100, description="导出文件里的表头")
    field: str = Field(..., max_length=50, description="对应的字段名，见 GET 的 fields")


class ImportAliasPatch(Schema):
    alias: str | None = Field(None, min_length=1, max_length=100)
    field: str | None = Field(None, max_length=50)
    is_active: bool | None = None


class ImportAliasOut(Schema):
    id: int
    format: str
    alias: str
    field: str
    is_active: bool


class AliasFieldOut(Schema):
    field: str
    label: str
    builtin: list[str]
    custom: list[ImportAliasOut]


class AliasProfileOut(Schema):
    format: str
    fields: list[AliasFieldOut]
