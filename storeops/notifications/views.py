"""Pages of the notifications app: my inbox, robot channels and deliveries (系统管理员)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from storeops.core.access import authenticated, requires
from storeops.core.api import PAGE_DEFAULT, keyset_page
from storeops.core.errors import DomainError
from storeops.notifications import selectors, services
from storeops.notifications.enums import DeliveryStatus
from storeops.notifications.forms import ChannelForm, DeliveryFilterForm
from storeops.notifications.permissions import NotificationPerm


def _page(request: HttpRequest, queryset):
    try:
        return keyset_page(queryset, cursor=request.GET.get("cursor") or None, limit=PAGE_DEFAULT)
    except DomainError:
        return [], None


def _inbox_url(request: HttpRequest) -> str:
    url = reverse("notifications:inbox")
    return url + "?filter=unread" if request.POST.get("filter") == "unread" else url


# --- my inbox -------------------------------------------------------------------------------------
@authenticated
def inbox_view(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("filter") == "unread"
    items, next_cursor = _page(
        request, selectors.inbox_list(actor=request.user, unread_only=unread_only)
    )
    return render(
        request,
        "notifications/inbox.html",
        {"items": items, "next_cursor": next_cursor, "unread_only": unread_only},
    )


@authenticated
@require_POST
def notification_open_view(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark read and go to the object; only links within this site are followed."""
    notification = selectors.notification_get_for_change(
        actor=request.user, notification_id=notification_id
    )
    services.notification_mark_read(actor=request.user, notification=notification)
    return redirect(selectors.safe_local_url(notification.url) or reverse("notifications:inbox"))


@authenticated
@require_POST
def notification_read_view(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = selectors.notification_get_for_change(
        actor=request.user, notification_id=notification_id
    )
    services.notification_mark_read(actor=request.user, notification=notification)
    return redirect(_inbox_url(request))


@authenticated
@require_POST
def notification_read_all_view(request: HttpRequest) -> HttpResponse:
    count = services.notification_mark_all_read(actor=request.user)
    messages.success(request, _("已将 %(count)d 条通知标为已读") % {"count": count})
    return redirect(_inbox_url(request))


# --- robot channels -------------------------------------------------------------------------------
@requires(NotificationPerm.MANAGE_CHANNEL)
def channel_list_view(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "notifications/channel_list.html",
        {"channels": selectors.channel_list(actor=request.user)},
    )


@requires(NotificationPerm.MANAGE_CHANNEL)
def channel_create_view(request: HttpRequest) -> HttpResponse:
    form = ChannelForm(request.POST or None, creating=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.channel_create(
                actor=request.user,
                name=data["name"],
                kind=data["kind"],
                webhook_url=data["webhook_url"],
                secret=data["secret"],
                min_severity=data["min_severity"],
                alert_kinds=data["alert_kinds"],
                store=data["store"],
                is_active=data["is_active"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("通知渠道已创建"))
            return redirect("notifications:channel_list")
    return render(request, "notifications/channel_form.html", {"form": form, "creating": True})


@requires(NotificationPerm.MANAGE_CHANNEL)
def channel_edit_view(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = selectors.channel_get_for_change(actor=request.user, channel_id=channel_id)
    initial = {
        "name": channel.name,
        "kind": channel.kind,
        "min_severity": channel.min_severity,
        "alert_kinds": ", ".join(channel.alert_kinds),
        "store": channel.store_id,
        "is_active": channel.is_active,
    }
    form = ChannelForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.channel_update(
                actor=request.user,
                channel=channel,
                name=data["name"],
                kind=data["kind"],
                webhook_url=data["webhook_url"],
                secret=data["secret"],
                clear_secret=data["clear_secret"],
                min_severity=data["min_severity"],
                alert_kinds=data["alert_kinds"],
                store=data["store"],
                is_active=data["is_active"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已保存"))
            return redirect("notifications:channel_list")
    return render(request, "notifications/channel_form.html", {"form": form, "channel": channel})


@requires(NotificationPerm.MANAGE_CHANNEL)
@require_POST
def channel_active_view(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = selectors.channel_get_for_change(actor=request.user, channel_id=channel_id)
    is_active = request.POST.get("is_active") == "1"
    services.channel_set_active(actor=request.user, channel=channel, is_active=is_active)
    messages.success(request, _("渠道已启用") if is_active else _("渠道已停用"))
    return redirect("notifications:channel_list")


@requires(NotificationPerm.MANAGE_CHANNEL)
@require_POST
def channel_test_view(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = selectors.channel_get_for_change(actor=request.user, channel_id=channel_id)
    services.channel_send_test(actor=request.user, channel=channel)
    messages.success(request, _("测试消息已排队发送，结果见投递记录"))
    return redirect("notifications:channel_list")


# --- deliveries -----------------------------------------------------------------------------------
@requires(NotificationPerm.MANAGE_CHANNEL)
def delivery_list_view(request: HttpRequest) -> HttpResponse:
    form = DeliveryFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    deliveries, next_cursor = _page(
        request, selectors.delivery_list(actor=request.user, status=status)
    )
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(
        request,
        "notifications/delivery_list.html",
        {
            "form": form,
            "status": status,
            "statuses": DeliveryStatus.choices,
            "deliveries": deliveries,
            "next_cursor": next_cursor,
            "query": query.urlencode(),
        },
    )


@requires(NotificationPerm.MANAGE_CHANNEL)
@require_POST
def delivery_retry_view(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = selectors.delivery_get_for_change(actor=request.user, delivery_id=delivery_id)
    try:
        services.delivery_retry(actor=request.user, delivery=delivery)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已重新排队发送"))
    return redirect(reverse("notifications:delivery_list") + "?status=failed")
