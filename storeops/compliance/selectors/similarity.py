"""Near-duplicate copy (R3.4): Jaccard similarity of character shingles.

Exact Jaccard over 3-character shingles of the folded text without spaces and punctuation: a store
has hundreds of listings, not millions, so MinHash's approximation would buy nothing here.
"""

from __future__ import annotations

import unicodedata

SHINGLE = 3


def _content(folded: str) -> str:
    return "".join(
        ch for ch in folded if not unicodedata.category(ch).startswith(("P", "Z", "C", "S"))
    )


def shingles(folded: str) -> frozenset[str]:
    text = _content(folded)
    if len(text) < SHINGLE:
        return frozenset({text}) if text else frozenset()
    return frozenset(text[i : i + SHINGLE] for i in range(len(text) - SHINGLE + 1))


def jaccard(left: frozenset[str], right: frozenset[str]) -> float:
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)
