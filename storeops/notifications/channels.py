"""Message formats and transport: e-mail through Django's mail backend, WeCom/DingTalk robots.

Nothing here writes to the database; `services.delivery_attempt` calls `send` and records the
outcome. A failure is a `DeliveryFailed` whose message is safe to store and show: the webhook's
query string (the robot's access key) and the signing secret never appear in it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from storeops.core import clock, crypto
from storeops.notifications.enums import ChannelKind, Severity

TIMEOUT_SECONDS = 10
ERROR_MAX = 500
# Mainland mobile numbers: group chats never see them in clear (PIPL).
PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


class DeliveryFailed(Exception):
    """The message did not arrive; `str()` is safe to store and show."""


@dataclass(frozen=True)
class Message:
    title: str
    severity: str
    body: str = ""
    url: str = ""  # a site-relative link to the object; made absolute with STOREOPS_BASE_URL


def mask_phones(text: str) -> str:
    return PHONE.sub(r"\1****\2", text)


def absolute_link(url: str) -> str:
    """The link as the recipient can open it: only site-relative links, and only with a base URL."""
    base = getattr(settings, "STOREOPS_BASE_URL", "")
    if not base or not url.startswith("/") or url.startswith("//"):
        return ""
    return base.rstrip("/") + url


def webhook_display(url: str) -> str:
    """The webhook without its query string (where the robot's access key sits)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    if port:
        host = f"{host}:{port}"
    shown = urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))  # no user:password@
    return shown + ("?…" if parts.query else "")


def _severity_label(severity: str) -> str:
    try:
        return str(Severity(severity).label)
    except ValueError:
        return severity


def robot_markdown(message: Message) -> str:
    lines = [f"### 【{_severity_label(message.severity)}】{mask_phones(message.title)}"]
    if message.body:
        lines.append(mask_phones(message.body))
    link = absolute_link(message.url)
    if link:
        lines.append(f"[{_('查看详情')}]({link})")
    return "\n\n".join(lines)


def robot_payload(kind: str, message: Message) -> dict:
    text = robot_markdown(message)
    if kind == ChannelKind.DINGTALK:
        title = f"【{_severity_label(message.severity)}】{mask_phones(message.title)}"
        return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
    return {"msgtype": "markdown", "markdown": {"content": text}}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: base64 HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_url(url: str, secret: str) -> str:
    timestamp_ms = int(clock.now().timestamp() * 1000)
    query = urllib.parse.urlencode(
        {"timestamp": timestamp_ms, "sign": dingtalk_sign(secret, timestamp_ms)}
    )
    return f"{url}{'&' if '?' in url else '?'}{query}"


def _scrub(text: str, *secrets: str) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[已隐藏]")
    return text[:ERROR_MAX]


def robot_send(
    *, kind: str, webhook_encrypted: str, secret_encrypted: str, message: Message
) -> None:
    """POST the markdown message; success is HTTP 2xx with JSON errcode 0, anything else fails."""
    try:
        webhook = crypto.decrypt(webhook_encrypted)
        secret = crypto.decrypt(secret_encrypted) if secret_encrypted else ""
    except crypto.InvalidToken as exc:
        raise DeliveryFailed(_("无法解密渠道配置（加密密钥不符）")) from exc
    hidden = [webhook, urllib.parse.urlsplit(webhook).query, secret]
    target = signed_url(webhook, secret) if kind == ChannelKind.DINGTALK and secret else webhook
    hidden.append(urllib.parse.urlsplit(target).query)
    with translation.override(settings.LANGUAGE_CODE):
        body = json.dumps(robot_payload(kind, message), ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 -- an administrator's http(s) webhook
        target,
        data=body,
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            raw = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise DeliveryFailed(_scrub(f"HTTP {exc.code} {exc.reason}", *hidden)) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryFailed(
            _scrub(f"{_('连接失败')}: {type(exc).__name__}: {reason}", *hidden)
        ) from None
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise DeliveryFailed(_scrub(f"{_('应答不是 JSON')}: {raw[:200]!r}", *hidden)) from None
    errcode = answer.get("errcode") if isinstance(answer, dict) else None
    if errcode != 0:
        errmsg = answer.get("errmsg", "") if isinstance(answer, dict) else ""
        raise DeliveryFailed(_scrub(f"errcode={errcode} {errmsg}", *hidden))


def email_send(*, address: str, language: str, message: Message) -> None:
    if not address:
        raise DeliveryFailed(_("收件人没有邮箱地址"))
    with translation.override(language or settings.LANGUAGE_CODE):
        severity = _severity_label(message.severity)
        subject = f"【{severity}】{message.title}"
        lines = [message.title, f"{_('级别')}: {severity}"]
        if message.body:
            lines += ["", message.body]
        link = absolute_link(message.url)
        if link:
            lines += ["", f"{_('查看详情')}: {link}"]
        text = "\n".join(lines)
    try:
        send_mail(subject.replace("\n", " ")[:200], text, None, [address], fail_silently=False)
    except Exception as exc:  # any backend error (SMTP, DNS, TLS) is a failed attempt
        raise DeliveryFailed(
            _scrub(f"{_('邮件发送失败')}: {type(exc).__name__}: {exc}", address)
        ) from None
