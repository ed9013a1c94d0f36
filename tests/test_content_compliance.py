"""The real compliance scan on submit: findings stored on the revision and returned by GET."""

from __future__ import annotations

from storeops.content.models import ReleaseDraft


def test_submit_scans_with_the_compliance_lists_and_get_returns_findings(api_as, demo):
    writer = api_as(demo["qihua"])
    draft_id = writer.post(
        "/api/v1/content/drafts",
        {
            "store": "tb-main",
            "kind": "blog",
            "title": "新品上市",
            "body": "这是全网最好的保温杯",
            "priority": "important",
            "target": None,
        },
    ).json()["id"]

    writer.post(f"/api/v1/content/drafts/{draft_id}/submit")
    body = writer.get(f"/api/v1/content/drafts/{draft_id}").json()

    blocking = [f for f in body["compliance"] if f["severity"] == "block"]
    assert blocking
    finding = blocking[0]
    assert {"rule", "severity", "text", "start", "end", "message"} <= set(finding)
    assert "最好" in finding["text"]
    assert "这是全网最好的保温杯"[finding["start"] : finding["end"]] == finding["text"]
    refused = api_as(demo["jingli"]).post(
        f"/api/v1/content/drafts/{draft_id}/approve", {"comment": "同意"}
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "compliance.override_required"
    assert ReleaseDraft.objects.get(pk=draft_id).status == "submitted"


def test_clean_copy_has_no_findings(api_as, demo):
    writer = api_as(demo["qihua"])
    draft_id = writer.post(
        "/api/v1/content/drafts",
        {
            "store": "tb-main",
            "kind": "blog",
            "title": "新品上市",
            "body": "双层不锈钢，保温十二小时",
        },
    ).json()["id"]

    submitted = writer.post(f"/api/v1/content/drafts/{draft_id}/submit").json()

    assert [f for f in submitted["compliance"] if f["severity"] == "block"] == []
