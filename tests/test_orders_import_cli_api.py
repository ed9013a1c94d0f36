"""import-orders (output and exit codes), the import API with store scoping, erase-customer."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from storeops.audit.models import AuditEvent
from storeops.orders.enums import OrderEventKind
from storeops.orders.models import Order, OrderImport
from storeops.orders.services.erase import buyer_pseudonym

FIXTURES = Path(__file__).parent / "fixtures" / "orders"
PAIR = [
    str(FIXTURES / "taobao_v1_ExportOrderList.csv"),
    str(FIXTURES / "taobao_v1_ExportOrderDetailList.csv"),
]
INVALID = [
    str(FIXTURES / "taobao_invalid_ExportOrderList.csv"),
    str(FIXTURES / "taobao_invalid_ExportOrderDetailList.csv"),
]


def cli(*args):
    out = io.StringIO()
    try:
        call_command("import-orders", *args, stdout=out, stderr=io.StringIO())
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def test_cli_json_output_and_exit_0_when_applied(demo, stores):
    status, out = cli("--store", "tb-main", "--user", "kefu", "--json", *PAIR)

    assert status == 0
    assert json.loads(out) == {
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "errors": [],
    }
    status, out = cli("--store", "tb-main", "--user", "kefu", "--json", *PAIR)
    assert (status, json.loads(out)["unchanged"]) == (0, 5)


def test_cli_exit_1_with_row_errors_and_nothing_written(demo, stores):
    status, out = cli("--store", "tb-main", "--json", *INVALID)

    body = json.loads(out)
    assert status == 1
    assert (body["created"], body["rejected"]) == (0, 4)
    assert {"line", "field", "message", "file"} <= set(body["errors"][0])
    assert not Order.objects.filter(platform_order_no="3100000000000000101").exists()


def test_cli_skip_invalid_applies_valid_orders(demo, stores):
    status, out = cli("--store", "tb-main", "--json", "--skip-invalid", *INVALID)

    assert status == 0
    assert json.loads(out)["created"] == 1


def test_cli_human_output_and_file_level_error(demo, stores):
    status, out = cli("--store", "tb-main", PAIR[0])

    assert status == 1
    assert "已拒绝" in out
    assert "宝贝报表" in out


def test_cli_unknown_store_is_rejected(demo):
    status, out = cli("--store", "nope", "--json", *PAIR)
    assert status == 1
    assert json.loads(out)["errors"][0]["line"] == 0


def upload(client, token, store, paths, **form):
    handles = [open(p, "rb") for p in paths]  # noqa: SIM115 — closed below
    try:
        return client.post(
            "/api/v1/orders/imports",
            {"store": store, "files": handles, **form},
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
    finally:
        for handle in handles:
            handle.close()


@pytest.fixture
def token_of():
    from storeops.accounts.services import token_create

    def make(user):
        return token_create(user=user, name="test")[1]

    return make


def test_api_import_answers_201_with_the_result_and_the_record(kefu, stores, token_of):
    response = upload(Client(), token_of(kefu), "tb-main", PAIR)

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["created"], body["status"], body["store"]) == (5, "applied", "tb-main")
    assert [f["name"] for f in body["files"]] == [Path(p).name for p in PAIR]
    got = Client().get(
        f"/api/v1/orders/imports/{body['id']}", HTTP_AUTHORIZATION=f"Bearer {token_of(kefu)}"
    )
    assert got.status_code == 200
    assert got.json()["created"] == 5
    assert got.json()["imported_by"] == "kefu"


def test_api_rejected_file_is_422_with_the_row_errors(kefu, stores, token_of):
    response = upload(Client(), token_of(kefu), "tb-main", INVALID)

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "import.rejected"
    assert error["details"]["rejected"] == 4
    assert OrderImport.objects.get(pk=error["details"]["id"]).status == "rejected"


def test_api_store_scoping(demo, stores, token_of):
    kefu_jd = demo["kefu_jd"]  # works in jd-main only
    response = upload(Client(), token_of(kefu_jd), "tb-main", PAIR)
    assert response.status_code == 404
    assert not Order.objects.filter(
        store=stores["tb-main"], platform_order_no__startswith="31000000000000000"
    ).exists()

    own = upload(Client(), token_of(demo["kefu"]), "tb-main", PAIR).json()["id"]
    other = Client().get(
        f"/api/v1/orders/imports/{own}", HTTP_AUTHORIZATION=f"Bearer {token_of(kefu_jd)}"
    )
    assert other.status_code == 404
    denied = upload(Client(), token_of(demo["cangku"]), "tb-main", PAIR)
    assert denied.status_code == 403


def test_api_bad_format_and_no_token(kefu, stores, token_of):
    assert upload(Client(), token_of(kefu), "tb-main", PAIR, format="xml").status_code == 422
    assert Client().post("/api/v1/orders/imports", {"store": "tb-main"}).status_code == 401


def test_erase_customer_removes_personal_data_and_keeps_the_orders(demo, stores):
    cli("--store", "tb-main", "--json", *PAIR)
    store = stores["tb-main"]
    order = Order.objects.get(store=store, platform_order_no="3100000000000000011")
    out = io.StringIO()

    call_command(
        "erase-customer",
        "--store",
        "tb-main",
        "--buyer",
        "小王爱喝水",
        "--user",
        "jingli",
        stdout=out,
    )

    order.refresh_from_db()
    assert "1 个订单" in out.getvalue()
    assert (order.receiver_name, order.receiver_phone, order.receiver_phone_last4) == ("", "", "")
    assert (order.receiver_street, order.receiver_address, order.buyer_message) == ("", "", "")
    assert order.buyer_nick == buyer_pseudonym(store, "小王爱喝水")
    assert order.receiver_province == "浙江省"
    assert str(order.paid_amount) == "158.00"
    assert order.lines.count() == 2
    assert order.events.filter(kind=OrderEventKind.ERASED).exists()
    event = AuditEvent.objects.filter(action="orders.buyer.erase").latest("id")
    assert "小王爱喝水" not in json.dumps(event.after, ensure_ascii=False) + event.object_repr
    # a newer export does not bring the person back
    call_command(
        "import-orders",
        "--store",
        "tb-main",
        "--json",
        str(FIXTURES / "taobao_v2_ExportOrderList.csv"),
        str(FIXTURES / "taobao_v2_ExportOrderDetailList.csv"),
        stdout=io.StringIO(),
    )
    order.refresh_from_db()
    assert order.status == "shipped"
    assert order.receiver_name == ""


def test_erase_customer_needs_the_permission(demo, stores):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("erase-customer", "--store", "tb-main", "--buyer", "x", "--user", "kefu")


def test_import_page_runs_a_background_job_with_both_taobao_files(
    web_as, kefu, stores, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from storeops.core.models import ImportJob, ImportJobStatus

    client = web_as(kefu)
    assert "订单报表" in client.get("/orders/import/").content.decode()
    uploads = [SimpleUploadedFile(Path(p).name, Path(p).read_bytes()) for p in PAIR]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/orders/import/", {"store": "tb-main", "format": "auto", "files": uploads}
        )
    assert response.status_code == 302
    job = ImportJob.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))
    assert job.status == ImportJobStatus.APPLIED
    assert job.result["created"] == 5
    assert job.store == stores["tb-main"]
    assert OrderImport.objects.filter(store=stores["tb-main"], channel="web").exists()
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "新建 5" in page
