"""Near-duplicate copy (R3.4): Jaccard similarity of character shingles.

Exact Jaccard over 3-character shingles of the folded text without spaces and punctuation: a store
has hundreds of listings, not millions, so MinHash's approximation would buy nothing here.
"""

from __future__ import annotations

import re
from functools import lru_cache

from storeops.compliance.selectors.text import fold

SHINGLE = 3
_NOT_CONTENT = re.compile(r"[\W_]+")  # spaces, punctuation and symbols: not what makes copy alike


@lru_cache(maxsize=4096)
def shingles(folded: str) -> frozenset[str]:
    """Cached: the same store's other listings are compared again and again."""
    text = _NOT_CONTENT.sub("", folded)
    if len(text) < SHINGLE:
        return frozenset({text}) if text else frozenset()
    return frozenset(text[i : i + SHINGLE] for i in range(len(text) - SHINGLE + 1))


def jaccard(left: frozenset[str], right: frozenset[str]) -> float:
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


@lru_cache(maxsize=4096)
def shingles_of_text(text: str) -> frozenset[str]:
    return shingles(fold(text))
