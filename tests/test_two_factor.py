"""Optional TOTP two-factor; a setting makes it mandatory for chosen roles (经理, 系统管理员)."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from storeops.accounts.services import totp_device_confirm, totp_device_start
from storeops.audit.models import AuditEvent
from storeops.core.errors import Invalid
from tests.conftest import PASSWORD


def current_code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    t0 = device.t0 - steps_ahead * device.step
    return f"{totp(device.bin_key, step=device.step, t0=t0, digits=device.digits):06d}"


def fresh_code(device: TOTPDevice) -> str:
    """A code not used yet: django-otp refuses a code of a time step already used (replay)."""
    device.refresh_from_db()
    return current_code(device, steps_ahead=1)


@pytest.fixture
def kefu_with_totp(kefu):
    device = totp_device_start(actor=kefu)
    totp_device_confirm(actor=kefu, code=current_code(device))
    device.refresh_from_db()
    return kefu, device


def test_enabling_totp_needs_a_correct_code_and_is_audited(kefu):
    device = totp_device_start(actor=kefu)
    with pytest.raises(Invalid):
        totp_device_confirm(actor=kefu, code="000000" if current_code(device) != "000000" else "1")
    assert not TOTPDevice.objects.filter(user=kefu, confirmed=True).exists()

    totp_device_confirm(actor=kefu, code=current_code(device))

    assert TOTPDevice.objects.filter(user=kefu, confirmed=True).count() == 1
    assert AuditEvent.objects.filter(action="accounts.totp.enable", actor=kefu).count() == 1


def test_login_form_refuses_password_alone_when_totp_is_on(client, kefu_with_totp):
    _kefu, device = kefu_with_totp
    refused = client.post("/login/", {"username": "kefu", "password": PASSWORD})
    assert refused.status_code == 200
    assert "动态验证码不正确" in refused.content.decode()
    assert client.get("/workbench/").status_code == 302  # still not signed in

    accepted = client.post(
        "/login/", {"username": "kefu", "password": PASSWORD, "otp": fresh_code(device)}
    )
    assert accepted.status_code == 302
    assert accepted.url == "/workbench/"


def test_api_token_needs_the_code_when_totp_is_on(api_as, kefu_with_totp):
    _kefu, device = kefu_with_totp
    anonymous = api_as(None)
    refused = anonymous.post("/api/v1/auth/token", {"username": "kefu", "password": PASSWORD})
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "auth.otp_invalid"

    ok = anonymous.post(
        "/api/v1/auth/token",
        {"username": "kefu", "password": PASSWORD, "otp": fresh_code(device)},
    )
    assert ok.status_code == 200
    replay = anonymous.post(
        "/api/v1/auth/token",
        {"username": "kefu", "password": PASSWORD, "otp": current_code(device, steps_ahead=1)},
    )
    assert replay.status_code == 401  # the same code twice is refused


def test_required_role_must_set_up_totp_before_anything_else(client, jingli, settings):
    settings.STOREOPS_2FA_REQUIRED_ROLES = ["manager", "admin"]
    response = client.post("/login/", {"username": "jingli", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == "/account/2fa/setup/"
    # every other page sends them back to the set-up until a device is confirmed
    blocked = client.get("/workbench/")
    assert blocked.status_code == 302
    assert blocked.url == "/account/2fa/setup/"
    setup = client.get("/account/2fa/setup/")
    assert "<svg" in setup.content.decode()

    device = TOTPDevice.objects.get(user=jingli, confirmed=False)
    done = client.post("/account/2fa/setup/", {"code": current_code(device)})
    assert done.status_code == 302
    assert client.get("/workbench/").status_code == 200


def test_role_without_the_requirement_is_not_asked(client, kefu, settings):
    settings.STOREOPS_2FA_REQUIRED_ROLES = ["manager", "admin"]
    response = client.post("/login/", {"username": "kefu", "password": PASSWORD})
    assert response.url == "/workbench/"
    assert client.get("/workbench/").status_code == 200


def test_api_gives_no_token_to_a_required_role_without_totp(api_as, jingli, settings):
    """The API must not be a way around the mandatory two-factor of the login form."""
    settings.STOREOPS_2FA_REQUIRED_ROLES = ["manager", "admin"]
    tokens_before = jingli.api_tokens.count()
    refused = api_as(None).post("/api/v1/auth/token", {"username": "jingli", "password": PASSWORD})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "auth.totp_setup_required"
    assert jingli.api_tokens.count() == tokens_before
