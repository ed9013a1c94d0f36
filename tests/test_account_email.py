"""A user sets the e-mail address their notifications go to (personal settings page)."""

import pytest
from django.core import mail

from storeops.accounts.models import User
from storeops.audit.models import AuditEvent
from storeops.notifications.services import alert_raise

pytestmark = pytest.mark.django_db


def test_user_sets_own_email_on_the_settings_page_and_it_is_audited(client, demo):
    kefu = demo["kefu"]
    client.force_login(kefu)
    page = client.get("/account/")
    assert "通知邮箱" in page.content.decode()

    response = client.post("/account/email/", {"email": "kefu.new@example.com"}, follow=True)

    assert "邮箱已保存" in response.content.decode()
    assert User.objects.get(pk=kefu.pk).email == "kefu.new@example.com"
    event = AuditEvent.objects.filter(
        action="accounts.user.set_email", object_id=str(kefu.pk)
    ).last()
    assert event.after == {"email": "[已隐藏]"}  # personal data stays out of the audit log
    assert event.actor_id == kefu.pk


def test_bad_email_is_refused_and_nothing_changes(client, demo):
    kefu = demo["kefu"]
    before = User.objects.get(pk=kefu.pk).email
    client.force_login(kefu)

    response = client.post("/account/email/", {"email": "not-an-address"}, follow=True)

    assert "邮箱地址无效" in response.content.decode()
    assert User.objects.get(pk=kefu.pk).email == before


def test_alerts_go_to_the_address_the_user_set(client, demo, django_capture_on_commit_callbacks):
    kefu = demo["kefu"]
    client.force_login(kefu)
    client.post("/account/email/", {"email": "kefu.inbox@example.com"})

    with django_capture_on_commit_callbacks(execute=True):
        alert_raise(kind="test.email", title="邮箱测试", recipients=[User.objects.get(pk=kefu.pk)])

    assert [m.to for m in mail.outbox if m.subject.endswith("邮箱测试")] == [
        ["kefu.inbox@example.com"]
    ]


def test_clearing_email_is_allowed(client, demo):
    cangku = demo["cangku"]
    client.force_login(cangku)
    client.post("/account/email/", {"email": ""})
    assert User.objects.get(pk=cangku.pk).email == ""
