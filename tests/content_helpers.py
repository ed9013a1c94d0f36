"""Helpers for the content tests: a stand-in compliance scanner with one `block` rule."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from storeops.content import selectors as content_selectors


@dataclass
class FakeFinding:
    rule: str
    severity: str
    text: str
    start: int
    end: int
    message: str

    def as_dict(self):
        return {
            "rule": self.rule,
            "severity": self.severity,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "message": self.message,
        }


def fake_scan(text, *, context=None):
    found = []
    for word, severity in (("最好", "block"), ("仅需", "warn")):
        start = text.find(word)
        if start >= 0:
            found.append(
                FakeFinding("ad_law.absolute", severity, word, start, start + len(word), "极限词")
            )
    return found


@pytest.fixture
def scanner(monkeypatch):
    """Content's own logic under test, independent of the compliance app's word lists."""
    monkeypatch.setattr(content_selectors, "compliance_scan", fake_scan)
    monkeypatch.setattr(content_selectors, "ScanContext", lambda **kw: kw)
    return fake_scan
