"""Concurrent writers on the org app (PostgreSQL, real threads)."""

import pytest
from django.db import connection

from storeops.accounts.models import Store, User
from storeops.audit.models import AuditEvent
from storeops.core.errors import Conflict
from storeops.demo.services import demo_seed
from storeops.org.models import Duty, StoreCredential
from storeops.org.services import credential_create, duty_update
from tests.concurrency import race
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers: PostgreSQL only")


def test_two_admins_saving_the_same_credential_name_get_one_and_a_conflict():
    demo_seed(password=PASSWORD)
    admin = User.objects.get(username="admin")
    store = Store.objects.get(code="pdd-main")

    def create():
        return credential_create(
            actor=User.objects.get(pk=admin.pk),
            store=store,
            name="拼多多主账号",
            login="a",
            secret="s3cret-xyz",
        )

    results = race(create, create)
    assert sum(isinstance(r, StoreCredential) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert StoreCredential.objects.filter(store=store, name="拼多多主账号").count() == 1


def test_two_managers_assigning_one_duty_are_serialised_and_both_audited():
    demo_seed(password=PASSWORD)
    duty = Duty.objects.get(item="企业博客")
    jingli = User.objects.get(username="jingli")
    admin = User.objects.get(username="admin")

    def assign(actor_id, owner_name):
        return lambda: duty_update(
            actor=User.objects.get(pk=actor_id),
            duty=duty,
            owner=User.objects.get(username=owner_name),
        )

    results = race(assign(jingli.pk, "qihua"), assign(admin.pk, "yunying"))
    assert all(isinstance(r, Duty) for r in results), results
    events = list(
        AuditEvent.objects.filter(action="org.duty.update", object_id=str(duty.pk)).order_by("id")
    )
    events = events[-2:]
    assert events[0].before["owner"] is None
    assert events[1].before["owner"] == events[0].after["owner"]  # the second saw the first
    duty.refresh_from_db()
    assert duty.owner.username == events[1].after["owner"]
