"""Two administrators creating the same store or username at once (PostgreSQL, real threads)."""

import threading

import pytest
from django.db import connection, connections

from storeops.accounts.models import Store, User
from storeops.accounts.services import store_create, user_create
from storeops.core.errors import Conflict

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers: PostgreSQL only")


def race(create, times=2):
    """Run `create` in `times` threads released together; return what each returned or raised."""
    barrier = threading.Barrier(times)
    results = []

    def run():
        barrier.wait(10)
        try:
            results.append(create())
        except Exception as exc:
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_same_store_code_twice_at_once_is_one_store_and_one_conflict():
    results = race(lambda: store_create(actor=None, code="race-shop", platform="jd", name="并发"))
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Store"]
    conflict = next(r for r in results if isinstance(r, Conflict))
    assert conflict.code == "store.code_taken"
    assert Store.objects.filter(code="race-shop").count() == 1


def test_same_username_twice_at_once_is_one_user_and_one_conflict():
    results = race(lambda: user_create(actor=None, username="race-user", password="pw-123456"))
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "User"]
    assert User.objects.filter(username="race-user").count() == 1
