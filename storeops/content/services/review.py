"""Review duties (R3.1, R4.1): 运营 flags a live description as inaccurate at any time; an
important correction draft for that page opens at once, owned by whoever keeps the page."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from storeops.audit.services import audit_record
from storeops.content.enums import OPEN_STATUSES, Priority
from storeops.content.models import Publication, PublicationFlag
from storeops.content.permissions import ContentPerm
from storeops.content.selectors import correction_owner
from storeops.content.services.drafts import MAX_REASON, draft_insert
from storeops.core import clock
from storeops.core.errors import Conflict
from storeops.core.permissions import require
from storeops.core.text import clean_text
from storeops.notifications.services import notify


@transaction.atomic
def publication_flag(*, actor: Any, publication: Publication, reason: str) -> PublicationFlag:
    """Flag a live page. The correction draft starts from the live text with `important`
    priority, so its 12-hour clock (R4.2) runs from the flag. A second flag while that draft
    is still open joins it instead of opening another one."""
    require(actor, ContentPerm.FLAG_PUBLICATION, store=publication.store)
    reason = clean_text(reason, field="reason", required=True, limit=MAX_REASON)
    publication = (
        Publication.objects.select_for_update(of=("self",))
        .select_related("store", "revision", "draft", "draft__owner")
        .get(pk=publication.pk)
    )
    if not publication.is_live:
        raise Conflict("publication.not_live", _("这一版本已不在线上，请标记当前在线的版本"))
    open_flag = (
        publication.flags.select_related("correction_draft")
        .filter(correction_draft__status__in=OPEN_STATUSES)
        .first()
    )
    if open_flag is not None:
        draft = open_flag.correction_draft
        owner = draft.owner
    else:
        owner = correction_owner(publication)
        if owner is None:
            raise Conflict("flag.no_owner", _("该店铺没有企划人员，无法安排纠错稿件"))
        revision = publication.revision
        draft = draft_insert(
            actor=actor,
            store=publication.store,
            kind=publication.kind,
            title=revision.title,
            body=revision.body,
            priority=Priority.IMPORTANT,
            target=publication.target,
            intake=None,
            price=None,
            owner=owner,
        )
        audit_record(
            actor=actor,
            action="content.draft.create",
            obj=draft,
            store=draft.store,
            after={
                "kind": draft.kind,
                "target": draft.target,
                "priority": draft.priority,
                "owner": owner.pk,
                "correction_of": publication.pk,
                "sla_deadline": draft.sla_deadline.isoformat(),
            },
        )
    flag = PublicationFlag.objects.create(
        publication=publication,
        store=publication.store,
        reason=reason,
        flagged_by=actor,
        flagged_at=clock.now(),
        correction_draft=draft,
    )
    audit_record(
        actor=actor,
        action="content.publication.flag",
        obj=flag,
        store=publication.store,
        after={
            "publication": publication.pk,
            "reason": reason,
            "correction_draft": draft.pk,
            "owner": owner.pk,
        },
    )
    notify(
        kind="content.publication_flagged",
        title=_("线上描述被标记为不准确：%(title)s") % {"title": publication.revision.title},
        body=_("%(who)s：%(reason)s（纠错稿件须在 %(due)s 前发布）")
        % {
            "who": actor,
            "reason": reason,
            "due": clock.local(draft.sla_deadline).strftime("%Y-%m-%d %H:%M"),
        },
        recipients=[owner],
        url=reverse("content:draft_detail", args=[draft.pk]),
        store=publication.store,
    )
    return flag
