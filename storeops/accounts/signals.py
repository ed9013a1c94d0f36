"""After `migrate`: create the roles and apply the default grants of new permission codenames."""

from typing import Any


def sync_roles_after_migrate(sender: Any, **kwargs: Any) -> None:
    from storeops.accounts.services import role_sync_defaults

    role_sync_defaults()
