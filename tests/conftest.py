"""Personas and clients shared by every test: the demo company's users, stores and API tokens."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django.plugin import blocking_manager_key

from storeops.accounts.models import Role, Store, User
from storeops.accounts.services import token_create, user_create
from storeops.core.roles import RoleCode
from storeops.demo.services import demo_seed

PASSWORD = "test-pass-123"


_SEEDED = {"ready": False}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The demo company is seeded once per test database, not once per test (seeding calls every
    app's services and takes seconds); each test runs in a transaction that is rolled back."""
    with django_db_blocker.unblock():
        demo_seed(password=PASSWORD)
    _SEEDED["ready"] = True


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """A transactional test (threads, live server) empties the tables when it ends: seed again,
    committed, before the next test opens its transaction."""
    if not _SEEDED["ready"]:
        return
    with item.config.stash[blocking_manager_key].unblock():
        if not User.objects.filter(username="admin").exists():
            demo_seed(password=PASSWORD)


@pytest.fixture
def demo(db):
    """The demo company: 6 stores, one user per role, plus kefu_jd (jd-main only)."""
    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def stores(demo):
    return {s.code: s for s in Store.objects.all()}


def _persona(name):
    @pytest.fixture
    def persona(demo):
        return demo[name]

    persona.__name__ = name
    return persona


admin = _persona("admin")
yunying = _persona("yunying")
kefu = _persona("kefu")
kefu_jd = _persona("kefu_jd")
cangku = _persona("cangku")
caiwu = _persona("caiwu")
shenji = _persona("shenji")
jingli = _persona("jingli")


@pytest.fixture
def shenji_jd(stores):
    """An auditor (审计) who works in jd-main only: the other stores' audit events are not theirs."""
    return user_create(
        actor=None,
        username="shenji_jd",
        password=PASSWORD,
        first_name="京东审计",
        roles=[Role.objects.get(code=RoleCode.AUDITOR)],
        stores=[stores["jd-main"]],
    )


class ApiClient:
    """A Django test client that sends `Authorization: Bearer <token>` and JSON."""

    def __init__(self, token: str | None = None) -> None:
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

    def get(self, path, **params):
        return self.client.get(path, params, **self.headers)

    def post(self, path, payload=None, **extra):
        return self.client.post(
            path, payload or {}, content_type="application/json", **self.headers, **extra
        )


@pytest.fixture
def api_as():
    """api_as(user) → a client holding a fresh token of that user; api_as(None) → anonymous."""

    def make(user):
        if user is None:
            return ApiClient()
        _token, raw = token_create(user=user, name="test")
        return ApiClient(raw)

    return make


@pytest.fixture
def web_as():
    """web_as(user) → a browser-like client with a logged-in session."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make
