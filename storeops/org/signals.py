"""After `migrate`: every install has the responsibility matrix (R2.17)."""

from typing import Any


def seed_duties_after_migrate(sender: Any, **kwargs: Any) -> None:
    from storeops.org.services import duty_seed

    duty_seed()
