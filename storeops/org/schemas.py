"""API shapes of the org app. A credential's secret goes in, and out only through reveal."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from storeops.core.api import MAX_ID, PAGE_MAX


class CredentialIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    login: str = Field(..., min_length=1, max_length=150)
    secret: str = Field(..., min_length=1, max_length=500)
    custodian: str | None = Field(None, max_length=150, description="保管人用户名")
    rotation_due: dt.date | None = Field(None, description="下次改密日期")
    allowed_revealers: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="限定可查看密码的用户名（空：全部有权限者）",
    )


class CredentialPatch(Schema):
    login: str | None = Field(None, min_length=1, max_length=150)
    secret: str | None = Field(None, min_length=1, max_length=500, description="替换密码")
    custodian: str | None = Field(None, max_length=150)
    rotation_due: dt.date | None = None
    allowed_revealers: list[str] | None = Field(None, max_length=50)


class CredentialOut(Schema):
    id: int
    store: str
    name: str
    login: str
    custodian: str | None
    rotation_due: dt.date | None
    allowed_revealers: list[str]
    secret_changed_at: dt.datetime | None
    updated_at: dt.datetime


class CredentialPage(Schema):
    items: list[CredentialOut] = Field(..., max_length=PAGE_MAX)
    next: str | None = None


class SecretOut(Schema):
    secret: str


class DepartmentRef(Schema):
    id: int
    code: str
    name: str


class DepartmentOut(Schema):
    id: int
    code: str
    name: str
    contact_person: str | None
    members: list[str]


class DepartmentPage(Schema):
    items: list[DepartmentOut] = Field(..., max_length=PAGE_MAX)
    next: str | None = None


class DutyOut(Schema):
    id: int
    policy_id: str
    module: str
    module_label: str
    category: str
    item: str
    owner: str | None
    owner_name: str | None
    department: DepartmentRef | None
    notes: str


class DutyPage(Schema):
    items: list[DutyOut] = Field(..., max_length=PAGE_MAX)
    next: str | None = None


class DutyPatch(Schema):
    owner: str | None = Field(None, max_length=150, description="责任人用户名；空字符串清除")
    department: int | None = Field(None, ge=0, le=MAX_ID, description="部门 id；0 清除")
    notes: str | None = Field(None, max_length=2000)


class StoreProfileIO(Schema):
    product_positioning: str = Field("", max_length=5000)
    customer_positioning: str = Field("", max_length=5000)
    price_positioning: str = Field("", max_length=5000)
    feature_positioning: str = Field("", max_length=5000)
    service_positioning: str = Field("", max_length=5000)


class StoreProfileOut(StoreProfileIO):
    store: str
    updated_at: dt.datetime | None
    updated_by: str | None
