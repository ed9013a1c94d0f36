"""Reviews (评价, R2.8): the platform's review export imported idempotently, 好评/中评/差评 with text
and our reply; every 差评 opens a follow-up duty for a 客服 — a one-off governance obligation
(owner, due time, overdue alert to the owner and the department's contact person), completed by
the reply."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from storeops.audit.services import audit_record
from storeops.core import clock
from storeops.core.errors import NotFound
from storeops.core.imports import (
    Column,
    ImportResult,
    RowInvalid,
    Source,
    SourceRow,
    open_table,
    run_import,
)
from storeops.core.permissions import has_perm, require
from storeops.core.roles import RoleCode
from storeops.core.text import clean_text
from storeops.governance.permissions import GovernancePerm
from storeops.governance.selectors import occurrence_current
from storeops.governance.services import obligation_create, occurrence_complete
from storeops.notifications.selectors import users_with_roles
from storeops.orders.enums import ReviewRating
from storeops.orders.importing.cells import CellError, local_time, order_number
from storeops.orders.models import Order, OrderReview
from storeops.orders.permissions import OrderPerm
from storeops.orders.services.timeline import timeline_add

FOLLOW_UP_HOURS = 24
FOLLOW_UP_KIND = "orders.negative_review"

REVIEW_COLUMNS = (
    Column("order_no", "订单编号", ("订单号", "子订单编号", "主订单编号"), required=True),
    Column(
        "rating", "评价结果", ("评价", "评价等级", "评分", "评价类型", "商品评分"), required=True
    ),
    Column("content", "评价内容", ("评论内容", "评价详情", "初评内容")),
    Column("reviewed_at", "评价时间", ("评论时间", "初评时间")),
    Column("buyer_nick", "买家昵称", ("评价人", "买家会员名", "用户昵称")),
    Column("item_title", "宝贝标题", ("商品名称", "商品标题", "宝贝名称")),
    Column("reply", "回复内容", ("解释内容", "商家回复", "卖家回复")),
)

_RATINGS = {
    "好评": ReviewRating.POSITIVE,
    "中评": ReviewRating.NEUTRAL,
    "差评": ReviewRating.NEGATIVE,
    "positive": ReviewRating.POSITIVE,
    "neutral": ReviewRating.NEUTRAL,
    "negative": ReviewRating.NEGATIVE,
    "good": ReviewRating.POSITIVE,
    "bad": ReviewRating.NEGATIVE,
}


def parse_rating(raw: str) -> str:
    """好评/中评/差评, or stars (JD, Douyin): 4–5 好评, 3 中评, 1–2 差评."""
    text = raw.strip().lower().replace("星", "").replace("分", "")
    if text in _RATINGS:
        return _RATINGS[text]
    if text in {"1", "2", "3", "4", "5"}:
        stars = int(text)
        if stars >= 4:
            return ReviewRating.POSITIVE
        return ReviewRating.NEUTRAL if stars == 3 else ReviewRating.NEGATIVE
    raise RowInvalid([("rating", _("评价结果应为好评、中评、差评或 1–5 星：%(v)s") % {"v": raw})])


@dataclass
class ReviewRecord:
    order_no: str
    rating: str
    content: str
    reviewed_at: dt.datetime | None
    buyer_nick: str
    item_title: str
    reply: str

    def key(self) -> str:
        stamp = self.reviewed_at.isoformat() if self.reviewed_at else ""
        text = "\x1f".join((self.order_no, self.item_title, stamp, self.content))
        return hashlib.sha256(text.encode()).hexdigest()


def _validate(row: SourceRow) -> ReviewRecord:
    errors: list[tuple[str, Any]] = []
    try:
        number = order_number(row.raw("order_no"), "订单编号")
    except CellError as exc:
        errors.append(("order_no", str(exc)))
        number = ""
    try:
        rating = parse_rating(row.text("rating"))
    except RowInvalid as exc:
        errors.extend(exc.errors)
        rating = ""
    reviewed_at = None
    try:
        stamp = local_time(row.raw("reviewed_at"))
    except CellError as exc:
        errors.append(("reviewed_at", str(exc)))
    else:
        if stamp:
            reviewed_at = dt.datetime.fromisoformat(stamp).replace(tzinfo=clock.BUSINESS_TZ)
    if errors:
        raise RowInvalid(errors)
    return ReviewRecord(
        order_no=number,
        rating=rating,
        content=row.text("content")[:5000],
        reviewed_at=reviewed_at,
        buyer_nick=row.text("buyer_nick")[:100],
        item_title=row.text("item_title")[:255],
        reply=row.text("reply")[:5000],
    )


def _follow_up_owner(store: Any, order: Order | None) -> Any:
    """The order's own 客服 when they still serve this store, else the first 客服 of the store."""
    staff = users_with_roles([RoleCode.CUSTOMER_SERVICE], store=store)
    if order is not None and order.cs_agent_id and staff.filter(pk=order.cs_agent_id).exists():
        return order.cs_agent
    return staff.first()


def _open_follow_up(*, store: Any, review: OrderReview) -> None:
    owner = _follow_up_owner(store, review.order)
    if owner is None:
        return
    now = clock.local(clock.now())
    review.follow_up = obligation_create(
        actor=None,
        title=_("差评跟进：订单 %(no)s") % {"no": review.platform_order_no},
        owner=owner,
        schedule=f"once {now:%Y-%m-%d %H:%M}",
        due_hours=FOLLOW_UP_HOURS,
        policy_id="R2.8",
        store=store,
        description=_("联系买家、回复评价、争取追评。评价内容：%(c)s")
        % {"c": review.content[:300]},
        kind=FOLLOW_UP_KIND,
    )
    review.save(update_fields=["follow_up"])


@transaction.atomic
def review_import(
    *,
    actor: Any,
    store: Any,
    source: Source,
    filename: str = "",
    skip_invalid: bool = False,
) -> ImportResult:
    """Import a review export into `store`: idempotent on (order, item, time, text); a 差评 opens
    one follow-up duty. Atomic per file unless `skip_invalid`. One audit event."""
    require(actor, OrderPerm.MANAGE_REVIEWS, store=store)
    table = open_table(source, columns=REVIEW_COLUMNS, filename=filename)
    negatives: list[int] = []

    def apply(batch: list[ReviewRecord], result: ImportResult) -> None:
        keys = {r.key(): r for r in batch}
        existing = set(
            OrderReview.objects.filter(store=store, review_key__in=list(keys)).values_list(
                "review_key", flat=True
            )
        )
        numbers = {r.order_no for r in batch}
        orders = {
            o.platform_order_no: o
            for o in Order.objects.filter(store=store, platform_order_no__in=numbers)
        }
        for key, record in keys.items():
            if key in existing:
                result.unchanged += 1
                continue
            review = OrderReview.objects.create(
                store=store,
                order=orders.get(record.order_no),
                platform_order_no=record.order_no,
                item_title=record.item_title,
                review_key=key,
                buyer_nick=record.buyer_nick,
                rating=record.rating,
                content=record.content,
                reviewed_at=record.reviewed_at,
                reply=record.reply,
            )
            result.created += 1
            if review.order is not None:
                timeline_add(
                    order=review.order,
                    actor=actor,
                    kind="review",
                    message=_("买家评价：%(r)s") % {"r": ReviewRating(record.rating).label},
                    after={"review": review.pk, "rating": record.rating},
                )
            if record.rating == ReviewRating.NEGATIVE and not record.reply:
                _open_follow_up(store=store, review=review)
                negatives.append(review.pk)

    result = run_import(table, validate=_validate, apply=apply, skip_invalid=skip_invalid)
    audit_record(
        actor=actor,
        action="orders.review.import",
        object_type="accounts.store",
        object_id=store.pk,
        object_repr=str(store),
        store=store,
        after={
            "file": filename,
            "applied": result.applied,
            "created": result.created,
            "unchanged": result.unchanged,
            "rejected": result.rejected,
            "negative_follow_ups": len(negatives) if result.applied else 0,
        },
    )
    return result


def review_get_for_change(*, actor: Any, review_id: int) -> OrderReview:
    review = OrderReview.objects.select_related("store", "order", "follow_up").filter(pk=review_id)
    found = review.first()
    if found is None or not actor.works_in(found.store_id):
        raise NotFound("review.not_found", _("评价不存在"))
    require(actor, OrderPerm.MANAGE_REVIEWS, store=found.store)
    return found


@transaction.atomic
def review_reply(*, actor: Any, review_id: int, reply: str) -> OrderReview:
    """Record our reply; for a 差评 it completes the follow-up duty when the replier owns it (or
    manages duties) — otherwise the owner closes it with their own evidence."""
    review = review_get_for_change(actor=actor, review_id=review_id)
    review = (
        OrderReview.objects.select_for_update(of=("self",))
        .select_related("store", "order", "follow_up")
        .get(pk=review.pk)
    )
    reply = clean_text(reply, field="reply", required=True, limit=5000)
    before = {"reply": review.reply}
    review.reply = reply
    review.replied_by = actor
    review.replied_at = clock.now()
    review.save(update_fields=["reply", "replied_by", "replied_at"])
    follow_up_done = False
    if review.follow_up is not None:
        occurrence = occurrence_current(review.follow_up)
        may_complete = review.follow_up.owner_id == actor.pk or has_perm(
            actor, GovernancePerm.MANAGE_OBLIGATION, store=review.store
        )
        if occurrence is not None and occurrence.status != "done" and may_complete:
            occurrence_complete(
                actor=actor,
                occurrence=occurrence,
                evidence=_("已回复评价：%(r)s") % {"r": reply[:200]},
            )
            follow_up_done = True
    if review.order is not None:
        timeline_add(
            order=review.order,
            actor=actor,
            kind="review_replied",
            message=_("回复评价：%(r)s") % {"r": reply[:200]},
            after={"review": review.pk},
        )
    audit_record(
        actor=actor,
        action="orders.review.reply",
        obj=review,
        store=review.store,
        before=before,
        after={"reply": reply, "follow_up_done": follow_up_done},
    )
    return review
