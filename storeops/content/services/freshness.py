"""Freshness (R3.3): every listing on sale has its introduction, photos and selling copy revised
every `copy_refresh_days` (15). One obligation per store for its 企划 (the half-monthly round
through the 待更新商品 board), and one alert per overdue listing to the store's 企划, resolved when
a new publication of that listing lands (or a new photo is uploaded)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from storeops.accounts.models import Store
from storeops.content.enums import DraftKind
from storeops.content.selectors import (
    FRESHNESS_KIND,
    copy_refresh_days,
    freshness_obligation,
    open_stale_alert_listing_ids,
    stale_listings,
    store_planners,
)
from storeops.content.services.drafts import publish_listener
from storeops.core import clock
from storeops.governance.services import obligation_create
from storeops.notifications.services import alert_raise, alert_resolve

STALE_ALERT_KIND = "content.listing_stale"


def stale_alert_key(listing_id: int) -> str:
    return f"{STALE_ALERT_KIND}:{listing_id}"


@transaction.atomic
def freshness_obligations_ensure() -> int:
    """One refresh duty per active store that has a 企划, on the policy's interval; a store that
    already has one (whoever owns it now, whatever its schedule was edited to) is left alone, so
    re-running is harmless. Returns how many were created."""
    days = copy_refresh_days()
    today = clock.business_date()
    created = 0
    # the store rows are locked in id order: two checks at once create one duty per store
    for store in Store.objects.select_for_update().filter(is_active=True).order_by("id"):
        if freshness_obligation(store) is not None:
            continue
        planners = store_planners(store)
        if not planners:
            continue
        obligation_create(
            actor=None,
            title=_("商品文案与图片半月更新：%(store)s") % {"store": store.name},
            owner=planners[0],
            schedule=f"every {days} days from {today:%Y-%m-%d} 09:00",
            due_hours=days * 24,
            policy_id="R3.3",
            store=store,
            description=_(
                "在“待更新商品”中逐一更新本店超过 %(days)s 天未更新的商品：商品介绍、图片与卖点文案，"
                "经审批后发布。"
            )
            % {"days": days},
            kind=FRESHNESS_KIND,
        )
        created += 1
    return created


def freshness_check(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The periodic check: ensure the duties (their own short transaction, which locks the
    store rows), then alert each newly overdue listing once (dedupe per listing) and resolve the
    alerts of listings refreshed (or taken off sale) since."""
    created = freshness_obligations_ensure()
    with transaction.atomic():
        return {"obligations": created, **_stale_alerts(now=now or clock.now())}


def _stale_alerts(*, now: dt.datetime) -> dict[str, int]:
    days = copy_refresh_days()
    board = reverse("content:freshness")
    open_before = set(open_stale_alert_listing_ids())
    stale_ids: set[int] = set()
    planners: dict[int, list[Any]] = {}
    for listing in stale_listings(now=now):
        stale_ids.add(listing.pk)
        if listing.store_id not in planners:
            planners[listing.store_id] = store_planners(listing.store)
        age = (now - listing.refreshed_at).days
        alert_raise(
            kind=STALE_ALERT_KIND,
            title=_("商品 %(days)s 天未更新：%(title)s") % {"days": age, "title": listing.title},
            body=_("制度要求每 %(n)s 天更新商品介绍、图片和卖点文案（R3.3）。") % {"n": days},
            recipients=planners[listing.store_id],
            url=f"{board}?store={listing.store.code}",
            obj=listing,
            store=listing.store,
            dedupe_key=stale_alert_key(listing.pk),
        )
    resolved = 0
    for listing_id in sorted(open_before - stale_ids):
        resolved += alert_resolve(dedupe_key=stale_alert_key(listing_id))
    return {
        "stale": len(stale_ids),
        "raised": len(stale_ids - open_before),
        "resolved": resolved,
    }


@publish_listener
def _listing_published(*, publication: Any, actor: Any) -> None:
    """A new publication of a listing's copy refreshes it: its stale alert closes at once."""
    if publication.kind == DraftKind.LISTING and publication.target is not None:
        alert_resolve(dedupe_key=stale_alert_key(publication.target), actor=actor)
