"""Every write on the compliance lists: permission-checked, atomic, audited; each edit moves the
list revision so every process rebuilds its matcher on its next scan."""

from __future__ import annotations

import uuid

from django.db import transaction

from storeops.compliance import defaults
from storeops.compliance.models import ListState, SecretPattern, Term, WhitelistEntry
from storeops.compliance.selectors.text import fold
from storeops.core import clock


def _lists_changed() -> None:
    """Inside the editing transaction: a new revision, committed with the edit or not at all."""
    updated = ListState.objects.filter(pk=1).update(revision=uuid.uuid4().hex)
    if not updated:
        ListState.objects.create(pk=1, revision=uuid.uuid4().hex)


# --- defaults ----------------------------------------------------------------------------------
@transaction.atomic
def compliance_defaults_seed() -> bool:
    """The default lists, once per `defaults.DEFAULTS_VERSION` (run after every migrate): a term
    an administrator deleted or switched off stays so. Returns whether anything was seeded."""
    state = ListState.objects.select_for_update().filter(pk=1).first()
    if state is None:
        state = ListState.objects.create(pk=1, revision=uuid.uuid4().hex)
        state = ListState.objects.select_for_update().get(pk=1)
    if state.defaults_version >= defaults.DEFAULTS_VERSION:
        return False
    now = clock.now()
    Term.objects.bulk_create(
        [
            Term(
                term=term,
                normalised=fold(term),
                category=category,
                severity=severity,
                created_at=now,
                updated_at=now,
            )
            for category, terms in defaults.TERMS.items()
            for term, severity in terms
        ],
        ignore_conflicts=True,
    )
    WhitelistEntry.objects.bulk_create(
        [
            WhitelistEntry(term=word, normalised=fold(word), created_at=now, updated_at=now)
            for word in defaults.WHITELIST
        ],
        ignore_conflicts=True,
    )
    SecretPattern.objects.bulk_create(
        [
            SecretPattern(kind=kind, label=label, pattern=pattern, created_at=now, updated_at=now)
            for kind, label, pattern in defaults.PATTERNS
        ],
        ignore_conflicts=True,
    )
    ListState.objects.filter(pk=1).update(
        defaults_version=defaults.DEFAULTS_VERSION, revision=uuid.uuid4().hex
    )
    return True
