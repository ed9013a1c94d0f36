"""Reading drafts, revisions, intake and publications within what the actor may see; the SLA
clock, revision diffs and the compliance scan of a revision (R4.1, R4.2, R5.1, R5.3–R5.5)."""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import DateTimeField, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext as _

from storeops.catalog.enums import ListingStatus
from storeops.catalog.models import Listing, ProductImage, Sku
from storeops.compliance.selectors import ScanContext, compliance_scan
from storeops.content.enums import OPEN_STATUSES, DraftKind, DraftStatus, Priority
from storeops.content.models import (
    DraftRevision,
    DriftFinding,
    IntakeItem,
    Publication,
    PublicationFlag,
    ReleaseDraft,
)
from storeops.content.permissions import ContentPerm
from storeops.core import clock
from storeops.core.errors import NotFound
from storeops.core.excel import safe_cell
from storeops.core.permissions import has_perm, require
from storeops.core.roles import RoleCode
from storeops.governance.enums import PolicyKey
from storeops.governance.models import Obligation
from storeops.governance.selectors import policy_value
from storeops.notifications.models import Alert
from storeops.notifications.selectors import users_with_roles

SLA_WARNING_FRACTION = Decimal("0.75")
MAX_OTHER_TEXTS = 200


# --- pages owned by apps above content --------------------------------------------------------
@dataclass(frozen=True)
class PageKindHooks:
    """How content checks and announces a draft's target for a kind of store page.

    `exists(store, target_id)` says whether the page belongs to the store; `on_publish(publication=,
    previous=, actor=)` runs inside the publishing transaction (the storefront app records the live
    page, e.g. the active promotion-zone variant)."""

    exists: Callable[[Any, int], bool]
    on_publish: Callable[..., None] | None = None


_PAGE_KIND_HOOKS: dict[str, PageKindHooks] = {}


def register_page_kind(
    kind: str, *, exists: Callable[[Any, int], bool], on_publish: Callable[..., None] | None = None
) -> None:
    """Called from an upper app's `AppConfig.ready()`: content never imports the apps above it."""
    _PAGE_KIND_HOOKS[kind] = PageKindHooks(exists=exists, on_publish=on_publish)


def page_kind_hooks(kind: str) -> PageKindHooks | None:
    return _PAGE_KIND_HOOKS.get(kind)


# --- drafts --------------------------------------------------------------------------------------
def _missing() -> NotFound:
    return NotFound("draft.not_found", _("稿件不存在"))


def draft_list(
    *,
    actor: Any,
    status: str = "",
    kind: str = "",
    store: Any = None,
    priority: str = "",
    mine: bool = False,
) -> QuerySet[ReleaseDraft]:
    require(actor, ContentPerm.VIEW_DRAFT, store=store)
    found = ReleaseDraft.objects.select_related("store", "owner", "current_revision")
    found = (
        found.filter(store=store)
        if store is not None
        else found.filter(store_id__in=actor.store_ids())
    )
    if status:
        found = found.filter(status=status)
    if kind:
        found = found.filter(kind=kind)
    if priority:
        found = found.filter(priority=priority)
    if mine:
        found = found.filter(owner=actor)
    return found


def draft_get(*, actor: Any, draft_id: int) -> ReleaseDraft:
    """A draft the actor may read: 404 in a store they do not work in, 403 without VIEW_DRAFT."""
    draft = (
        ReleaseDraft.objects.select_related(
            "store", "owner", "intake", "current_revision", "approved_revision", "submitted_by"
        )
        .filter(pk=draft_id)
        .first()
    )
    if draft is None or not getattr(actor, "is_authenticated", False):
        raise _missing()
    if not actor.works_in(draft.store_id):
        raise _missing()
    require(actor, ContentPerm.VIEW_DRAFT, store=draft.store)
    return draft


# The services check the verb's own permission (write, publish) or the approval step's roles.
draft_get_for_change = draft_get


def draft_revisions(draft: ReleaseDraft) -> list[DraftRevision]:
    return list(draft.revisions.select_related("author").order_by("number"))


def revision_get(draft: ReleaseDraft, number: int) -> DraftRevision:
    revision = draft.revisions.filter(number=number).first()
    if revision is None:
        raise NotFound("revision.not_found", _("版本不存在"), {"number": number})
    return revision


def content_hash(title: str, body: str, price: Decimal | None = None) -> str:
    """The revision's identity; a price joins it only when the revision carries one, so the
    hashes of revisions written before prices existed do not change."""
    text = f"{title}\x1f{body}" if price is None else f"{title}\x1f{body}\x1f{price:.2f}"
    return hashlib.sha256(text.encode()).hexdigest()


def draft_snapshot(draft: ReleaseDraft, revision: DraftRevision) -> dict[str, Any]:
    """What an approval covers: exactly this revision of this draft's content and destination."""
    return {
        "draft": draft.pk,
        "store": draft.store.code,
        "kind": draft.kind,
        "target": draft.target,
        "revision": revision.number,
        "hash": revision.content_hash,
        "title": revision.title,
        "body": revision.body,
        **({} if revision.price is None else {"price": f"{revision.price:.2f}"}),
    }


def draft_target_listing(draft: ReleaseDraft) -> Listing | None:
    if draft.kind != DraftKind.LISTING or draft.target is None:
        return None
    return (
        Listing.objects.select_related("product").filter(pk=draft.target, store=draft.store).first()
    )


def sla_hours_for(priority: str) -> int:
    key = (
        PolicyKey.PUBLISH_SLA_IMPORTANT_HOURS
        if priority == Priority.IMPORTANT
        else PolicyKey.PUBLISH_SLA_GENERAL_HOURS
    )
    return int(policy_value(key))


def sla_warning_at(draft: ReleaseDraft) -> dt.datetime:
    """75% of the time from the clock's start to the deadline (R4.2: the owner is told then)."""
    span = (draft.sla_deadline - draft.sla_started_at).total_seconds()
    return draft.sla_started_at + dt.timedelta(seconds=float(span) * float(SLA_WARNING_FRACTION))


def sla_state(draft: ReleaseDraft, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The countdown a page shows: remaining time and a colour (ok, warning, breached, done)."""
    now = now or clock.now()
    publication = getattr(draft, "publication", None) if draft.pk else None
    if draft.status in (DraftStatus.PUBLISHED, DraftStatus.SUPERSEDED) and publication:
        return {
            "level": "done",
            "met": publication.is_sla_met,
            "remaining_minutes": 0,
            "label": _("按时发布") if publication.is_sla_met else _("超时发布"),
        }
    remaining = int((draft.sla_deadline - now).total_seconds() // 60)
    if remaining < 0:
        level = "breached"
        label = _("已超时 %(h)d 小时 %(m)d 分") % {"h": -remaining // 60, "m": -remaining % 60}
    else:
        level = "warning" if now >= sla_warning_at(draft) else "ok"
        label = _("剩余 %(h)d 小时 %(m)d 分") % {"h": remaining // 60, "m": remaining % 60}
    return {"level": level, "met": None, "remaining_minutes": remaining, "label": label}


def drafts_open_for_sla() -> QuerySet[ReleaseDraft]:
    """Drafts whose clock still runs (not yet published), for the periodic SLA check."""
    return ReleaseDraft.objects.filter(status__in=OPEN_STATUSES).select_related("store", "owner")


def drafts_near_deadline(user: Any, *, limit: int = 10) -> list[ReleaseDraft]:
    """My unpublished drafts, nearest deadline first (the 工作台 tasks panel); `is_correction`
    marks the ones opened by a flag on a live page (R3.1)."""
    if not has_perm(user, ContentPerm.VIEW_DRAFT):
        return []
    return list(
        ReleaseDraft.objects.filter(
            owner=user, status__in=OPEN_STATUSES, store_id__in=user.store_ids()
        )
        .annotate(
            is_correction=Exists(PublicationFlag.objects.filter(correction_draft=OuterRef("pk")))
        )
        .select_related("store")
        .order_by("sla_deadline")[:limit]
    )


def store_managers(store: Any) -> list[Any]:
    return list(users_with_roles([RoleCode.MANAGER], store=store))


def store_planners(store: Any) -> list[Any]:
    """The store's 企划组 (R5.5: they maintain and update the stores)."""
    return list(users_with_roles([RoleCode.PLANNING], store=store))


def correction_owner(publication: Publication) -> Any:
    """Who fixes a flagged page: the publication's owner while they still write drafts for that
    store, else the store's first 企划."""
    owner = publication.draft.owner
    if (
        owner.is_active
        and owner.works_in(publication.store_id)
        and has_perm(owner, ContentPerm.WRITE_DRAFT, store=publication.store)
    ):
        return owner
    planners = store_planners(publication.store)
    return planners[0] if planners else None


# --- compliance ----------------------------------------------------------------------------------
def _scan_price(draft: ReleaseDraft, listing: Listing | None) -> Decimal | None:
    """The price the copy must agree with: the draft's new price, else the listing's record."""
    revision = draft.current_revision
    if revision is not None and revision.price is not None:
        return revision.price
    return listing.price if listing is not None else None


def draft_scan_context(draft: ReleaseDraft) -> Any:
    """The listing's price and standard costs, and the store's other live copy (near-duplicates)."""
    listing = draft_target_listing(draft)
    costs: tuple[Decimal, ...] = ()
    if listing is not None:
        costs = tuple(
            c
            for c in Sku.objects.filter(product_id=listing.product_id).values_list(
                "standard_cost", flat=True
            )
            if c
        )
    others = (
        Publication.objects.filter(store=draft.store, is_live=True)
        .exclude(draft=draft)
        .select_related("revision")
        .order_by("-id")[:MAX_OTHER_TEXTS]
    )
    return ScanContext(
        listing_price=_scan_price(draft, listing),
        standard_costs=costs,
        other_texts=tuple((p.revision.title, p.revision.body) for p in others),
    )


def scan_text(title: str, body: str, *, context: Any) -> list[dict[str, Any]]:
    """Findings for the title and the body; offsets are within the field named by "field"."""
    findings = []
    for field, text in (("title", title), ("body", body)):
        for finding in compliance_scan(text, context=context):
            findings.append({**finding.as_dict(), "field": field})
    return findings


def has_blocking_findings(findings: list[dict[str, Any]]) -> bool:
    return any(f.get("severity") == "block" for f in findings)


def highlight_segments(
    text: str, findings: list[dict[str, Any]], field: str
) -> list[dict[str, Any]]:
    """The text cut into plain and flagged pieces for pages; overlapping findings merge."""
    spans = sorted(
        (f for f in findings if f.get("field", "body") == field),
        key=lambda f: (int(f["start"]), -int(f["end"])),
    )
    segments: list[dict[str, Any]] = []
    pos = 0
    for finding in spans:
        start, end = int(finding["start"]), int(finding["end"])
        if end <= start or end > len(text) or end <= pos:
            continue
        if start < pos and segments and segments[-1]["finding"] is not None:
            # overlapping findings ("全网最低" and "最低价") are shown as one mark
            segments[-1]["text"] += text[pos:end]
            if finding.get("severity") == "block":
                segments[-1]["finding"] = finding
            pos = end
            continue
        if start > pos:
            segments.append({"text": text[pos:start], "finding": None})
        segments.append({"text": text[start:end], "finding": finding})
        pos = end
    if pos < len(text):
        segments.append({"text": text[pos:], "finding": None})
    return segments


# --- diff ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DiffRow:
    tag: str  # equal | replace | delete | insert
    left: list[tuple[str, bool]]  # (text, changed)
    right: list[tuple[str, bool]]


def _char_diff(old: str, new: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    left: list[tuple[str, bool]] = []
    right: list[tuple[str, bool]] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            left.append((old[i1:i2], False))
            right.append((new[j1:j2], False))
        else:
            if i2 > i1:
                left.append((old[i1:i2], True))
            if j2 > j1:
                right.append((new[j1:j2], True))
    return left, right


def revision_diff(old: DraftRevision, new: DraftRevision) -> dict[str, Any]:
    """Side-by-side rows of two revisions: lines matched with difflib, changed characters marked."""
    old_lines = [old.title, *old.body.splitlines()]
    new_lines = [new.title, *new.body.splitlines()]
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows.extend(
                DiffRow("equal", [(line, False)], [(line, False)]) for line in old_lines[i1:i2]
            )
            continue
        left_block, right_block = old_lines[i1:i2], new_lines[j1:j2]
        for index in range(max(len(left_block), len(right_block))):
            a = left_block[index] if index < len(left_block) else None
            b = right_block[index] if index < len(right_block) else None
            if a is not None and b is not None:
                rows.append(DiffRow("replace", *_char_diff(a, b)))
            elif a is not None:
                rows.append(DiffRow("delete", [(a, True)], []))
            else:
                rows.append(DiffRow("insert", [], [(b or "", True)]))
    changed = sum(1 for r in rows if r.tag != "equal")
    return {"old": old, "new": new, "rows": rows, "changed": changed}


# --- intake --------------------------------------------------------------------------------------
def intake_list(*, actor: Any, status: str = "") -> QuerySet[IntakeItem]:
    require(actor, ContentPerm.VIEW_INTAKE)
    found = IntakeItem.objects.select_related("store", "submitted_by", "listing").filter(
        Q(store__isnull=True) | Q(store_id__in=actor.store_ids())
    )
    if status:
        found = found.filter(status=status)
    return found


def intake_get(*, actor: Any, intake_id: int) -> IntakeItem:
    item = intake_list(actor=actor).filter(pk=intake_id).first()
    if item is None:
        raise NotFound("intake.not_found", _("提报不存在"))
    return item


def intake_choices(*, actor: Any) -> QuerySet[IntakeItem]:
    """Intake items a draft may be compiled from (the picker on the draft form)."""
    if not has_perm(actor, ContentPerm.VIEW_INTAKE):
        return IntakeItem.objects.none()
    return intake_list(actor=actor).order_by("-id")[:100]  # type: ignore[return-value]


# --- publications and the SLA report -------------------------------------------------------------
def publication_list(
    *, actor: Any, month: dt.date | None = None, store: Any = None
) -> QuerySet[Publication]:
    """Every publication in my stores (R4.2's SLA report); `month` is a business-time month."""
    require(actor, ContentPerm.VIEW_SLA_REPORT, store=store)
    found = Publication.objects.select_related(
        "draft", "draft__owner", "store", "published_by", "revision"
    ).filter(store_id__in=actor.store_ids())
    if store is not None:
        found = found.filter(store=store)
    if month is not None:
        start = clock.start_of_business_day(month.replace(day=1))
        next_month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        found = found.filter(
            published_at__gte=start, published_at__lt=clock.start_of_business_day(next_month)
        )
    return found


def publication_summary(publications: list[Publication]) -> dict[str, Any]:
    total = len(publications)
    met = sum(1 for p in publications if p.is_sla_met)
    return {
        "total": total,
        "met": met,
        "missed": total - met,
        "rate": round(met * 100 / total) if total else None,
    }


def publication_get(*, actor: Any, publication_id: int) -> Publication:
    publication = (
        Publication.objects.select_related("draft", "store", "revision")
        .filter(pk=publication_id)
        .first()
    )
    if publication is None or not actor.works_in(publication.store_id):
        raise NotFound("publication.not_found", _("发布记录不存在"))
    require(actor, ContentPerm.VIEW_DRAFT, store=publication.store)
    return publication


def live_publication_for(*, store: Any, kind: str, target: int | None) -> Publication | None:
    if target is None:
        return None
    return Publication.objects.filter(store=store, kind=kind, target=target, is_live=True).first()


# --- the per-platform export of a content package ------------------------------------------------
PLATFORM_LAYOUTS: dict[str, tuple[str, ...]] = {
    "taobao": ("宝贝标题", "一口价", "商家编码", "宝贝描述", "主图"),
    "tmall": ("宝贝标题", "一口价", "商家编码", "宝贝描述", "主图"),
    "jd": ("商品名称", "京东价", "商家SKU编码", "商品介绍", "主图"),
    "pdd": ("商品标题", "拼单价", "SKU编码", "商品详情", "轮播图"),
}
DEFAULT_LAYOUT = ("商品标题", "售价", "商家编码", "商品详情", "主图")


def package_rows(package: dict[str, Any]) -> tuple[tuple[str, ...], list[list[Any]]]:
    """The package as the platform's upload sheet: one row per merchant code (or one row)."""
    headers = PLATFORM_LAYOUTS.get(str(package.get("platform")), DEFAULT_LAYOUT)
    description = "\n\n".join(
        [package.get("body", "")]
        + [f"【{m['name']}】\n{m['body']}" for m in package.get("modules", []) if m.get("body")]
    ).strip()
    images = "\n".join((package.get("images") or {}).get("main", []))
    codes = package.get("merchant_codes") or [""]
    return headers, [
        [package.get("title", ""), package.get("price", ""), code, description, images]
        for code in codes
    ]


def package_csv(package: dict[str, Any]) -> bytes:
    """The upload sheet as CSV, UTF-8 with BOM so Excel shows Chinese (MARKETPLACES.md); cells
    that Excel would read as formulas are neutralised like the .xlsx export."""
    headers, rows = package_rows(package)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# --- review flags and drift (R3.1, R4.1, R5.1) ----------------------------------------------------
def publication_flags(publication: Publication) -> list[PublicationFlag]:
    return list(publication.flags.select_related("flagged_by", "correction_draft").order_by("-id"))


def draft_flags(draft: ReleaseDraft) -> list[PublicationFlag]:
    """The flags a correction draft answers (shown on the draft)."""
    return list(draft.flags.select_related("flagged_by", "publication").order_by("-id"))


def publication_drift(publication: Publication) -> list[DriftFinding]:
    return list(publication.drift_findings.select_related("checked_by").order_by("-id")[:50])


# --- freshness (R3.3) ----------------------------------------------------------------------------
FRESHNESS_KIND = "content.copy_refresh"


def copy_refresh_days() -> int:
    return int(policy_value(PolicyKey.COPY_REFRESH_DAYS))


def listings_by_freshness(*, stores: Any = None) -> QuerySet[Listing]:
    """Listings on sale with `refreshed_at`: the last publication of their copy (or the day they
    were listed, if never published), moved later by any newer photo of the product (catalog
    ProductImage.created_at: an upload is a photo refresh). Oldest first: overdue on top."""
    last_publication = Publication.objects.filter(
        kind=DraftKind.LISTING, target=OuterRef("pk"), store_id=OuterRef("store_id")
    ).order_by("-published_at", "-id")
    last_photo = (
        ProductImage.objects.filter(product_id=OuterRef("product_id"))
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    found = Listing.objects.filter(status=ListingStatus.ON_SALE, store__is_active=True)
    if stores is not None:
        found = found.filter(store__in=stores)
    base = Coalesce(F("last_published_at"), F("created_at"), output_field=DateTimeField())
    return (
        found.annotate(
            last_publication_id=Subquery(last_publication.values("id")[:1]),
            last_published_at=Subquery(
                last_publication.values("published_at")[:1], output_field=DateTimeField()
            ),
            last_photo_at=Subquery(last_photo, output_field=DateTimeField()),
        )
        .annotate(
            refreshed_at=Greatest(
                base,
                Coalesce(F("last_photo_at"), base, output_field=DateTimeField()),
                output_field=DateTimeField(),
            )
        )
        .select_related("store", "product")
        .order_by("refreshed_at", "id")
    )


def stale_listings(*, now: dt.datetime | None = None, stores: Any = None) -> QuerySet[Listing]:
    """Listings whose copy and photos are older than `copy_refresh_days` (R3.3)."""
    cutoff = (now or clock.now()) - dt.timedelta(days=copy_refresh_days())
    return listings_by_freshness(stores=stores).filter(refreshed_at__lt=cutoff)


def freshness_board(
    *, actor: Any, store: Any = None, overdue_only: bool = False, limit: int = 500
) -> list[Listing]:
    """The 待更新商品 board: my stores' listings on sale, oldest refresh first, with `age_days`
    and `overdue_days` (negative: days left)."""
    require(actor, ContentPerm.VIEW_FRESHNESS, store=store)
    stores = [store] if store is not None else list(actor.store_ids())
    now = clock.now()
    days = copy_refresh_days()
    found = (
        stale_listings(now=now, stores=stores)
        if overdue_only
        else listings_by_freshness(stores=stores)
    )
    rows = list(found[:limit])
    for listing in rows:
        age = now - listing.refreshed_at
        listing.age_days = age.days
        listing.overdue_days = age.days - days
        listing.days_left = max(0, days - age.days)
        listing.is_overdue = age > dt.timedelta(days=days)
    return rows


def freshness_obligation(store: Any) -> Any:
    """The store's half-monthly refresh duty (one per store), whoever owns it now."""
    return Obligation.objects.filter(kind=FRESHNESS_KIND, store=store).order_by("id").first()


def open_stale_alert_listing_ids() -> list[int]:
    """Listings with an open stale alert (to resolve the ones refreshed since)."""
    prefix = "content.listing_stale:"
    keys = Alert.objects.filter(kind="content.listing_stale", resolved_at__isnull=True).values_list(
        "dedupe_key", flat=True
    )
    return [
        int(k[len(prefix) :]) for k in keys if k.startswith(prefix) and k[len(prefix) :].isdigit()
    ]


def drift_open(*, actor: Any, limit: int = 200) -> list[DriftFinding]:
    """Unresolved drift findings in my stores, newest first (one row per publication)."""
    require(actor, ContentPerm.CHECK_DRIFT)
    found = (
        DriftFinding.objects.filter(resolved_at__isnull=True, store_id__in=actor.store_ids())
        .select_related("publication", "publication__revision", "store", "checked_by")
        .order_by("-id")
    )
    rows: dict[int, DriftFinding] = {}
    for finding in found[: limit * 5]:
        rows.setdefault(finding.publication_id, finding)
    return list(rows.values())[:limit]
