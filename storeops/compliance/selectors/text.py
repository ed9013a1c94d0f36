"""Normalising copy for matching while keeping the way back to the original offsets.

Chinese has no word boundaries and users type full-width forms (１００％, ＴＯＰ１): every character
is folded with NFKC + casefold, and every character of the folded text remembers the index of the
original character it came from, so a finding's `start`/`end` index the text the user wrote.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


def fold(text: str) -> str:
    """How a term or whitelist entry is stored and compared (per character, as the scan folds)."""
    return fold_with_offsets(text).text


_FOLD_CACHE: dict[str, str] = {}


def _fold_char(ch: str) -> str:
    folded = _FOLD_CACHE.get(ch)
    if folded is None:
        folded = unicodedata.normalize("NFKC", ch).casefold()
        if len(_FOLD_CACHE) < 100_000:
            _FOLD_CACHE[ch] = folded
    return folded


@dataclass(frozen=True)
class Folded:
    text: str  # the folded text the matchers run on
    origin: tuple[int, ...] | None  # folded index → original index; None when the same

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original [start, end) of the folded [start, end) (end exclusive, end > start)."""
        if self.origin is None:
            return start, end
        return self.origin[start], self.origin[end - 1] + 1


def fold_with_offsets(text: str) -> Folded:
    """Fast path: when every distinct character folds to exactly one character (nearly always),
    `str.translate` does the work in C and offsets are unchanged; otherwise build the index map."""
    table: dict[int, str] = {}
    same_length = True
    for ch in set(text):
        folded = _fold_char(ch)
        if len(folded) != 1:
            same_length = False
            break
        if folded != ch:
            table[ord(ch)] = folded
    if same_length:
        return Folded(text.translate(table) if table else text, None)
    parts: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        folded = _fold_char(ch)
        parts.append(folded)
        origin.extend([index] * len(folded))
    return Folded("".join(parts), tuple(origin))
