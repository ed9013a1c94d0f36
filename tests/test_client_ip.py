"""The client address recorded with audit events, directly and behind our own proxies."""

import pytest
from django.test import RequestFactory

from storeops.core.middleware import client_ip


@pytest.fixture
def proxies(settings):
    settings.TRUSTED_PROXIES = frozenset({"10.0.0.5", "10.0.0.6"})


def request_from(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = frozenset()
    assert client_ip(request_from("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_client_is_taken_from_the_header(proxies):
    assert client_ip(request_from("10.0.0.5", "198.51.100.7")) == "198.51.100.7"


def test_a_forged_left_entry_does_not_win(proxies):
    # the client sent "X-Forwarded-For: 1.2.3.4"; nginx appended the real address
    assert client_ip(request_from("10.0.0.5", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"


def test_chained_proxies_are_skipped(proxies):
    assert client_ip(request_from("10.0.0.6", "198.51.100.7, 10.0.0.5")) == "198.51.100.7"


def test_an_untrusted_sender_cannot_set_the_address(proxies):
    assert client_ip(request_from("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


def test_garbage_in_the_header_falls_back_to_the_proxy(proxies):
    assert client_ip(request_from("10.0.0.5", "not-an-ip")) == "10.0.0.5"


@pytest.mark.django_db
def test_audit_event_records_the_forwarded_client(proxies, admin, api_as):
    from storeops.audit.models import AuditEvent
    from tests.conftest import PASSWORD

    client = api_as(None)
    response = client.post(
        "/api/v1/auth/token",
        {"username": "admin", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action="accounts.token.create").latest("id")
    assert event.ip == "198.51.100.7"
