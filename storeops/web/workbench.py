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

from storeops.core import clock
from storeops.notifications.selectors import alert_open_for, safe_local_url


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
