"""Demo content (R3.3, R4.1, R4.2, R5.1): intake items, release drafts in every state, a listing
whose copy is overdue for its half-monthly refresh. Built through the content services.

History is back-dated by pointing `core.clock.now` at the past while those services run, so the
SLA report, the stale-listings board and the audit log tell one consistent story."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any
from unittest import mock

from storeops.catalog.models import Listing
from storeops.content import services as content
from storeops.content.models import IntakeItem, ReleaseDraft
from storeops.core import clock

MARKER = "市场组：大容量运动保温壶调价"
STALE_STYLE = "GLT-CUP-1000"  # not photographed yet, so no photo upload refreshed it either


@contextlib.contextmanager
def _at(when: dt.datetime) -> Iterator[None]:
    with mock.patch.object(clock, "now", return_value=when):
        yield


def _fresh(draft: ReleaseDraft) -> ReleaseDraft:
    return ReleaseDraft.objects.get(pk=draft.pk)


def _published(
    *, writer: Any, approver: Any, when: dt.datetime, **fields: Any
) -> tuple[ReleaseDraft, Any]:
    """Write, submit, approve and publish within one afternoon of `when` (SLA met)."""
    with _at(when):
        draft = content.draft_create(actor=writer, **fields)
    with _at(when + dt.timedelta(hours=1)):
        content.draft_submit(actor=writer, draft=draft)
    with _at(when + dt.timedelta(hours=3)):
        content.draft_approve(actor=approver, draft=_fresh(draft), comment="同意发布")
    with _at(when + dt.timedelta(hours=5)):
        publication = content.draft_publish(actor=writer, draft=_fresh(draft))
    return draft, publication


def seed_content(*, users: dict[str, Any], stores: dict[str, Any]) -> None:
    if IntakeItem.objects.filter(title=MARKER).exists():
        return
    qihua, jingli = users["qihua"], users["jingli"]
    tb = stores["tb-main"]
    now = clock.now()
    listings = {
        listing.product.style_code: listing
        for listing in Listing.objects.filter(store=tb).select_related("product")
    }

    # a listing refreshed twice, the last time 20 days ago: overdue for R3.3 (15 days)
    stale = listings[STALE_STYLE]
    _published(
        writer=qihua,
        approver=jingli,
        when=now - dt.timedelta(days=40, hours=2),
        store=tb,
        kind="listing",
        target=stale.pk,
        title=stale.title,
        body="大容量 1L，户外运动一天够喝。双层真空，保冷保热。",
        priority="general",
    )
    _published(
        writer=qihua,
        approver=jingli,
        when=now - dt.timedelta(days=20, hours=2),
        store=tb,
        kind="listing",
        target=stale.pk,
        title=stale.title,
        body="1L 大容量运动保温壶：双层真空，12 小时保温；防漏弹盖，单手开合。",
        priority="general",
    )  # supersedes the first: published + superseded

    # intake from the departments (R4.1)
    price_change = content.intake_create(
        actor=users["shichang"],
        source="marketing_group",
        classification="price",
        title=MARKER,
        content="大容量运动保温壶 1L 双十二活动价调整为 119 元，活动结束后恢复。",
        store=tb,
        listing=stale,
    )
    new_product = content.intake_create(
        actor=users["shangwu"],
        source="commerce",
        classification="new_product",
        title="商务部：折叠硅胶水壶新品资料",
        content="食品级硅胶，折叠后 3 cm 高，可放入背包；容量 600ml，耐温 -40～120℃。",
        store=tb,
    )
    content.intake_create(
        actor=users["shichang"],
        source="marketing_group",
        classification="customer_service",
        title="市场组：客服在线时间调整",
        content="客服在线时间改为每天 8:30–23:00，节假日照常。",
    )

    # drafts in every open state
    content.draft_create(
        actor=qihua,
        store=tb,
        kind="blog",
        title="折叠硅胶水壶：出门少带一件行李",
        body="食品级硅胶，折叠后只有 3 cm 高。",
        priority="general",
        intake=new_product,
    )  # 草稿
    submitted = content.draft_create(
        actor=qihua,
        store=tb,
        kind="listing",
        target=stale.pk,
        title=stale.title,
        body="双十二活动价 119 元，1L 大容量，双层真空，12 小时保温。",
        priority="important",
        intake=price_change,
        price="119.00",
    )
    content.draft_submit(actor=qihua, draft=submitted)  # 待审批 (经理)
    cup = listings["GLT-CUP-350"]
    approved = content.draft_create(
        actor=qihua,
        store=tb,
        kind="listing",
        target=cup.pk,
        title=cup.title,
        body="350ml 小巧随行，放进包里不占地方；一键弹盖，单手可开。",
        priority="general",
    )
    content.draft_submit(actor=qihua, draft=approved)
    content.draft_approve(actor=jingli, draft=_fresh(approved), comment="可以发布")  # 已通过
    rejected = content.draft_create(
        actor=qihua,
        store=stores["tm-flagship"],
        kind="shop_sign",
        title="天猫旗舰店招牌：双十二",
        body="格润莱特 双十二 全场满 199 减 20",
        priority="general",
    )
    content.draft_submit(actor=qihua, draft=rejected)
    content.draft_reject(
        actor=jingli, draft=_fresh(rejected), comment="活动规则尚未确定，先不要上招牌"
    )  # 已驳回

    # R3.3: a refresh duty per store for its 企划; the overdue listing raises its alert
    content.freshness_check()

    # a blog post published this morning
    _published(
        writer=qihua,
        approver=jingli,
        when=now - dt.timedelta(hours=6),
        store=tb,
        kind="blog",
        title="保温杯怎么清洗才不留异味",
        body="小苏打加温水浸泡 20 分钟，再用软毛刷清洗杯盖的密封圈。",
        priority="general",
    )
