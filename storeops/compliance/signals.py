"""After `migrate` (and after a test flush): the default lists, once per defaults version."""

from typing import Any


def seed_lists_after_migrate(sender: Any, **kwargs: Any) -> None:
    from storeops.compliance.services import compliance_defaults_seed

    compliance_defaults_seed()
