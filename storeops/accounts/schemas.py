"""API shapes for tokens, the current user, stores and roles."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from storeops.core.api import PAGE_MAX


class TokenIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=512)
    otp: str | None = Field(None, max_length=12, description="两步验证码（已启用时必填）")
    name: str = Field("", max_length=100)


class TokenOut(Schema):
    token: str


class TokenInfoOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenPage(Schema):
    items: list[TokenInfoOut] = Field(..., max_length=PAGE_MAX)
    next: str | None = None


class StoreOut(Schema):
    id: int
    code: str
    platform: str
    platform_label: str
    name: str
    is_main_store: bool


class StorePage(Schema):
    items: list[StoreOut] = Field(..., max_length=PAGE_MAX)
    next: str | None = None
    count: int


class RoleRef(Schema):
    code: str
    name: str


class MeOut(Schema):
    id: int
    username: str
    name: str
    language: str
    roles: list[RoleRef]
    permissions: list[str]
    stores: list[StoreOut]
    two_factor_enabled: bool


class RoleOut(Schema):
    id: int
    code: str
    name: str
    permissions: list[str]


class RolePage(Schema):
    items: list[RoleOut] = Field(..., max_length=PAGE_MAX)
    next: str | None = None
    count: int
