"""Drift detection (R5.1): the text on the platform compared with the approved live version.

Live text comes pasted on a publication's page (or through the API), or from the platform's
listing export (CSV/Excel through core.imports). Any difference records a DriftFinding and raises
one alert per publication to the store's 运营 and 经理; a check that matches closes it."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from storeops.audit.services import audit_record
from storeops.catalog.models import Listing, PlatformSkuMapping
from storeops.catalog.services.validation import money_clean
from storeops.content.enums import DraftKind, DriftSource
from storeops.content.models import DriftFinding, Publication
from storeops.content.permissions import ContentPerm
from storeops.content.selectors import live_publication_for, package_rows
from storeops.content.services.drafts import MAX_BODY, MAX_TITLE, publish_listener
from storeops.core import clock
from storeops.core.errors import Conflict, Invalid
from storeops.core.imports import Column, RowInvalid, open_table, run_import
from storeops.core.permissions import require
from storeops.core.roles import RoleCode
from storeops.core.text import clean_text
from storeops.notifications.enums import Severity
from storeops.notifications.selectors import users_with_roles
from storeops.notifications.services import alert_raise, alert_resolve

DRIFT_ALERT_KIND = "content.drift"
_SPACE = re.compile(r"[ \t\u3000\xa0]+")
_WHITESPACE = re.compile(r"\s+")


def drift_alert_key(publication_id: int) -> str:
    return f"{DRIFT_ALERT_KIND}:{publication_id}"


def _normalise(text: str) -> str:
    """For showing a diff: lines stripped, spaces collapsed, blank lines dropped."""
    lines = (_SPACE.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def _same(a: str, b: str) -> bool:
    """Platforms re-wrap, flatten and pad text (an export puts a description on one line):
    two texts are the same when they differ only in whitespace, which carries no meaning in
    Chinese copy. Any changed character, word or number is a difference."""
    return _WHITESPACE.sub("", a) == _WHITESPACE.sub("", b)


def _exported_description(publication: Publication) -> str:
    """The description as our upload sheet wrote it (copy + the four modules)."""
    _headers, rows = package_rows(publication.package)
    return str(rows[0][3]) if rows else ""


@dataclass
class DriftResult:
    publication: Publication
    differences: list[dict[str, Any]] = field(default_factory=list)
    finding: DriftFinding | None = None
    resolved: int = 0

    @property
    def has_drift(self) -> bool:
        return bool(self.differences)


def _differences(
    publication: Publication, *, title: str | None, body: str | None, price: Decimal | None
) -> list[dict[str, Any]]:
    revision = publication.revision
    found: list[dict[str, Any]] = []
    if title is not None and not _same(title, revision.title):
        found.append(
            {"field": "title", "label": _("标题"), "approved": revision.title, "live": title}
        )
    if body is not None:
        accepted = (revision.body, _exported_description(publication))
        if not any(_same(body, text) for text in accepted):
            diff = list(
                difflib.unified_diff(
                    _normalise(revision.body).splitlines(),
                    _normalise(body).splitlines(),
                    fromfile=_("已审批"),
                    tofile=_("线上"),
                    lineterm="",
                )
            )
            found.append(
                {
                    "field": "body",
                    "label": _("正文"),
                    "approved": revision.body,
                    "live": body,
                    "diff": diff[:200],
                }
            )
    approved_price = publication.package.get("price")
    if price is not None and approved_price not in (None, "") and price != Decimal(approved_price):
        found.append(
            {
                "field": "price",
                "label": _("售价"),
                "approved": f"{Decimal(approved_price):.2f}",
                "live": f"{price:.2f}",
            }
        )
    return found


def _compare(
    *,
    actor: Any,
    publication: Publication,
    title: str | None,
    body: str | None,
    price: Decimal | None,
    source: str,
) -> DriftResult:
    result = DriftResult(publication=publication)
    result.differences = _differences(publication, title=title, body=body, price=price)
    now = clock.now()
    key = drift_alert_key(publication.pk)
    if result.differences:
        result.finding = DriftFinding.objects.create(
            publication=publication,
            store=publication.store,
            source=source,
            live_title=(title or "")[:MAX_TITLE],
            live_body=body or "",
            live_price=price,
            differences=result.differences,
            checked_by=actor,
            checked_at=now,
        )
        fields = "、".join(str(d["label"]) for d in result.differences)
        alert_raise(
            kind=DRIFT_ALERT_KIND,
            title=_("线上内容与审批版本不一致：%(title)s") % {"title": publication.revision.title},
            body=_("不一致：%(fields)s。未经审批不得改动线上内容（R5.1）。") % {"fields": fields},
            recipients=users_with_roles(
                [RoleCode.OPERATIONS, RoleCode.MANAGER], store=publication.store
            ),
            url=reverse("content:publication_detail", args=[publication.pk]),
            obj=publication,
            store=publication.store,
            severity=Severity.CRITICAL,
            dedupe_key=key,
        )
    else:
        result.resolved = publication.drift_findings.filter(resolved_at__isnull=True).update(
            resolved_at=now
        )
        alert_resolve(dedupe_key=key, actor=actor)
    audit_record(
        actor=actor,
        action="content.drift.check",
        obj=publication,
        store=publication.store,
        after={
            "source": source,
            "differs": [d["field"] for d in result.differences],
            "finding": result.finding.pk if result.finding else None,
            "resolved": result.resolved,
        },
    )
    return result


def _live(publication: Publication) -> Publication:
    publication = (
        Publication.objects.select_for_update(of=("self",))
        .select_related("store", "revision")
        .get(pk=publication.pk)
    )
    if not publication.is_live:
        raise Conflict("publication.not_live", _("这一版本已不在线上，请核对当前在线的版本"))
    return publication


def _price(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return money_clean(value, "price", _("售价"))


@transaction.atomic
def drift_check(
    *,
    actor: Any,
    publication: Publication,
    title: str | None = None,
    body: str | None = None,
    price: Any = None,
    source: str = DriftSource.PASTE,
) -> DriftResult:
    """Compare pasted live text with the approved live version; only the fields given count."""
    require(actor, ContentPerm.CHECK_DRIFT, store=publication.store)
    title = (
        None if title is None else clean_text(title, field="title", required=False, limit=MAX_TITLE)
    )
    body = None if body is None else clean_text(body, field="body", required=False, limit=MAX_BODY)
    title = title or None
    body = body or None
    live_price = _price(price)
    if title is None and body is None and live_price is None:
        raise Invalid("drift.nothing", _("请填写线上的标题、正文或售价"), {"field": "body"})
    publication = _live(publication)
    return _compare(
        actor=actor,
        publication=publication,
        title=title,
        body=body,
        price=live_price,
        source=source,
    )


# --- the platform's listing export ---------------------------------------------------------------
DRIFT_COLUMNS = (
    Column("item_id", "平台商品ID", ("商品ID", "宝贝ID", "商品id", "item_id", "num_iid", "SKU ID")),
    Column("listing", "店铺商品编号", ("商品编号", "listing", "listing_id")),
    Column("title", "标题", ("宝贝标题", "商品标题", "商品名称", "title")),
    Column("price", "价格", ("一口价", "京东价", "拼单价", "售价", "价格(元)", "price")),
    Column("body", "描述", ("宝贝描述", "商品介绍", "商品详情", "描述", "description")),
)


def _row_publication(row: Any, *, store: Any) -> Publication:
    listing = None
    listing_text = row.text("listing")
    item_id = row.text("item_id")
    if listing_text:
        if not listing_text.isdigit() or len(listing_text) > 15:
            raise RowInvalid([("listing", _("店铺商品编号应为数字"))])
        listing = Listing.objects.filter(pk=int(listing_text), store=store).first()
        if listing is None:
            raise RowInvalid([("listing", _("该店铺没有这个商品"))])
    elif item_id:
        mapping = (
            PlatformSkuMapping.objects.filter(store=store, platform_item_id=item_id)
            .select_related("sku")
            .first()
        )
        if mapping is not None:
            listing = Listing.objects.filter(store=store, product_id=mapping.sku.product_id).first()
        if listing is None:
            raise RowInvalid([("item_id", _("平台商品ID没有对应的店铺商品（请先建立商品映射）"))])
    else:
        raise RowInvalid([("item_id", _("请填写平台商品ID或店铺商品编号"))])
    publication = live_publication_for(store=store, kind=DraftKind.LISTING, target=listing.pk)
    if publication is None:
        raise RowInvalid([("listing", _("该商品还没有已发布的详情，无从核对"))])
    return publication


@transaction.atomic
def drift_import(*, actor: Any, store: Any, source: Any, filename: str = "") -> dict[str, Any]:
    """Check every row of the platform's listing export; row-numbered errors, nothing recorded
    unless every row can be checked. Counts: `updated` = rows that differ, `unchanged` = match."""
    require(actor, ContentPerm.CHECK_DRIFT, store=store)
    table = open_table(source, columns=DRIFT_COLUMNS, filename=filename)
    if not {"title", "body", "price"} & set(table.columns):
        raise Invalid(
            "import.columns_missing",
            _("缺少要核对的列：标题、价格或描述"),
            {"missing": ["标题", "价格", "描述"]},
        )
    seen: set[int] = set()
    findings: list[dict[str, Any]] = []

    def validate(row: Any) -> tuple[Any, ...]:
        publication = _row_publication(row, store=store)
        if publication.pk in seen:
            raise RowInvalid([("listing", _("同一商品在文件中出现了两次"))])
        seen.add(publication.pk)
        errors = []
        try:
            title = clean_text(row.raw("title"), field="title", required=False, limit=MAX_TITLE)
            body = clean_text(row.raw("body"), field="body", required=False, limit=MAX_BODY)
        except Invalid as exc:
            raise RowInvalid(
                [(str((exc.details or {}).get("field", "body")), exc.message)]
            ) from exc
        try:
            price = _price(row.text("price"))
        except Invalid as exc:
            errors.append(("price", exc.message))
        if errors:
            raise RowInvalid(errors)
        return (row.line, publication, title or None, body or None, price)

    def apply(batch: list[tuple[Any, ...]], result: Any) -> None:
        for line, publication, title, body, price in batch:
            checked = _compare(
                actor=actor,
                publication=_live(publication),
                title=title,
                body=body,
                price=price,
                source=DriftSource.IMPORT,
            )
            if checked.has_drift:
                result.updated += 1
                findings.append(
                    {
                        "line": line,
                        "publication": publication.pk,
                        "finding": checked.finding.pk if checked.finding else None,
                        "fields": [d["field"] for d in checked.differences],
                    }
                )
            else:
                result.unchanged += 1

    result = run_import(table, validate=validate, apply=apply)
    summary = {
        **result.as_dict(),
        "applied": result.applied,
        "findings": findings if result.applied else [],
    }
    audit_record(
        actor=actor,
        action="content.drift.import",
        store=store,
        object_type="accounts.store",
        object_id=store.pk,
        object_repr=str(store),
        after={
            "filename": filename[:200],
            "rows": result.rows,
            "differ": result.updated,
            "match": result.unchanged,
            "rejected": result.rejected,
        },
    )
    return summary


@publish_listener
def _page_republished(*, publication: Any, actor: Any) -> None:
    """The version a drift finding compared against is no longer live: its alert closes."""
    for old in Publication.objects.filter(superseded_by=publication):
        old.drift_findings.filter(resolved_at__isnull=True).update(resolved_at=clock.now())
        alert_resolve(dedupe_key=drift_alert_key(old.pk), actor=actor)
