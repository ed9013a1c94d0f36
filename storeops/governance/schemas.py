"""API shapes for approvals, obligations and policy settings."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema

from storeops.core.api import MAX_ID, PAGE_MAX


class ApprovalStepOut(Schema):
    sequence: int
    approver_roles: list[str]
    status: str
    decided_by: str | None
    decided_at: dt.datetime | None
    comment: str


class ApprovalOut(Schema):
    id: int
    object_type: str
    object_id: str
    store: str | None
    title: str
    url: str
    snapshot: Any = None
    snapshot_hash: str
    requested_by: str
    requested_at: dt.datetime
    status: str
    status_label: str
    current_sequence: int
    decided_at: dt.datetime | None
    steps: list[ApprovalStepOut]


class ApprovalPage(Schema):
    items: list[ApprovalOut] = Field(..., max_length=PAGE_MAX)
    next: str | None = None


class DecisionIn(Schema):
    comment: str = Field("", max_length=2000, description="审批意见（驳回时必填）")


class OccurrenceOut(Schema):
    id: int
    obligation_id: int
    title: str
    policy_id: str
    owner: str
    store: str | None
    period_key: str
    opens_at: dt.datetime
    due_at: dt.datetime
    status: str
    status_label: str
    evidence: str
    done_by: str | None
    done_at: dt.datetime | None


class OccurrencePage(Schema):
    items: list[OccurrenceOut] = Field(..., max_length=PAGE_MAX)
    next: str | None = None


class CompleteIn(Schema):
    evidence: str = Field(..., max_length=500, description="完成凭证：链接或简短说明")


class ObligationOut(Schema):
    id: int
    title: str
    description: str
    policy_id: str
    kind: str
    owner: str
    owner_id: int
    store: str | None
    schedule: str
    due_hours: int
    is_active: bool


class ObligationPage(Schema):
    items: list[ObligationOut] = Field(..., max_length=PAGE_MAX)
    next: str | None = None


class ObligationIn(Schema):
    title: str = Field(..., max_length=200)
    owner_id: int = Field(..., ge=1, le=MAX_ID)
    schedule: str = Field(
        ...,
        max_length=100,
        description="“0 9 * * 1”（每周一 9:00）、“every 15 days from 2026-01-01 09:00”或"
        "“once 2026-12-01 09:00”（北京时间）",
    )
    due_hours: int = Field(..., ge=1, le=24 * 366, description="开始后多少小时内完成")
    policy_id: str = Field("", max_length=20)
    store: str | None = Field(None, max_length=40, description="店铺编码")
    description: str = Field("", max_length=2000)


class PolicyOut(Schema):
    key: str
    label: str
    value: str
    default: str
    unit: str
    kind: str
    minimum: str
    maximum: str
    policy_id: str
    updated_by: str | None
    updated_at: dt.datetime | None


class PolicyPage(Schema):
    items: list[PolicyOut] = Field(..., max_length=PAGE_MAX)
    next: str | None = None


class PolicyIn(Schema):
    value: (
        # wide bounds here (no unbounded integer reaches the service); the policy's own range is
        # checked by policy_set, which names the field in its error
        Annotated[int, Field(ge=-1_000_000_000, le=1_000_000_000)]
        | Annotated[float, Field(ge=-1_000_000_000, le=1_000_000_000)]
        | Annotated[str, Field(max_length=50)]
    ) = Field(..., description="新的值（整数或数字）")
