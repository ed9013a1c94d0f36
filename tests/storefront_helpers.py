"""Helpers for the storefront tests: pages published through content, a PNG mock-up."""

from __future__ import annotations

import io

from PIL import Image

from storeops.content.services import draft_approve, draft_create, draft_publish, draft_submit


def png_bytes(colour=(200, 60, 60), size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def publish_page(page, *, writer, approver, title="页面文案", body="新版页面内容", steps=None):
    """Write, submit, approve (each approver in `steps`, or `approver`) and publish a page draft."""
    draft = draft_create(
        actor=writer,
        store=page.store,
        kind=page.kind,
        title=title,
        body=body,
        priority="general",
        target=page.pk,
    )
    draft_submit(actor=writer, draft=draft)
    for person in steps or [approver]:
        draft = draft_approve(actor=person, draft=draft, comment="同意")
    return draft_publish(actor=writer, draft=draft)
