"""Every write of store pages, promotion-zone variants and redesign proposals: checked, atomic,
audited (R2.3, R2.4, R2.12, R3.5).

Page content is never written here: it goes through content's drafts (approval, then publish).
A proposal moves only through `_proposal_set_status` against PROPOSAL_TRANSITIONS; it is approved
through the governance engine on a snapshot of its text and mock-ups, decided here (the approval
creates the execution task at once), so governance sends approvers to the proposal's page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from storeops.accounts.models import Store
from storeops.audit.services import audit_record
from storeops.content.enums import OPEN_STATUSES, DraftKind, DraftStatus, Priority
from storeops.content.models import ReleaseDraft
from storeops.content.services import draft_create, draft_publish, draft_submit
from storeops.core import clock
from storeops.core.errors import Conflict, Forbidden, Invalid
from storeops.core.permissions import require
from storeops.core.roles import RoleCode
from storeops.core.text import clean_text
from storeops.governance.enums import ApprovalStatus
from storeops.governance.models import Obligation
from storeops.governance.selectors import (
    approval_decision_refusal,
    approval_for,
    occurrence_current,
)
from storeops.governance.services import (
    approval_cancel,
    approval_decide,
    approval_request,
    approval_require,
    obligation_create,
    occurrence_complete,
)
from storeops.notifications.selectors import users_with_roles
from storeops.notifications.services import notify
from storeops.storefront.enums import (
    PROPOSAL_TRANSITIONS,
    ModuleType,
    PageKind,
    ProposalImageKind,
    ProposalStatus,
)
from storeops.storefront.models import (
    PromotionVariant,
    ProposalComment,
    ProposalImage,
    RedesignProposal,
    StorePage,
    VariantDraft,
)
from storeops.storefront.permissions import StorefrontPerm
from storeops.storefront.selectors import (
    page_live,
    proposal_snapshot,
    variant_last_publication,
    variant_latest_draft,
    variant_of_draft,
)

MAX_NAME = 100
MAX_NOTE = 500
MAX_TITLE = 200
MAX_DESCRIPTION = 5000
MAX_COMMENT = 2000
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 50_000_000
MAX_IMAGES = 12
MAX_DUE_DAYS = 366
DUE_HOUR = 18  # a due date means the end of that business day
IMAGE_FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}
REDESIGN_OBLIGATION_KIND = "storefront.redesign"
BLOG_OBLIGATION_KIND = "storefront.blog_weekly"
BLOG_INTERVAL_DAYS = 7


def _text(value: Any, *, field: str, required: bool, limit: int) -> str:
    return clean_text(value, field=field, required=required, limit=limit)


def _page_state(page: StorePage) -> dict[str, Any]:
    return {
        "kind": page.kind,
        "name": page.name,
        "parent": page.parent_id,
        "category": page.category_id,
        "module_type": page.module_type,
        "based_on": page.based_on_id,
        "is_archived": page.is_archived,
    }


# --- pages ---------------------------------------------------------------------------------------
def _check_links(
    *,
    store: Any,
    kind: str,
    parent: StorePage | None,
    category: Any,
    module_type: str,
    based_on: StorePage | None,
) -> str:
    if parent is not None and (
        kind != PageKind.STORE_PAGE
        or parent.store_id != store.pk
        or parent.kind != PageKind.STORE_PAGE
        or parent.is_archived
    ):
        raise Invalid("page.parent_invalid", _("上级页面须是本店的子页面"), {"field": "parent"})
    if category is not None and (kind != PageKind.STORE_PAGE or category.store_id != store.pk):
        raise Invalid(
            "page.category_invalid", _("类目页须链接本店的商品类目"), {"field": "category"}
        )
    if kind == PageKind.CUSTOM_MODULE:
        if module_type not in ModuleType.values:
            raise Invalid(
                "page.module_type_invalid", _("请选择品牌页或促销页"), {"field": "module_type"}
            )
    elif module_type:
        raise Invalid(
            "page.module_type_invalid", _("只有自定义模块有模块类型"), {"field": "module_type"}
        )
    if based_on is not None and (
        store.is_main_store
        or not based_on.store.is_main_store
        or based_on.kind != kind
        or based_on.is_archived
    ):
        raise Invalid(
            "page.based_on_invalid",
            _("只有分店页面可以对应主店的同类页面"),
            {"field": "based_on"},
        )
    return module_type


def _save_page(page: StorePage) -> None:
    """The database decides uniqueness (one shop sign, one page per category, unique names)."""
    try:
        with transaction.atomic():
            page.save()
    except IntegrityError as exc:
        if page.kind == PageKind.SHOP_SIGN:
            raise Conflict(
                "page.shop_sign_exists", _("该店铺已有店铺招牌"), {"field": "kind"}
            ) from exc
        if page.category_id:
            raise Conflict(
                "page.category_taken", _("该类目已有类目页"), {"field": "category"}
            ) from exc
        raise Conflict("page.name_taken", _("同类页面中已有这个名称"), {"field": "name"}) from exc


@transaction.atomic
def page_create(
    *,
    actor: Any,
    store: Any,
    kind: str,
    name: str,
    parent: StorePage | None = None,
    category: Any = None,
    module_type: str = "",
    based_on: StorePage | None = None,
) -> StorePage:
    """R2.3/R2.4: a page of the store; its content is then written as a release draft."""
    require(actor, StorefrontPerm.MANAGE_PAGE, store=store)
    if kind not in PageKind.values:
        raise Invalid("page.kind_invalid", _("页面类型无效"), {"field": "kind"})
    name = _text(name, field="name", required=category is None, limit=MAX_NAME)
    if not name and category is not None:
        name = _("类目：%(path)s") % {"path": category.path}
        name = name[:MAX_NAME]
    module_type = _check_links(
        store=store,
        kind=kind,
        parent=parent,
        category=category,
        module_type=module_type or "",
        based_on=based_on,
    )
    now = clock.now()
    page = StorePage(
        store=store,
        kind=kind,
        name=name,
        parent=parent,
        category=category,
        module_type=module_type,
        based_on=based_on,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    _save_page(page)
    audit_record(
        actor=actor, action="storefront.page.create", obj=page, store=store, after=_page_state(page)
    )
    return page


@transaction.atomic
def page_update(
    *,
    actor: Any,
    page: StorePage,
    name: str,
    module_type: str = "",
    based_on: StorePage | None = None,
) -> StorePage:
    require(actor, StorefrontPerm.MANAGE_PAGE, store=page.store)
    page = StorePage.objects.select_for_update().get(pk=page.pk)
    if page.is_archived:
        raise Conflict("page.archived", _("页面已停用"))
    before = _page_state(page)
    page.name = _text(name, field="name", required=True, limit=MAX_NAME)
    page.module_type = _check_links(
        store=page.store,
        kind=page.kind,
        parent=page.parent,
        category=page.category,
        module_type=module_type or "",
        based_on=based_on,
    )
    page.based_on = based_on
    after = _page_state(page)
    if after == before:
        return page
    page.updated_at = clock.now()
    _save_page(page)
    audit_record(
        actor=actor,
        action="storefront.page.update",
        obj=page,
        store=page.store,
        before=before,
        after=after,
    )
    return page


@transaction.atomic
def page_archive(*, actor: Any, page: StorePage) -> StorePage:
    """Stop using a page: no new drafts may target it. Refused while drafts or proposals for it
    are still open, or sub-pages hang below it."""
    require(actor, StorefrontPerm.MANAGE_PAGE, store=page.store)
    page = StorePage.objects.select_for_update().get(pk=page.pk)
    if page.is_archived:
        return page
    if ReleaseDraft.objects.filter(
        store=page.store, kind=page.kind, target=page.pk, status__in=OPEN_STATUSES
    ).exists():
        raise Conflict("page.open_drafts", _("该页面还有未完成的发布稿件"))
    if page.proposals.exclude(status__in=["done", "withdrawn"]).exists():
        raise Conflict("page.open_proposals", _("该页面还有未完成的改版方案"))
    if page.children.filter(is_archived=False).exists():
        raise Conflict("page.has_children", _("请先停用下级页面"))
    before = _page_state(page)
    page.is_archived = True
    page.updated_at = clock.now()
    page.save(update_fields=["is_archived", "updated_at"])
    audit_record(
        actor=actor,
        action="storefront.page.archive",
        obj=page,
        store=page.store,
        before=before,
        after=_page_state(page),
    )
    return page


# --- content's publish hook ----------------------------------------------------------------------
def _unique_name(queryset: Any, name: str, suffix: str) -> str:
    name = name[:MAX_NAME]
    if not queryset.filter(name=name).exists():
        return name
    return f"{name[: MAX_NAME - len(suffix)]}{suffix}"


def _page_for_new_publication(*, publication: Any, actor: Any) -> StorePage:
    """A draft written for a new page (target null, e.g. through the stable draft API) becomes a
    page when it is published; a blog post is always such a page."""
    kind = publication.kind
    store = publication.store
    if (
        kind == PageKind.SHOP_SIGN
        and StorePage.objects.filter(store=store, kind=kind, is_archived=False).exists()
    ):
        raise Conflict(
            "page.shop_sign_exists",
            _("该店铺已有店铺招牌，请针对现有招牌编写稿件"),
            {"field": "target"},
        )
    title = publication.revision.title
    name = title[:MAX_NAME]
    if kind != PageKind.BLOG:
        taken = StorePage.objects.filter(store=store, kind=kind, is_archived=False)
        name = _unique_name(taken, title, f"（#{publication.draft_id}）")
    now = clock.now()
    page = StorePage(
        store=store,
        kind=kind,
        name=name,
        module_type=ModuleType.BRAND if kind == PageKind.CUSTOM_MODULE else "",
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    _save_page(page)
    publication.target = page.pk
    publication.save(update_fields=["target"])
    audit_record(
        actor=actor,
        action="storefront.page.create",
        obj=page,
        store=store,
        after={**_page_state(page), "publication": publication.pk},
    )
    return page


def _record_zone_swap(*, page: StorePage, publication: Any, previous: Any, actor: Any) -> None:
    """R2.3 促销区: the published draft's variant is now the active one; a draft written for the
    zone outside the variants page becomes a variant of its own, so every live design is one."""
    variant = variant_of_draft(publication.draft_id)
    if variant is None:
        taken = PromotionVariant.objects.filter(zone=page)
        variant = PromotionVariant.objects.create(
            zone=page,
            name=_unique_name(taken, publication.revision.title, f"（#{publication.draft_id}）"),
            created_by=actor,
            created_at=clock.now(),
        )
        VariantDraft.objects.create(
            variant=variant, draft_id=publication.draft_id, created_at=clock.now()
        )
    before = variant_of_draft(previous.draft_id) if previous is not None else None
    audit_record(
        actor=actor,
        action="storefront.zone.swap",
        obj=page,
        store=page.store,
        before={
            "variant": before.pk if before else None,
            "publication": previous.pk if previous else None,
        },
        after={"variant": variant.pk, "name": variant.name, "publication": publication.pk},
    )


def page_on_publish(*, publication: Any, previous: Any, actor: Any) -> None:
    """Called by content inside the publishing transaction."""
    if publication.target is None:
        page = _page_for_new_publication(publication=publication, actor=actor)
    else:
        page = StorePage.objects.get(pk=publication.target)
    if page.kind == PageKind.PROMOTION_ZONE:
        _record_zone_swap(page=page, publication=publication, previous=previous, actor=actor)
    if page.kind == PageKind.BLOG:
        _blog_duty_done(publication=publication, actor=actor)


# --- the blog-writing habit (R2.4, R2.12) --------------------------------------------------------
def _blog_duty_done(*, publication: Any, actor: Any) -> None:
    """A published blog post is this week's blog duty done, whoever of the team wrote it."""
    obligation = (
        Obligation.objects.filter(kind=BLOG_OBLIGATION_KIND, store_id=publication.store_id)
        .order_by("id")
        .first()
    )
    occurrence = occurrence_current(obligation) if obligation is not None else None
    if occurrence is None:
        return
    occurrence_complete(
        actor=actor,
        occurrence=occurrence,
        evidence=reverse("content:publication_detail", args=[publication.pk]),
        by_the_work=True,
    )


@transaction.atomic
def blog_obligations_ensure() -> int:
    """R2.12 "养成写博客的习惯": one weekly blog duty per active store, owned by its first 企划;
    publishing a blog post completes the week. A store that has one is left alone (its owner and
    schedule may have been edited), so re-running is harmless. Returns how many were created."""
    today = clock.business_date()
    created = 0
    # store rows locked in id order: two runs at once create one duty per store
    for store in Store.objects.select_for_update().filter(is_active=True).order_by("id"):
        if Obligation.objects.filter(kind=BLOG_OBLIGATION_KIND, store=store).exists():
            continue
        planners = list(users_with_roles([RoleCode.PLANNING], store=store))
        if not planners:
            continue
        obligation_create(
            actor=None,
            title=_("每周一篇企业博客：%(store)s") % {"store": store.name},
            owner=planners[0],
            schedule=f"every {BLOG_INTERVAL_DAYS} days from {today:%Y-%m-%d} 00:00",
            due_hours=BLOG_INTERVAL_DAYS * 24,
            policy_id="R2.12",
            store=store,
            description=_(
                "写一篇博客（新品、使用技巧、品牌故事……），经审批后发布；发布即完成本周任务。"
            ),
            kind=BLOG_OBLIGATION_KIND,
        )
        created += 1
    return created


# --- promotion-zone variants ---------------------------------------------------------------------
def _zone_checked(zone: StorePage) -> None:
    if zone.kind != PageKind.PROMOTION_ZONE:
        raise Invalid("variant.zone_invalid", _("只有促销区有设计方案"), {"field": "zone"})
    if zone.is_archived:
        raise Conflict("page.archived", _("页面已停用"))


@transaction.atomic
def variant_create(
    *,
    actor: Any,
    zone: StorePage,
    name: str,
    title: str,
    body: str,
    note: str = "",
    priority: str = Priority.GENERAL,
) -> PromotionVariant:
    """A new design for the zone: a variant and its first release draft targeting the zone (its
    approval is 运营 then 经理, content's rule for promotion zones)."""
    require(actor, StorefrontPerm.MANAGE_PAGE, store=zone.store)
    _zone_checked(zone)
    name = _text(name, field="name", required=True, limit=MAX_NAME)
    note = _text(note, field="note", required=False, limit=MAX_NOTE)
    variant = PromotionVariant(
        zone=zone, name=name, note=note, created_by=actor, created_at=clock.now()
    )
    try:
        with transaction.atomic():
            variant.save()
    except IntegrityError as exc:
        raise Conflict("variant.name_taken", _("该促销区已有同名方案"), {"field": "name"}) from exc
    draft = draft_create(
        actor=actor,
        store=zone.store,
        kind=DraftKind.PROMOTION_ZONE,
        title=title,
        body=body,
        priority=priority,
        target=zone.pk,
    )
    VariantDraft.objects.create(variant=variant, draft=draft, created_at=clock.now())
    audit_record(
        actor=actor,
        action="storefront.variant.create",
        obj=variant,
        store=zone.store,
        after={"zone": zone.pk, "name": name, "draft": draft.pk},
    )
    return variant


@transaction.atomic
def variant_activate(*, actor: Any, variant: PromotionVariant) -> Any:
    """Swap the variant in: publish its approved draft (content supersedes the live one)."""
    require(actor, StorefrontPerm.VIEW_PAGE, store=variant.zone.store)
    _zone_checked(variant.zone)
    draft = variant_latest_draft(variant)
    if draft is None or draft.status != DraftStatus.APPROVED:
        raise Conflict(
            "variant.not_ready",
            _("该方案没有已批准待上线的稿件"),
            {"status": draft.status if draft else None},
        )
    return draft_publish(actor=actor, draft=draft)


@transaction.atomic
def variant_reuse(*, actor: Any, variant: PromotionVariant, submit: bool) -> ReleaseDraft:
    """Bring an earlier design back: a new draft copied from the variant's last publication,
    submitted for approval again when `submit` (R5.1: the live page changes only with an approval
    of exactly what goes live — prices and claims may have aged, the scan runs again)."""
    require(actor, StorefrontPerm.MANAGE_PAGE, store=variant.zone.store)
    _zone_checked(variant.zone)
    latest = variant_latest_draft(variant)
    if latest is not None and latest.status in OPEN_STATUSES:
        raise Conflict(
            "variant.draft_open",
            _("该方案已有进行中的稿件（#%(id)s），请在稿件上继续") % {"id": latest.pk},
            {"draft": latest.pk},
        )
    if latest is not None and latest.status == DraftStatus.PUBLISHED:
        raise Conflict("variant.live", _("该方案正在线上"))
    source = variant_last_publication(variant)
    if source is None:
        raise Conflict("variant.never_published", _("该方案还没有发布过"))
    draft = draft_create(
        actor=actor,
        store=variant.zone.store,
        kind=DraftKind.PROMOTION_ZONE,
        title=source.revision.title,
        body=source.revision.body,
        priority=Priority.GENERAL,
        target=variant.zone.pk,
    )
    VariantDraft.objects.create(
        variant=variant, draft=draft, copied_from=source, created_at=clock.now()
    )
    if submit:
        draft = draft_submit(actor=actor, draft=draft)
    audit_record(
        actor=actor,
        action="storefront.variant.reuse",
        obj=variant,
        store=variant.zone.store,
        after={"draft": draft.pk, "copied_from": source.pk, "submitted": submit},
    )
    return draft


# --- redesign proposals --------------------------------------------------------------------------
def _proposal_set_status(proposal: RedesignProposal, status: str) -> None:
    """The one place a proposal's status changes, against PROPOSAL_TRANSITIONS (409 otherwise)."""
    if status not in PROPOSAL_TRANSITIONS[proposal.status]:
        raise Conflict(
            "proposal.transition",
            _("改版方案当前为“%(status)s”，不能改为“%(to)s”")
            % {"status": proposal.get_status_display(), "to": ProposalStatus(status).label},
            {"status": proposal.status, "to": status},
        )
    proposal.status = status


def _locked(proposal: RedesignProposal) -> RedesignProposal:
    return RedesignProposal.objects.select_for_update().get(pk=proposal.pk)


def _proposal_url(proposal: RedesignProposal) -> str:
    return reverse("storefront:proposal_detail", args=[proposal.pk])


def _proposal_state(proposal: RedesignProposal) -> dict[str, Any]:
    return {
        "status": proposal.status,
        "title": proposal.title,
        "page": proposal.page_id,
        "owner": proposal.owner.username if proposal.owner_id else None,
        "due_at": proposal.due_at.isoformat() if proposal.due_at else None,
    }


def _only_proposer(actor: Any, proposal: RedesignProposal) -> None:
    if proposal.proposer_id != getattr(actor, "pk", None):
        raise Forbidden("proposal.not_proposer", _("只有提出人可以修改或提交这个方案"))


@transaction.atomic
def proposal_create(
    *, actor: Any, page: StorePage, title: str, description: str
) -> RedesignProposal:
    """R3.5: any employee proposes a redesign of a page; "before" is what the page shows now."""
    require(actor, StorefrontPerm.PROPOSE_REDESIGN, store=page.store)
    if page.is_archived:
        raise Conflict("page.archived", _("页面已停用"))
    title = _text(title, field="title", required=True, limit=MAX_TITLE)
    description = _text(description, field="description", required=True, limit=MAX_DESCRIPTION)
    now = clock.now()
    proposal = RedesignProposal.objects.create(
        store=page.store,
        page=page,
        title=title,
        description=description,
        proposer=actor,
        before_publication=page_live(page),
        created_at=now,
        updated_at=now,
    )
    audit_record(
        actor=actor,
        action="storefront.proposal.create",
        obj=proposal,
        store=page.store,
        after={**_proposal_state(proposal), "before_publication": proposal.before_publication_id},
    )
    return proposal


@transaction.atomic
def proposal_update(
    *, actor: Any, proposal: RedesignProposal, title: str, description: str
) -> RedesignProposal:
    """The proposer revises the text while it is discussed, or after a rejection (back to 讨论中)."""
    proposal = _locked(proposal)
    _only_proposer(actor, proposal)
    if proposal.status not in (ProposalStatus.DISCUSSING, ProposalStatus.REJECTED):
        raise Conflict(
            "proposal.not_editable",
            _("改版方案%(status)s，不能再修改") % {"status": proposal.get_status_display()},
        )
    before = _proposal_state(proposal) | {"description": proposal.description}
    proposal.title = _text(title, field="title", required=True, limit=MAX_TITLE)
    proposal.description = _text(
        description, field="description", required=True, limit=MAX_DESCRIPTION
    )
    if proposal.status == ProposalStatus.REJECTED:
        _proposal_set_status(proposal, ProposalStatus.DISCUSSING)
    proposal.updated_at = clock.now()
    proposal.save()
    audit_record(
        actor=actor,
        action="storefront.proposal.update",
        obj=proposal,
        store=proposal.store,
        before=before,
        after=_proposal_state(proposal) | {"description": proposal.description},
    )
    return proposal


def _checked_image(content: bytes) -> tuple[str, int, int]:
    if not content:
        raise Invalid("image.empty", _("请选择图片文件"), {"field": "file"})
    if len(content) > MAX_IMAGE_BYTES:
        raise Invalid("image.too_large", _("图片不能超过 10 MB"), {"field": "file"})
    try:
        with Image.open(io.BytesIO(content)) as probe:
            image_format = probe.format
            width, height = probe.size
            if width * height > MAX_IMAGE_PIXELS:
                raise Invalid("image.too_large", _("图片像素过大"), {"field": "file"})
            probe.verify()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise Invalid(
            "image.unreadable", _("不是有效的图片文件（支持 JPG、PNG、WEBP）"), {"field": "file"}
        ) from exc
    if image_format not in IMAGE_FORMATS:
        raise Invalid("image.format", _("只支持 JPG、PNG、WEBP 图片"), {"field": "file"})
    return str(image_format), width, height


@transaction.atomic
def proposal_image_add(
    *, actor: Any, proposal: RedesignProposal, kind: str, content: bytes
) -> ProposalImage:
    """A mock-up (the proposer, before approval; a new mock-up sends a rejected proposal back to
    discussion) or a screenshot after the redesign (the owner, while it is carried out)."""
    proposal = _locked(proposal)
    if kind == ProposalImageKind.MOCKUP:
        _only_proposer(actor, proposal)
        if proposal.status not in (ProposalStatus.DISCUSSING, ProposalStatus.REJECTED):
            raise Conflict("proposal.not_editable", _("方案已提交审批，不能再改设计稿"))
    elif kind == ProposalImageKind.AFTER:
        if proposal.status != ProposalStatus.APPROVED:
            raise Conflict("proposal.not_approved", _("方案批准后才能上传改版后截图"))
        if proposal.owner_id != getattr(actor, "pk", None):
            require(actor, StorefrontPerm.DECIDE_PROPOSAL, store=proposal.store)
    else:
        raise Invalid("image.kind_invalid", _("图片类型无效"), {"field": "kind"})
    if proposal.images.filter(kind=kind).count() >= MAX_IMAGES:
        raise Conflict("image.too_many", _("每类最多 %(n)s 张图片") % {"n": MAX_IMAGES})
    image_format, width, height = _checked_image(content)
    extension, content_type = IMAGE_FORMATS[image_format]
    digest = hashlib.sha256(content).hexdigest()
    image = ProposalImage(
        proposal=proposal,
        kind=kind,
        content_type=content_type,
        width=width,
        height=height,
        sha256=digest,
        uploaded_by=actor,
        uploaded_at=clock.now(),
    )
    image.file.save(f"r{proposal.pk}-{digest[:16]}.{extension}", ContentFile(content), save=False)
    image.save()
    if kind == ProposalImageKind.MOCKUP and proposal.status == ProposalStatus.REJECTED:
        _proposal_set_status(proposal, ProposalStatus.DISCUSSING)
        proposal.updated_at = clock.now()
        proposal.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="storefront.proposal.image_add",
        obj=proposal,
        store=proposal.store,
        after={"image": image.pk, "kind": kind, "sha256": digest, "size": [width, height]},
    )
    return image


@transaction.atomic
def proposal_comment(*, actor: Any, proposal: RedesignProposal, body: str) -> ProposalComment:
    """R3.5 企划讨论: anyone who may propose comments until the proposal is done or withdrawn;
    the proposer is told."""
    require(actor, StorefrontPerm.PROPOSE_REDESIGN, store=proposal.store)
    proposal = _locked(proposal)
    if proposal.status in (ProposalStatus.DONE, ProposalStatus.WITHDRAWN):
        raise Conflict(
            "proposal.closed",
            _("改版方案%(status)s，不能再评论") % {"status": proposal.get_status_display()},
        )
    body = _text(body, field="body", required=True, limit=MAX_COMMENT)
    comment = ProposalComment.objects.create(
        proposal=proposal, author=actor, body=body, created_at=clock.now()
    )
    audit_record(
        actor=actor,
        action="storefront.proposal.comment",
        obj=proposal,
        store=proposal.store,
        after={"comment": comment.pk, "body": body},
    )
    if proposal.proposer_id != actor.pk:
        notify(
            kind="storefront.proposal_comment",
            title=_("%(user)s 评论了你的改版方案：%(title)s")
            % {"user": actor, "title": proposal.title},
            body=body[:200],
            recipients=[proposal.proposer],
            url=_proposal_url(proposal),
            store=proposal.store,
        )
    return comment


@transaction.atomic
def proposal_submit(*, actor: Any, proposal: RedesignProposal) -> RedesignProposal:
    """呈公司审批: ask 经理 to approve exactly this text and these mock-ups."""
    proposal = _locked(proposal)
    _only_proposer(actor, proposal)
    require(actor, StorefrontPerm.PROPOSE_REDESIGN, store=proposal.store)
    before = _proposal_state(proposal)
    _proposal_set_status(proposal, ProposalStatus.SUBMITTED)
    if not proposal.images.filter(kind=ProposalImageKind.MOCKUP).exists():
        raise Conflict("proposal.mockup_required", _("请先上传至少一张设计稿"), {"field": "file"})
    approval_request(
        actor=actor,
        obj=proposal,
        snapshot=proposal_snapshot(proposal),
        title=_("改版方案审批：%(title)s（%(page)s）")
        % {"title": proposal.title, "page": proposal.page.name},
        approver_roles=[RoleCode.MANAGER],
        url=_proposal_url(proposal),
        store=proposal.store,
    )
    proposal.updated_at = clock.now()
    proposal.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="storefront.proposal.submit",
        obj=proposal,
        store=proposal.store,
        before=before,
        after=_proposal_state(proposal),
    )
    return proposal


def _pending_approval(proposal: RedesignProposal, actor: Any) -> Any:
    approval = approval_for(proposal)
    if approval is None or approval.status != ApprovalStatus.PENDING:
        raise Conflict("proposal.no_pending_approval", _("该方案没有待处理的审批"))
    refusal = approval_decision_refusal(actor, approval)
    if refusal is not None:
        raise refusal
    return approval


def _due_at(due_date: Any) -> dt.datetime:
    if not isinstance(due_date, dt.date) or isinstance(due_date, dt.datetime):
        raise Invalid("proposal.due_invalid", _("请填写完成日期"), {"field": "due_date"})
    today = clock.business_date()
    if not today <= due_date <= today + dt.timedelta(days=MAX_DUE_DAYS):
        raise Invalid(
            "proposal.due_invalid",
            _("完成日期须在今天到一年之内"),
            {"field": "due_date"},
        )
    due_at = clock.start_of_business_day(due_date) + dt.timedelta(hours=DUE_HOUR)
    if due_at <= clock.now():
        raise Invalid(
            "proposal.due_invalid", _("完成期限已过，请选择以后的日期"), {"field": "due_date"}
        )
    return due_at


@transaction.atomic
def proposal_approve(
    *,
    actor: Any,
    proposal: RedesignProposal,
    owner: Any,
    due_date: dt.date,
    comment: str = "",
) -> RedesignProposal:
    """经理 approves (nobody approves their own proposal: the engine refuses the requester) and
    names who carries it out by when: an obligation `once …` with that owner and due time, and
    the owner is told."""
    require(actor, StorefrontPerm.DECIDE_PROPOSAL, store=proposal.store)
    proposal = _locked(proposal)
    if proposal.status != ProposalStatus.SUBMITTED:
        _proposal_set_status(proposal, ProposalStatus.APPROVED)  # the 409 for every other state
    approval = _pending_approval(proposal, actor)
    if owner is None or not owner.is_active or not owner.works_in(proposal.store_id):
        raise Invalid("proposal.owner_invalid", _("请选择负责该店铺的在职员工"), {"field": "owner"})
    due_at = _due_at(due_date)
    before = _proposal_state(proposal)
    approval = approval_decide(actor=actor, approval=approval, approve=True, comment=comment)
    if approval.status != ApprovalStatus.APPROVED:  # a further step waits (none by default)
        return proposal
    approval_require(obj=proposal, snapshot=proposal_snapshot(proposal))
    _proposal_set_status(proposal, ProposalStatus.APPROVED)
    now = clock.now()
    due_hours = max(1, math.ceil((due_at - now).total_seconds() / 3600))
    opens = clock.local(due_at - dt.timedelta(hours=due_hours))
    url = _proposal_url(proposal)
    proposal.obligation = obligation_create(
        actor=None,  # the proposal's rule acting: the approver need not manage obligations
        title=(_("执行改版方案：%(title)s") % {"title": proposal.title})[:200],
        owner=owner,
        schedule=f"once {opens:%Y-%m-%d %H:%M}",
        due_hours=due_hours,
        policy_id="R3.5",
        store=proposal.store,
        description=_("页面：%(page)s。方案：%(url)s") % {"page": proposal.page.name, "url": url},
        kind=REDESIGN_OBLIGATION_KIND,
    )
    proposal.owner = owner
    proposal.due_at = due_at
    proposal.decided_by = actor
    proposal.decided_at = now
    proposal.updated_at = now
    proposal.save()
    audit_record(
        actor=actor,
        action="storefront.proposal.approve",
        obj=proposal,
        store=proposal.store,
        before=before,
        after={
            **_proposal_state(proposal),
            "obligation": proposal.obligation_id,
            "comment": comment,
        },
    )
    notify(
        kind="storefront.proposal_assigned",
        title=_("请执行改版方案：%(title)s") % {"title": proposal.title},
        body=_("完成期限 %(due)s") % {"due": clock.local(due_at).strftime("%Y-%m-%d %H:%M")},
        recipients=[owner],
        url=url,
        store=proposal.store,
    )
    return proposal


@transaction.atomic
def proposal_reject(*, actor: Any, proposal: RedesignProposal, comment: str) -> RedesignProposal:
    """Rejected with a comment; the proposer may revise it (back to discussion) and submit again."""
    require(actor, StorefrontPerm.DECIDE_PROPOSAL, store=proposal.store)
    proposal = _locked(proposal)
    before = _proposal_state(proposal)
    _proposal_set_status(proposal, ProposalStatus.REJECTED)
    approval = _pending_approval(proposal, actor)
    approval_decide(actor=actor, approval=approval, approve=False, comment=comment)
    proposal.decided_by = actor
    proposal.decided_at = clock.now()
    proposal.updated_at = proposal.decided_at
    proposal.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit_record(
        actor=actor,
        action="storefront.proposal.reject",
        obj=proposal,
        store=proposal.store,
        before=before,
        after={**_proposal_state(proposal), "comment": comment},
    )
    return proposal


@transaction.atomic
def proposal_withdraw(*, actor: Any, proposal: RedesignProposal) -> RedesignProposal:
    proposal = _locked(proposal)
    _only_proposer(actor, proposal)
    before = _proposal_state(proposal)
    _proposal_set_status(proposal, ProposalStatus.WITHDRAWN)
    approval = approval_for(proposal)
    if approval is not None and approval.status == ApprovalStatus.PENDING:
        approval_cancel(actor=actor, approval=approval)
    proposal.updated_at = clock.now()
    proposal.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="storefront.proposal.withdraw",
        obj=proposal,
        store=proposal.store,
        before=before,
        after=_proposal_state(proposal),
    )
    return proposal


@transaction.atomic
def proposal_complete(
    *, actor: Any, proposal: RedesignProposal, note: str = ""
) -> RedesignProposal:
    """The owner (or 经理) reports the redesign done. "After" is the page's publication made since
    the proposal (content's draft → approval → publish), or screenshots uploaded after; without
    either the task is not done. The execution task's period is completed with the proposal's link."""
    proposal = _locked(proposal)
    if proposal.owner_id != getattr(actor, "pk", None):
        require(actor, StorefrontPerm.DECIDE_PROPOSAL, store=proposal.store)
    elif not actor.works_in(proposal.store_id):
        raise Forbidden("proposal.not_owner", _("只有执行人或经理可以完成改版"))
    before = _proposal_state(proposal)
    _proposal_set_status(proposal, ProposalStatus.DONE)
    note = _text(note, field="note", required=False, limit=MAX_NOTE)
    live = page_live(proposal.page)
    after = live if live is not None and live.pk != proposal.before_publication_id else None
    if after is None and not proposal.images.filter(kind=ProposalImageKind.AFTER).exists():
        raise Conflict(
            "proposal.after_missing",
            _("页面还没有发布改版后的新版本：请先发布，或上传改版后截图"),
        )
    proposal.after_publication = after
    proposal.done_at = clock.now()
    proposal.done_note = note
    proposal.updated_at = proposal.done_at
    proposal.save()
    if proposal.obligation_id is not None:
        occurrence = occurrence_current(proposal.obligation)
        if occurrence is not None:
            occurrence_complete(
                actor=actor, occurrence=occurrence, evidence=_proposal_url(proposal)
            )
    audit_record(
        actor=actor,
        action="storefront.proposal.complete",
        obj=proposal,
        store=proposal.store,
        before=before,
        after={
            **_proposal_state(proposal),
            "after_publication": proposal.after_publication_id,
            "after_images": proposal.images.filter(kind=ProposalImageKind.AFTER).count(),
            "note": note,
        },
    )
    notify(
        kind="storefront.proposal_done",
        title=_("改版方案已完成：%(title)s") % {"title": proposal.title},
        body=note,
        recipients=[proposal.proposer],
        url=_proposal_url(proposal),
        store=proposal.store,
    )
    return proposal
