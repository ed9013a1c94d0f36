"""After `migrate`: create the roles and apply the default grants of new permission codenames.
Any write to a token, user, role, store or permission row drops the cached token grants."""

from typing import Any

from storeops.accounts.models import ApiToken, User
from storeops.accounts.selectors import token_cache_changed


def sync_roles_after_migrate(sender: Any, **kwargs: Any) -> None:
    from storeops.accounts.services import role_sync_defaults

    role_sync_defaults()


def access_changed(sender: Any, instance: Any = None, **kwargs: Any) -> None:
    """post_save / post_delete / m2m_changed: a user's own row or token drops that user's grants;
    a role, permission, store or membership change drops them all (superusers see every store)."""
    if kwargs.get("action", "post_").startswith("pre_"):
        return  # m2m_changed fires before and after; after is enough (and once per change)
    if sender is User and instance is not None:
        token_cache_changed(user_id=instance.pk)
    elif sender is ApiToken and instance is not None:
        token_cache_changed(user_id=instance.user_id)
    else:
        token_cache_changed()
