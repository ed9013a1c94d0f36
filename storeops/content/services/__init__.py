"""Every write of the content app: checked, atomic, audited. Split by area; import from here."""

from storeops.content.services.drafts import (
    draft_approve,
    draft_create,
    draft_publish,
    draft_reject,
    draft_submit,
    draft_update,
    intake_create,
    sla_check,
)
from storeops.content.services.freshness import freshness_check, freshness_obligations_ensure
from storeops.content.services.review import publication_flag

__all__ = [
    "draft_approve",
    "draft_create",
    "draft_publish",
    "draft_reject",
    "draft_submit",
    "draft_update",
    "freshness_check",
    "freshness_obligations_ensure",
    "intake_create",
    "publication_flag",
    "sla_check",
]
