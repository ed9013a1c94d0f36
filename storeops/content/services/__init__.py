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
from storeops.content.services.drift import DriftResult, drift_check, drift_import
from storeops.content.services.freshness import freshness_check, freshness_obligations_ensure
from storeops.content.services.review import publication_flag

__all__ = [
    "DriftResult",
    "draft_approve",
    "draft_create",
    "draft_publish",
    "draft_reject",
    "draft_submit",
    "draft_update",
    "drift_check",
    "drift_import",
    "freshness_check",
    "freshness_obligations_ensure",
    "intake_create",
    "publication_flag",
    "sla_check",
]
