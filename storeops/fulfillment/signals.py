from typing import Any


def seed_defaults_after_migrate(sender: Any, **kwargs: Any) -> None:
    from storeops.fulfillment.services import fulfillment_defaults_seed

    fulfillment_defaults_seed()
