"""A NUL character in any text input is refused once, at the door, naming the field — for pages
and API alike (PostgreSQL cannot store one); uploaded files are not text and pass."""

import json

import pytest

from storeops.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_api_json_body_with_nul_is_422_naming_the_field(client, demo):
    client.force_login(demo["qihua"])
    before = AuditEvent.objects.count()

    response = client.post(
        "/api/v1/content/drafts",
        data=json.dumps(
            {
                "store": "TM01",
                "kind": "blog",
                "title": "新品\u0000博客",
                "body": "x",
                "priority": "general",
                "target": None,
            }
        ),
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "request.nul_character"
    assert response.json()["error"]["details"] == {"field": "title"}
    assert AuditEvent.objects.count() == before


def test_nested_json_and_query_string_are_checked(client, demo):
    client.force_login(demo["admin"])
    nested = client.post(
        "/api/v1/compliance/scan",
        data=json.dumps({"text": "ok", "context": {"others": ["a", "b\u0000"]}}),
        content_type="application/json",
    )
    assert nested.json()["error"]["details"] == {"field": "context.others[1]"}
    query = client.get("/api/v1/catalog/products?q=%00abc")
    assert query.status_code == 422
    assert query.json()["error"]["details"] == {"field": "q"}


def test_a_literal_backslash_u0000_typed_by_a_user_is_fine(client, demo):
    client.force_login(demo["admin"])
    response = client.post(
        "/api/v1/compliance/scan",
        data=json.dumps({"text": "文案里写着 \\u0000 这几个字"}),
        content_type="application/json",
    )
    assert response.status_code == 200


def test_form_post_with_nul_gets_the_error_page(client, demo):
    client.force_login(demo["kefu"])
    response = client.post("/account/email/", {"email": "a\x00@example.com"})
    assert response.status_code == 422
    assert "空字符" in response.content.decode()


def test_uploaded_file_bytes_may_hold_nul(client, demo):
    client.force_login(demo["admin"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "x.xlsx", b"PK\x03\x04\x00\x00garbage", content_type="application/octet-stream"
    )
    response = client.post("/catalog/import/", {"file": upload})
    assert "空字符" not in response.content.decode()
    assert response.status_code in (200, 302)  # the import page takes it (and judges the file)
