"""Reading store pages, promotion-zone variants and redesign proposals within what the actor may
see; the page-kind hooks content calls (R2.3, R2.4, R2.12, R3.5)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from storeops.catalog.models import Category
from storeops.content.enums import OPEN_STATUSES, DraftStatus
from storeops.content.models import Publication, ReleaseDraft
from storeops.content.selectors import live_publication_for, revision_diff
from storeops.core import clock
from storeops.core.errors import Forbidden, NotFound
from storeops.core.permissions import has_perm, require
from storeops.governance.selectors import approval_decision_refusal, approval_for
from storeops.storefront.enums import PAGE_KINDS, PageKind, VariantState
from storeops.storefront.models import (
    PromotionVariant,
    ProposalImage,
    RedesignProposal,
    StorePage,
    VariantDraft,
)
from storeops.storefront.permissions import StorefrontPerm

BLOG_HABIT_DAYS = 30


# --- the hooks content calls ---------------------------------------------------------------------
def page_exists_for(kind: str) -> Any:
    """content asks: is `target_id` a page of this kind in this store (and still in use)?"""

    def exists(store: Any, target_id: int) -> bool:
        return StorePage.objects.filter(
            pk=target_id, store=store, kind=kind, is_archived=False
        ).exists()

    return exists


# --- pages ---------------------------------------------------------------------------------------
def _missing_page() -> NotFound:
    return NotFound("page.not_found", _("页面不存在"))


def page_list(
    *, actor: Any, store: Any = None, kind: str = "", include_archived: bool = False
) -> QuerySet[StorePage]:
    require(actor, StorefrontPerm.VIEW_PAGE, store=store)
    found = StorePage.objects.select_related("store", "parent", "category", "based_on")
    found = (
        found.filter(store=store)
        if store is not None
        else found.filter(store_id__in=actor.store_ids())
    )
    if kind:
        found = found.filter(kind=kind)
    if not include_archived:
        found = found.filter(is_archived=False)
    return found


def page_get(*, actor: Any, page_id: int) -> StorePage:
    """A page the actor may read: 404 in a store they do not work in, 403 without VIEW_PAGE."""
    page = (
        StorePage.objects.select_related("store", "parent", "category", "based_on__store")
        .filter(pk=page_id)
        .first()
    )
    if page is None or not getattr(actor, "is_authenticated", False):
        raise _missing_page()
    if not actor.works_in(page.store_id):
        raise _missing_page()
    require(actor, StorefrontPerm.VIEW_PAGE, store=page.store)
    return page


def page_get_for_change(*, actor: Any, page_id: int) -> StorePage:
    page = page_get(actor=actor, page_id=page_id)
    require(actor, StorefrontPerm.MANAGE_PAGE, store=page.store)
    return page


def page_live(page: StorePage) -> Publication | None:
    """What the page shows now: content's live publication whose target is this page."""
    publication = live_publication_for(store=page.store, kind=page.kind, target=page.pk)
    if publication is not None:
        return (
            Publication.objects.select_related("revision", "published_by", "draft")
            .filter(pk=publication.pk)
            .first()
        )
    return None


def live_by_page(pages: list[StorePage]) -> dict[int, Publication]:
    """The live publication of each page, in one query (for lists)."""
    if not pages:
        return {}
    found = Publication.objects.filter(
        is_live=True,
        target__in=[p.pk for p in pages],
        kind__in=PAGE_KINDS,
        store_id__in={p.store_id for p in pages},
    ).select_related("revision")
    kinds = {p.pk: (p.store_id, p.kind) for p in pages}
    return {
        pub.target: pub
        for pub in found
        if pub.target is not None and kinds.get(pub.target) == (pub.store_id, pub.kind)
    }


def page_publications(page: StorePage) -> list[Publication]:
    """Every publication the page has had, newest first (its history)."""
    return list(
        Publication.objects.filter(store=page.store, kind=page.kind, target=page.pk)
        .select_related("revision", "published_by", "draft")
        .order_by("-id")
    )


def page_open_drafts(page: StorePage) -> list[ReleaseDraft]:
    return list(
        ReleaseDraft.objects.filter(
            store=page.store, kind=page.kind, target=page.pk, status__in=OPEN_STATUSES
        )
        .select_related("owner", "current_revision")
        .order_by("-id")
    )


def branch_difference(page: StorePage) -> dict[str, Any] | None:
    """A branch store's page against the main store's page it is based on (R2.3: the branches
    differ): the two live texts side by side, or None when either is not live."""
    if page.based_on_id is None:
        return None
    main = page_live(page.based_on)
    mine = page_live(page)
    if main is None or mine is None:
        return {"main": main, "mine": mine, "diff": None}
    return {"main": main, "mine": mine, "diff": revision_diff(main.revision, mine.revision)}


def main_store_pages(*, kind: str) -> QuerySet[StorePage]:
    """Pages of the main store a branch page may be based on."""
    return StorePage.objects.filter(
        store__is_main_store=True, kind=kind, is_archived=False
    ).order_by("name")


@dataclass
class Coverage:
    """R2.3/R2.4 for one store: what it has, what is live, what is missing."""

    store: Any
    shop_sign: StorePage | None
    categories: list[dict[str, Any]]
    sub_pages: list[StorePage]
    zones: list[StorePage]
    modules: list[StorePage]
    blog_posts: list[StorePage]
    live: dict[int, Publication]
    blog_last_at: dt.datetime | None
    blog_recent: int

    @property
    def missing(self) -> list[str]:
        found = []
        if self.shop_sign is None:
            found.append(_("没有店铺招牌"))
        elif self.shop_sign.pk not in self.live:
            found.append(_("店铺招牌尚未发布"))
        without = [row["category"].path for row in self.categories if row["page"] is None]
        if without:
            found.append(_("%(n)s 个类目没有类目页") % {"n": len(without)})
        return found


def store_coverage(*, actor: Any, store: Any) -> Coverage:
    pages = list(page_list(actor=actor, store=store))
    live = live_by_page(pages)
    by_category = {p.category_id: p for p in pages if p.category_id}
    categories = [
        {"category": category, "page": by_category.get(category.pk)}
        for category in Category.objects.filter(store=store).order_by("path")
    ]
    posts = sorted(
        (p for p in pages if p.kind == PageKind.BLOG), key=lambda p: p.created_at, reverse=True
    )
    post_times = [live[p.pk].published_at for p in posts if p.pk in live]
    since = clock.now() - dt.timedelta(days=BLOG_HABIT_DAYS)
    return Coverage(
        store=store,
        shop_sign=next((p for p in pages if p.kind == PageKind.SHOP_SIGN), None),
        categories=categories,
        sub_pages=[p for p in pages if p.kind == PageKind.STORE_PAGE and not p.category_id],
        zones=[p for p in pages if p.kind == PageKind.PROMOTION_ZONE],
        modules=[p for p in pages if p.kind == PageKind.CUSTOM_MODULE],
        blog_posts=posts,
        live=live,
        blog_last_at=max(post_times) if post_times else None,
        blog_recent=sum(1 for t in post_times if t >= since),
    )


# --- promotion-zone variants ---------------------------------------------------------------------
@dataclass
class VariantView:
    variant: PromotionVariant
    state: str
    latest: ReleaseDraft | None
    publication: Publication | None  # the variant's last publication (live or superseded)

    @property
    def state_label(self) -> str:
        return str(VariantState(self.state).label)

    @property
    def is_live(self) -> bool:
        return self.state == VariantState.LIVE


def _variant_state(latest: ReleaseDraft | None, publication: Publication | None) -> str:
    if latest is None:
        return VariantState.DESIGNING
    if latest.status == DraftStatus.PUBLISHED:
        return VariantState.LIVE
    if latest.status == DraftStatus.SUPERSEDED:
        return VariantState.OFFLINE
    if latest.status == DraftStatus.APPROVED:
        return VariantState.READY
    if latest.status == DraftStatus.SUBMITTED:
        return VariantState.IN_APPROVAL
    return VariantState.DESIGNING


def zone_variants(zone: StorePage) -> list[VariantView]:
    """Each variant with its state; at most one is LIVE (content keeps one live publication)."""
    variants = list(zone.variants.order_by("id"))
    links = (
        VariantDraft.objects.filter(variant__zone=zone)
        .select_related("draft", "draft__current_revision", "draft__owner")
        .order_by("id")
    )
    latest: dict[int, ReleaseDraft] = {}
    for link in links:
        latest[link.variant_id] = link.draft
    draft_ids = [link.draft_id for link in links]
    publications: dict[int, Publication] = {}
    for pub in Publication.objects.filter(draft_id__in=draft_ids).select_related("revision"):
        publications[pub.draft_id] = pub
    last_pub: dict[int, Publication] = {}
    for link in links:
        if link.draft_id in publications:
            last_pub[link.variant_id] = publications[link.draft_id]
    return [
        VariantView(
            variant=v,
            state=_variant_state(latest.get(v.pk), last_pub.get(v.pk)),
            latest=latest.get(v.pk),
            publication=last_pub.get(v.pk),
        )
        for v in variants
    ]


def variant_latest_draft(variant: PromotionVariant) -> ReleaseDraft | None:
    link = variant.drafts.select_related("draft").order_by("-id").first()
    return link.draft if link else None


def variant_last_publication(variant: PromotionVariant) -> Publication | None:
    draft_ids = variant.drafts.values_list("draft_id", flat=True)
    return (
        Publication.objects.filter(draft_id__in=draft_ids)
        .select_related("revision")
        .order_by("-id")
        .first()
    )


def variant_of_draft(draft_id: int) -> PromotionVariant | None:
    link = VariantDraft.objects.select_related("variant").filter(draft_id=draft_id).first()
    return link.variant if link else None


def variant_get(*, actor: Any, variant_id: int) -> PromotionVariant:
    variant = (
        PromotionVariant.objects.select_related("zone", "zone__store").filter(pk=variant_id).first()
    )
    if variant is None or not actor.works_in(variant.zone.store_id):
        raise NotFound("variant.not_found", _("促销区方案不存在"))
    require(actor, StorefrontPerm.VIEW_PAGE, store=variant.zone.store)
    return variant


def variant_get_for_change(*, actor: Any, variant_id: int) -> PromotionVariant:
    variant = variant_get(actor=actor, variant_id=variant_id)
    require(actor, StorefrontPerm.MANAGE_PAGE, store=variant.zone.store)
    return variant


# --- redesign proposals --------------------------------------------------------------------------
def _missing_proposal() -> NotFound:
    return NotFound("proposal.not_found", _("改版方案不存在"))


def proposal_list(
    *, actor: Any, store: Any = None, status: str = "", page: StorePage | None = None
) -> QuerySet[RedesignProposal]:
    require(actor, StorefrontPerm.VIEW_PROPOSAL, store=store)
    found = RedesignProposal.objects.select_related("store", "page", "proposer", "owner")
    found = (
        found.filter(store=store)
        if store is not None
        else found.filter(store_id__in=actor.store_ids())
    )
    if status:
        found = found.filter(status=status)
    if page is not None:
        found = found.filter(page=page)
    return found


def proposal_get(*, actor: Any, proposal_id: int) -> RedesignProposal:
    proposal = (
        RedesignProposal.objects.select_related(
            "store",
            "page",
            "proposer",
            "owner",
            "decided_by",
            "before_publication__revision",
            "after_publication__revision",
            "obligation",
        )
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None or not getattr(actor, "is_authenticated", False):
        raise _missing_proposal()
    if not actor.works_in(proposal.store_id):
        raise _missing_proposal()
    require(actor, StorefrontPerm.VIEW_PROPOSAL, store=proposal.store)
    return proposal


# Each service checks its own rule (proposer, owner, the approval step's roles).
proposal_get_for_change = proposal_get


def proposal_images(proposal: RedesignProposal) -> dict[str, list[ProposalImage]]:
    images: dict[str, list[ProposalImage]] = {"mockup": [], "after": []}
    for image in proposal.images.order_by("id"):
        images.setdefault(image.kind, []).append(image)
    return images


def proposal_image_get(*, actor: Any, image_id: int) -> ProposalImage:
    """An image the actor may see: the proposal's store and VIEW_PROPOSAL (404 otherwise)."""
    image = ProposalImage.objects.select_related("proposal").filter(pk=image_id).first()
    if image is None or not getattr(actor, "is_authenticated", False):
        raise NotFound("image.not_found", _("图片不存在"))
    proposal_get(actor=actor, proposal_id=image.proposal_id)
    return image


def proposal_snapshot(proposal: RedesignProposal) -> dict[str, Any]:
    """What the manager approves: the page, the text and exactly these mock-ups (by hash)."""
    return {
        "proposal": proposal.pk,
        "store": proposal.store.code,
        "page": proposal.page_id,
        "page_name": proposal.page.name,
        "title": proposal.title,
        "description": proposal.description,
        "mockups": list(
            proposal.images.filter(kind="mockup").order_by("id").values_list("sha256", flat=True)
        ),
        "before_publication": proposal.before_publication_id,
    }


def proposal_decision_refusal(actor: Any, proposal: RedesignProposal) -> Any:
    """Why this actor may not decide the proposal now (None: they may) — for the page's buttons."""
    approval = approval_for(proposal)
    if approval is None:
        return None
    refusal = approval_decision_refusal(actor, approval)
    if refusal is None and not has_perm(
        actor, StorefrontPerm.DECIDE_PROPOSAL, store=proposal.store
    ):
        return Forbidden("permission.denied", _("你没有审批改版方案的权限"))
    return refusal


def proposals_to_carry_out(user: Any, *, limit: int = 10) -> list[RedesignProposal]:
    """Approved proposals I own, nearest due first (the 工作台 tasks panel)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        RedesignProposal.objects.filter(
            owner=user, status="approved", store_id__in=user.store_ids()
        )
        .select_related("page")
        .order_by("due_at")[:limit]
    )


def open_proposals_for_page(page: StorePage) -> QuerySet[RedesignProposal]:
    return page.proposals.filter(~Q(status__in=["done", "withdrawn"])).order_by("-id")


def store_staff(store: Any) -> QuerySet[Any]:
    """Active people working in the store: who may carry out a redesign there."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(is_active=True, stores=store).order_by("username")
