"""Every write of intake and release drafts: checked, atomic, audited (R4.1, R4.2, R5.1, R5.5).

A draft moves only through `_draft_set_status` against DRAFT_TRANSITIONS. Approval goes through
the governance engine on a snapshot naming the revision and its content hash; publishing calls
`approval_require` with that snapshot, so no entry point can publish an unapproved revision.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from storeops.audit.services import audit_record
from storeops.catalog.models import Listing
from storeops.catalog.selectors import product_description, product_images
from storeops.catalog.services import listing_update
from storeops.catalog.services.validation import money_clean
from storeops.content.enums import (
    DRAFT_TRANSITIONS,
    EDITABLE_STATUSES,
    DraftKind,
    DraftStatus,
    IntakeClassification,
    IntakeSource,
    IntakeStatus,
    Priority,
)
from storeops.content.models import (
    DraftRevision,
    IntakeItem,
    Publication,
    PublicationFlag,
    ReleaseDraft,
)
from storeops.content.permissions import ContentPerm
from storeops.content.selectors import (
    content_hash,
    draft_scan_context,
    draft_snapshot,
    draft_target_listing,
    drafts_open_for_sla,
    live_publication_for,
    page_kind_hooks,
    scan_text,
    sla_hours_for,
    sla_warning_at,
    store_managers,
)
from storeops.core import clock
from storeops.core.api import MAX_ID
from storeops.core.errors import Conflict, Invalid
from storeops.core.permissions import require
from storeops.core.roles import RoleCode
from storeops.core.text import clean_text
from storeops.governance.enums import ApprovalStatus
from storeops.governance.selectors import (
    approval_approved_for,
    approval_decision_refusal,
    approval_for,
)
from storeops.governance.services import approval_decide, approval_request, approval_require
from storeops.notifications.enums import Severity
from storeops.notifications.services import alert_raise, alert_resolve

MAX_TITLE = 200
MAX_BODY = 20000
MAX_REASON = 2000


def _text(value: Any, *, field: str, required: bool, limit: int) -> str:
    return clean_text(value, field=field, required=required, limit=limit)


def _choice(value: Any, choices: Any, *, field: str) -> str:
    if value not in choices.values:
        raise Invalid(f"{field}.invalid", _("选项无效"), {"field": field})
    return str(value)


LISTING_TITLE_MAX = Listing._meta.get_field("title").max_length


def _price(value: Any, *, kind: str) -> Decimal | None:
    """A new price belongs to a listing draft only; it is written to the listing on publish."""
    if value is None or value == "":
        return None
    if kind != DraftKind.LISTING:
        raise Invalid("draft.price_not_listing", _("只有商品详情稿件可以改价"), {"field": "price"})
    return money_clean(value, "price", _("售价"))


def _listing_title(title: str, *, kind: str) -> str:
    """A listing draft's title becomes the listing's title: it must fit there."""
    if kind == DraftKind.LISTING and len(title) > LISTING_TITLE_MAX:
        raise Invalid(
            "draft.title_too_long",
            _("商品标题最多 %(n)s 个字") % {"n": LISTING_TITLE_MAX},
            {"field": "title"},
        )
    return title


def _draft_url(draft: ReleaseDraft) -> str:
    return reverse("content:draft_detail", args=[draft.pk])


def _draft_set_status(draft: ReleaseDraft, status: str) -> None:
    """The one place a draft's status changes, against DRAFT_TRANSITIONS (409 otherwise)."""
    if status not in DRAFT_TRANSITIONS[draft.status]:
        raise Conflict(
            "draft.transition",
            _("稿件当前为“%(status)s”，不能%(action)s")
            % {"status": draft.get_status_display(), "action": DraftStatus(status).label},
            {"status": draft.status, "to": status},
        )
    draft.status = status


def _locked(draft: ReleaseDraft) -> ReleaseDraft:
    """Lock the draft row alone (PostgreSQL cannot lock the nullable side of an outer join)."""
    return ReleaseDraft.objects.select_for_update().get(pk=draft.pk)


def _state(draft: ReleaseDraft) -> dict[str, Any]:
    revision = draft.current_revision
    return {
        "status": draft.status,
        "title": draft.title,
        "priority": draft.priority,
        "revision": revision.number if revision else None,
        "hash": revision.content_hash if revision else None,
        "price": None if revision is None or revision.price is None else str(revision.price),
    }


# --- intake --------------------------------------------------------------------------------------
@transaction.atomic
def intake_create(
    *,
    actor: Any,
    source: str,
    classification: str,
    title: str,
    content: str,
    store: Any = None,
    listing: Any = None,
) -> IntakeItem:
    """R4.1: a department's information, classified; its time starts the publishing clock."""
    require(actor, ContentPerm.SUBMIT_INTAKE, store=store)
    source = _choice(source, IntakeSource, field="source")
    classification = _choice(classification, IntakeClassification, field="classification")
    title = _text(title, field="title", required=True, limit=MAX_TITLE)
    content = _text(content, field="content", required=True, limit=MAX_BODY)
    if listing is not None and (store is None or listing.store_id != store.pk):
        raise Invalid("intake.listing_store", _("商品不属于该店铺"), {"field": "listing"})
    item = IntakeItem.objects.create(
        store=store,
        source=source,
        classification=classification,
        title=title,
        content=content,
        listing=listing,
        submitted_by=actor,
        submitted_at=clock.now(),
    )
    audit_record(
        actor=actor,
        action="content.intake.create",
        obj=item,
        store=store,
        after={
            "source": source,
            "classification": classification,
            "title": title,
            "listing": listing.pk if listing else None,
        },
    )
    return item


# --- drafts --------------------------------------------------------------------------------------
def _target(kind: str, target: Any, *, store: Any) -> int | None:
    if target is None or target == "":
        return None
    if isinstance(target, bool) or not isinstance(target, int) or not 1 <= target <= MAX_ID:
        raise Invalid("draft.target_invalid", _("对象编号无效"), {"field": "target"})
    if kind == DraftKind.LISTING and not store.listings.filter(pk=target).exists():
        raise Invalid("draft.target_not_found", _("该店铺没有这个商品"), {"field": "target"})
    hooks = page_kind_hooks(kind)
    if hooks is not None and not hooks.exists(store, target):
        raise Invalid("draft.target_not_found", _("该店铺没有这个页面"), {"field": "target"})
    return target


def _new_revision(
    draft: ReleaseDraft, *, actor: Any, title: str, body: str, price: Decimal | None = None
) -> DraftRevision:
    number = (draft.revisions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    revision = DraftRevision.objects.create(
        draft=draft,
        number=number,
        title=title,
        body=body,
        price=price,
        author=actor,
        created_at=clock.now(),
        content_hash=content_hash(title, body, price),
    )
    draft.current_revision = revision
    draft.title = title
    return revision


@transaction.atomic
def draft_create(
    *,
    actor: Any,
    store: Any,
    kind: str,
    title: str,
    body: str,
    priority: str,
    target: Any = None,
    intake: IntakeItem | None = None,
    price: Any = None,
) -> ReleaseDraft:
    """R4.2: the clock starts at the intake's time, or now for a draft without one; the
    deadline is frozen from the policy's hours for this priority."""
    require(actor, ContentPerm.WRITE_DRAFT, store=store)
    kind = _choice(kind, DraftKind, field="kind")
    priority = _choice(priority, Priority, field="priority")
    title = _text(title, field="title", required=True, limit=MAX_TITLE)
    title = _listing_title(title, kind=kind)
    body = _text(body, field="body", required=False, limit=MAX_BODY)
    target = _target(kind, target, store=store)
    new_price = _price(price, kind=kind)
    if intake is not None and intake.store_id is not None and intake.store_id != store.pk:
        raise Invalid("draft.intake_store", _("该提报属于其他店铺"), {"field": "intake"})
    draft = draft_insert(
        actor=actor,
        store=store,
        kind=kind,
        title=title,
        body=body,
        priority=priority,
        target=target,
        intake=intake,
        price=new_price,
        owner=actor,
    )
    audit_record(
        actor=actor,
        action="content.draft.create",
        obj=draft,
        store=store,
        after={
            **_state(draft),
            "kind": kind,
            "target": target,
            "intake": intake.pk if intake else None,
            "sla_deadline": draft.sla_deadline.isoformat(),
        },
    )
    return draft


def draft_insert(
    *,
    actor: Any,
    store: Any,
    kind: str,
    title: str,
    body: str,
    priority: str,
    target: int | None,
    intake: IntakeItem | None,
    price: Decimal | None,
    owner: Any,
) -> ReleaseDraft:
    """The row and its first revision from checked values (callers check and audit)."""
    now = clock.now()
    started = intake.submitted_at if intake is not None else now
    hours = sla_hours_for(priority)
    draft = ReleaseDraft.objects.create(
        store=store,
        kind=kind,
        target=target,
        title=title,
        priority=priority,
        intake=intake,
        owner=owner,
        sla_hours=hours,
        sla_started_at=started,
        sla_deadline=started + dt.timedelta(hours=hours),
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    _new_revision(draft, actor=actor, title=title, body=body, price=price)
    draft.save(update_fields=["current_revision", "title"])
    if intake is not None and intake.status == IntakeStatus.NEW:
        intake.status = IntakeStatus.COMPILED
        intake.save(update_fields=["status"])
    return draft


@transaction.atomic
def draft_update(
    *,
    actor: Any,
    draft: ReleaseDraft,
    title: str | None = None,
    body: str | None = None,
    priority: str | None = None,
    price: Any = ...,
) -> ReleaseDraft:
    """A changed text or price is a new revision (`price` left out keeps it, None clears it); after submission or approval the draft goes back to
    草稿 and needs a new approval (R5.1). A changed priority re-freezes the deadline."""
    require(actor, ContentPerm.WRITE_DRAFT, store=draft.store)
    draft = _locked(draft)
    if draft.status not in EDITABLE_STATUSES:
        raise Conflict(
            "draft.not_editable",
            _("稿件已%(status)s，不能再修改") % {"status": draft.get_status_display()},
        )
    before = _state(draft)
    revision = draft.current_revision
    new_title = (
        revision.title
        if title is None
        else _text(title, field="title", required=True, limit=MAX_TITLE)
    )
    new_title = _listing_title(new_title, kind=draft.kind)
    new_body = (
        revision.body if body is None else _text(body, field="body", required=False, limit=MAX_BODY)
    )
    new_price = revision.price if price is ... else _price(price, kind=draft.kind)
    fields = ["updated_at"]
    if priority is not None and priority != draft.priority:
        draft.priority = _choice(priority, Priority, field="priority")
        draft.sla_hours = sla_hours_for(draft.priority)
        draft.sla_deadline = draft.sla_started_at + dt.timedelta(hours=draft.sla_hours)
        fields += ["priority", "sla_hours", "sla_deadline"]
    if content_hash(new_title, new_body, new_price) != revision.content_hash:
        _new_revision(draft, actor=actor, title=new_title, body=new_body, price=new_price)
        fields += ["current_revision", "title"]
        if draft.status != DraftStatus.DRAFT:
            _draft_set_status(draft, DraftStatus.DRAFT)
            draft.approved_revision = None
            fields += ["status", "approved_revision"]
    elif len(fields) == 1:
        return draft
    draft.updated_at = clock.now()
    draft.save(update_fields=fields)
    audit_record(
        actor=actor,
        action="content.draft.update",
        obj=draft,
        store=draft.store,
        before=before,
        after=_state(draft),
    )
    return draft


def _approval_steps(draft: ReleaseDraft) -> list[list[str]]:
    """经理 approves; a promotion zone is first reviewed by 运营 (R3.1)."""
    if draft.kind == DraftKind.PROMOTION_ZONE:
        return [[RoleCode.OPERATIONS], [RoleCode.MANAGER]]
    return [[RoleCode.MANAGER]]


def _rescan(draft: ReleaseDraft) -> list[dict[str, Any]]:
    revision = draft.current_revision
    findings = scan_text(revision.title, revision.body, context=draft_scan_context(draft))
    if findings != revision.findings:
        revision.findings = findings
        revision.save(update_fields=["findings"])
    return findings


@transaction.atomic
def draft_submit(*, actor: Any, draft: ReleaseDraft) -> ReleaseDraft:
    """Scan, store the findings on the revision, and ask 经理 to approve exactly this revision.
    Nobody who wrote a revision or submitted it may approve it."""
    require(actor, ContentPerm.WRITE_DRAFT, store=draft.store)
    draft = _locked(draft)
    before = _state(draft)
    _draft_set_status(draft, DraftStatus.SUBMITTED)
    findings = _rescan(draft)
    revision = draft.current_revision
    authors = set(draft.revisions.values_list("author_id", flat=True))
    excluded = [draft.created_by, draft.owner, actor]
    excluded += list(get_user_model().objects.filter(pk__in=authors))
    approval_request(
        actor=actor,
        obj=draft,
        snapshot=draft_snapshot(draft, revision),
        title=_("发布稿件审批：%(title)s（第 %(n)s 版）")
        % {"title": revision.title, "n": revision.number},
        steps=_approval_steps(draft),
        url=_draft_url(draft),
        store=draft.store,
        excluded_users=excluded,
    )
    draft.submitted_by = actor
    draft.submitted_at = clock.now()
    draft.override_reason = ""
    draft.override_by = None
    draft.updated_at = draft.submitted_at
    draft.save(
        update_fields=[
            "status",
            "submitted_by",
            "submitted_at",
            "override_reason",
            "override_by",
            "updated_at",
        ]
    )
    audit_record(
        actor=actor,
        action="content.draft.submit",
        obj=draft,
        store=draft.store,
        before=before,
        after={**_state(draft), "findings": [f["rule"] for f in findings]},
    )
    return draft


def _pending_approval(draft: ReleaseDraft) -> Any:
    approval = approval_for(draft)
    if approval is None or approval.status != ApprovalStatus.PENDING:
        raise Conflict("draft.no_pending_approval", _("该稿件没有待处理的审批"))
    return approval


@transaction.atomic
def draft_approve(
    *, actor: Any, draft: ReleaseDraft, comment: str = "", override_reason: str = ""
) -> ReleaseDraft:
    """Approve the current step. The scan runs again first: with a `block` finding the approver
    must give an override reason, which is stored and audited (content.draft.override)."""
    require(actor, ContentPerm.APPROVE_DRAFT, store=draft.store)
    draft = _locked(draft)
    if draft.status != DraftStatus.SUBMITTED:
        _draft_set_status(draft, DraftStatus.APPROVED)  # raises the 409 for every other state
    approval = _pending_approval(draft)
    refusal = approval_decision_refusal(actor, approval)
    if refusal is not None:
        raise refusal
    override_reason = _text(
        override_reason, field="override_reason", required=False, limit=MAX_REASON
    )
    findings = _rescan(draft)
    blocking = [f for f in findings if f.get("severity") == "block"]
    if blocking and not override_reason:
        raise Conflict(
            "compliance.override_required",
            _("稿件有 %(n)s 处违规内容，须填写放行理由才能通过") % {"n": len(blocking)},
            {"findings": blocking},
        )
    before = _state(draft)
    approval = approval_decide(actor=actor, approval=approval, approve=True, comment=comment)
    if blocking:
        draft.override_reason = override_reason
        draft.override_by = actor
        audit_record(
            actor=actor,
            action="content.draft.override",
            obj=draft,
            store=draft.store,
            after={
                "revision": draft.current_revision.number,
                "override_reason": override_reason,
                "findings": [{"rule": f["rule"], "text": f["text"]} for f in blocking],
            },
        )
    if approval.status == ApprovalStatus.APPROVED:
        _draft_set_status(draft, DraftStatus.APPROVED)
        draft.approved_revision = draft.current_revision
    draft.updated_at = clock.now()
    draft.save(
        update_fields=[
            "status",
            "approved_revision",
            "override_reason",
            "override_by",
            "updated_at",
        ]
    )
    audit_record(
        actor=actor,
        action="content.draft.approve",
        obj=draft,
        store=draft.store,
        before=before,
        after={**_state(draft), "step": approval.current_sequence, "comment": comment},
    )
    return draft


@transaction.atomic
def draft_reject(*, actor: Any, draft: ReleaseDraft, comment: str) -> ReleaseDraft:
    """Reject with a comment; the author edits (a new revision) and submits again."""
    require(actor, ContentPerm.APPROVE_DRAFT, store=draft.store)
    draft = _locked(draft)
    before = _state(draft)
    _draft_set_status(draft, DraftStatus.REJECTED)
    approval = _pending_approval(draft)
    approval_decide(actor=actor, approval=approval, approve=False, comment=comment)
    draft.updated_at = clock.now()
    draft.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="content.draft.reject",
        obj=draft,
        store=draft.store,
        before=before,
        after={**_state(draft), "comment": comment},
    )
    return draft


def _package(draft: ReleaseDraft, revision: DraftRevision) -> dict[str, Any]:
    """The approved content package: the copy, and for a listing its price, images and modules."""
    package: dict[str, Any] = {
        "platform": draft.store.platform,
        "store": draft.store.code,
        "kind": draft.kind,
        "target": draft.target,
        "revision": revision.number,
        "title": revision.title,
        "body": revision.body,
    }
    listing = draft_target_listing(draft)
    if listing is not None:
        images = product_images(listing.product)
        price = revision.price if revision.price is not None else listing.price
        package.update(
            {
                "listing": listing.pk,
                "product": listing.product.name,
                "price": f"{price:.2f}",
                "merchant_codes": list(
                    listing.product.skus.order_by("id").values_list("merchant_code", flat=True)
                ),
                "images": {
                    kind: [image.file.name for image in rows] for kind, rows in images.items()
                },
                "modules": [
                    {"name": str(m["name"]), "body": m["body"]}
                    for m in product_description(listing.product)
                ],
            }
        )
    return package


def _listing_write_back(
    *, actor: Any, draft: ReleaseDraft, revision: DraftRevision
) -> dict[str, Any] | None:
    """The live listing matches what was approved: its title and (if the draft set one) price,
    written through the catalog's own service (which checks MANAGE_LISTING and audits)."""
    listing = draft_target_listing(draft)
    if listing is None:
        return None
    listing = Listing.objects.select_for_update().select_related("store").get(pk=listing.pk)
    price = revision.price if revision.price is not None else listing.price
    if listing.title == revision.title and listing.price == price:
        return {"listing": listing.pk, "changed": False}
    listing_update(
        actor=actor, listing=listing, title=revision.title, price=price, category=listing.category
    )
    return {"listing": listing.pk, "changed": True, "title": listing.title, "price": str(price)}


# Other content modules (freshness, review flags, drift) react to a publication in the same
# transaction; they register here instead of draft_publish importing them.
_PUBLISH_LISTENERS: list[Any] = []


def publish_listener(func: Any) -> Any:
    _PUBLISH_LISTENERS.append(func)
    return func


def _alert_keys(draft: ReleaseDraft) -> tuple[str, str]:
    return f"content.draft_sla_warning:{draft.pk}", f"content.draft_sla_breach:{draft.pk}"


@transaction.atomic
def draft_publish(*, actor: Any, draft: ReleaseDraft) -> Publication:
    """R5.1: only the approved revision goes live; any later edit needs a new approval.

    The previous live publication of the same page (store, kind, target) is superseded.
    """
    require(actor, ContentPerm.PUBLISH_DRAFT, store=draft.store)
    draft = _locked(draft)
    revision = draft.current_revision
    snapshot = draft_snapshot(draft, revision)
    if draft.status == DraftStatus.SUBMITTED and approval_approved_for(draft, snapshot):
        # decided on the approvals page rather than through draft_approve: catch up
        _draft_set_status(draft, DraftStatus.APPROVED)
        draft.approved_revision = revision
    before = _state(draft)
    _draft_set_status(draft, DraftStatus.PUBLISHED)
    if draft.approved_revision_id != revision.pk:
        raise Conflict("draft.not_approved", _("这一版本尚未审批，不能发布"))
    approval_require(obj=draft, snapshot=snapshot)
    now = clock.now()
    previous = live_publication_for(store=draft.store, kind=draft.kind, target=draft.target)
    if previous is None:
        # a correction of a page without a target (a blog post) replaces the flagged version
        flagged = PublicationFlag.objects.filter(correction_draft=draft).values("publication_id")
        previous = (
            Publication.objects.select_for_update()
            .filter(pk__in=flagged, is_live=True)
            .order_by("id")
            .first()
        )
    if previous is not None:
        previous.is_live = False
        previous.save(update_fields=["is_live"])
    lead = max(0, int((now - draft.sla_started_at).total_seconds()))
    try:
        with transaction.atomic():  # one live publication per page: the database decides
            publication = Publication.objects.create(
                draft=draft,
                revision=revision,
                store=draft.store,
                kind=draft.kind,
                target=draft.target,
                published_by=actor,
                published_at=now,
                sla_deadline=draft.sla_deadline,
                lead_time_seconds=lead,
                is_sla_met=now <= draft.sla_deadline,
                package=_package(draft, revision),
            )
    except IntegrityError as exc:
        raise Conflict(
            "publication.concurrent", _("同一页面刚刚有另一版本发布，请刷新后重试")
        ) from exc
    if previous is not None:
        previous.superseded_by = publication
        previous.save(update_fields=["superseded_by"])
        old = ReleaseDraft.objects.select_for_update().get(pk=previous.draft_id)
        _draft_set_status(old, DraftStatus.SUPERSEDED)
        old.updated_at = now
        old.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="content.draft.supersede",
            obj=old,
            store=old.store,
            before={"status": DraftStatus.PUBLISHED},
            after={"status": old.status, "superseded_by": publication.pk},
        )
    written = _listing_write_back(actor=actor, draft=draft, revision=revision)
    hooks = page_kind_hooks(draft.kind)
    if hooks is not None and hooks.on_publish is not None:
        hooks.on_publish(publication=publication, previous=previous, actor=actor)
    draft.updated_at = now
    draft.save(update_fields=["status", "approved_revision", "updated_at"])
    audit_record(
        actor=actor,
        action="content.draft.publish",
        obj=draft,
        store=draft.store,
        before=before,
        after={
            **_state(draft),
            "publication": publication.pk,
            "lead_time_seconds": lead,
            "is_sla_met": publication.is_sla_met,
            "superseded": previous.pk if previous else None,
            "listing_written": written,
        },
    )
    for key in _alert_keys(draft):
        alert_resolve(dedupe_key=key, actor=actor)
    for hook in _PUBLISH_LISTENERS:
        hook(publication=publication, actor=actor)
    return publication


# --- the SLA clock -------------------------------------------------------------------------------
@transaction.atomic
def sla_check() -> dict[str, int]:
    """R4.2: tell the owner at 75% of the time, and the store's 经理 on breach, once each
    (the draft's flags and the alerts' dedupe keys). Publishing resolves both alerts."""
    now = clock.now()
    warned = breached = 0
    for draft in drafts_open_for_sla().select_for_update(of=("self",)):
        warning_key, breach_key = _alert_keys(draft)
        url = _draft_url(draft)
        if draft.sla_warned_at is None and now >= sla_warning_at(draft):
            alert_raise(
                kind="content.draft_sla_warning",
                title=_("稿件即将超时：%(title)s") % {"title": draft.title},
                body=_("发布截止 %(due)s")
                % {"due": clock.local(draft.sla_deadline).strftime("%Y-%m-%d %H:%M")},
                recipients=[draft.owner],
                url=url,
                obj=draft,
                store=draft.store,
                dedupe_key=warning_key,
            )
            draft.sla_warned_at = now
            draft.save(update_fields=["sla_warned_at"])
            warned += 1
        if draft.sla_breach_alerted_at is None and now >= draft.sla_deadline:
            alert_raise(
                kind="content.draft_sla_breach",
                title=_("稿件发布超时：%(title)s（%(owner)s）")
                % {"title": draft.title, "owner": draft.owner},
                body=_("发布截止 %(due)s，至今未发布")
                % {"due": clock.local(draft.sla_deadline).strftime("%Y-%m-%d %H:%M")},
                recipients=store_managers(draft.store),
                url=url,
                obj=draft,
                store=draft.store,
                severity=Severity.CRITICAL,
                dedupe_key=breach_key,
            )
            draft.sla_breach_alerted_at = now
            draft.save(update_fields=["sla_breach_alerted_at"])
            breached += 1
    return {"warned": warned, "breached": breached}
