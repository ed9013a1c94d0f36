"""The 工作台's panels: my tasks, approvals waiting for me, alerts.

Each later app adds a provider here (web sits on top and may call any app's selectors); a panel
with nothing to show says so instead of disappearing, so users learn where things will appear.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from storeops.content.selectors import drafts_near_deadline as content_drafts_near_deadline
from storeops.content.selectors import sla_state as content_sla_state
from storeops.core import clock
from storeops.governance.enums import OccurrenceStatus
from storeops.governance.selectors import approval_waiting_for, occurrence_list
from storeops.notifications.selectors import alert_open_for, safe_local_url
from storeops.org.selectors import duties_of, positions_awaiting_ack
from storeops.storefront.selectors import proposals_to_carry_out


@dataclass
class Panel:
    key: str
    title: Any
    empty_text: Any
    rows: list[dict[str, Any]] = field(default_factory=list)


PanelProvider = Callable[[Any], list[dict[str, Any]]]
PROVIDERS: dict[str, list[PanelProvider]] = {"tasks": [], "approvals": [], "alerts": []}
WORKBENCH_ALERTS = 10


def open_alerts(user: Any) -> list[dict[str, Any]]:
    """The open alerts I was told of (R4.3), newest first; each links to its object."""
    inbox = reverse("notifications:inbox")
    return [
        {
            "title": alert.title,
            "url": safe_local_url(alert.url) or inbox,
            "meta": formats.date_format(clock.local(alert.raised_at), "SHORT_DATETIME_FORMAT"),
            "severity": alert.severity,
        }
        for alert in alert_open_for(actor=user)[:WORKBENCH_ALERTS]
    ]


PROVIDERS["alerts"].append(open_alerts)
WORKBENCH_GOVERNANCE_ROWS = 10


def approvals_waiting(user: Any) -> list[dict[str, Any]]:
    """Approvals whose current step I may decide (R5.1), newest first."""
    return [
        {
            "title": approval.title,
            "url": reverse("governance:approval_detail", args=[approval.pk]),
            "meta": f"{approval.requested_by} · "
            + formats.date_format(clock.local(approval.requested_at), "SHORT_DATETIME_FORMAT"),
        }
        for approval in approval_waiting_for(user).order_by("-id")[:WORKBENCH_GOVERNANCE_ROWS]
    ]


def obligations_due(user: Any) -> list[dict[str, Any]]:
    """My open and overdue periodic duties (R3.2, R3.3), the most urgent first."""
    rows = []
    unfinished = [OccurrenceStatus.OVERDUE, OccurrenceStatus.OPEN]
    found = occurrence_list(actor=user).filter(status__in=unfinished).order_by("due_at")
    for occurrence in found[:WORKBENCH_GOVERNANCE_ROWS]:
        due = formats.date_format(clock.local(occurrence.due_at), "SHORT_DATETIME_FORMAT")
        rows.append(
            {
                "title": occurrence.obligation.title,
                "url": reverse("governance:occurrence_complete", args=[occurrence.pk]),
                "meta": (
                    _("已逾期（%(due)s）")
                    if occurrence.status == OccurrenceStatus.OVERDUE
                    else _("截止 %(due)s")
                )
                % {"due": due},
                "severity": "critical" if occurrence.status == OccurrenceStatus.OVERDUE else "",
            }
        )
    return rows


PROVIDERS["approvals"].append(approvals_waiting)
PROVIDERS["tasks"].append(obligations_due)


def positions_to_acknowledge(user: Any) -> list[dict[str, Any]]:
    """R2.6: the duties and pay of my position changed (or are new to me): confirm them."""
    return [
        {
            "title": _("请确认岗位职责与薪酬：%(name)s") % {"name": position.name},
            "url": reverse("org:position_detail", args=[position.pk]),
            "meta": _("第 %(v)s 版") % {"v": position.version},
        }
        for position in positions_awaiting_ack(user=user)
    ]


def my_duties(user: Any) -> list[dict[str, Any]]:
    """R2.17 分工负责: the task items of the matrix I am the 责任人 of."""
    url = reverse("org:duty_list")
    return [
        {
            "title": _("我的职责：%(item)s") % {"item": duty.item},
            "url": f"{url}?owner={user.pk}#duty-{duty.pk}",
            "meta": f"{duty.policy_id} {duty.category}",
        }
        for duty in duties_of(user=user)
    ]


PROVIDERS["tasks"].append(positions_to_acknowledge)
PROVIDERS["tasks"].append(my_duties)


def drafts_near_deadline(user: Any) -> list[dict[str, Any]]:
    """R4.2: my unpublished release drafts, nearest publishing deadline first."""
    rows = []
    now = clock.now()
    for draft in content_drafts_near_deadline(user):
        state = content_sla_state(draft, now=now)
        rows.append(
            {
                "title": (
                    _("描述纠错：%(title)s")
                    if getattr(draft, "is_correction", False)
                    else _("发布稿件：%(title)s")
                )
                % {"title": draft.title},
                "url": reverse("content:draft_detail", args=[draft.pk]),
                "meta": f"{draft.get_status_display()} · {state['label']}",
                "severity": "critical" if state["level"] == "breached" else "",
            }
        )
    return rows


PROVIDERS["tasks"].append(drafts_near_deadline)


def redesigns_to_carry_out(user: Any) -> list[dict[str, Any]]:
    """R3.5: approved page redesigns I carry out, nearest due first (done on the proposal's page,
    which records the after version)."""
    now = clock.now()
    return [
        {
            "title": _("改版方案待执行：%(title)s") % {"title": proposal.title},
            "url": reverse("storefront:proposal_detail", args=[proposal.pk]),
            "meta": _("截止 %(due)s")
            % {"due": formats.date_format(clock.local(proposal.due_at), "SHORT_DATETIME_FORMAT")},
            "severity": "critical" if proposal.due_at and proposal.due_at < now else "",
        }
        for proposal in proposals_to_carry_out(user)
    ]


PROVIDERS["tasks"].append(redesigns_to_carry_out)


def workbench_panels(user: Any) -> list[Panel]:
    panels = [
        Panel("tasks", _("我的任务"), _("暂无待办任务")),
        Panel("approvals", _("待我审批"), _("暂无待审批事项")),
        Panel("alerts", _("预警"), _("暂无预警")),
    ]
    for panel in panels:
        for provider in PROVIDERS[panel.key]:
            panel.rows.extend(provider(user))
    return panels
