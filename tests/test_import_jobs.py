"""Background import jobs (core.importjobs): a job per upload, progress readable while the import's
transaction is open, the result and its row errors on the job page, errors as Excel, who may see."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from storeops.catalog.models import Sku
from storeops.core.errors import Forbidden, Invalid
from storeops.core.importjobs import (
    import_job_progress,
    import_job_run,
    import_job_start,
    register_import_kind,
)
from storeops.core.models import ImportJob, ImportJobStatus

pytestmark = pytest.mark.django_db

SEEN: dict = {}


def _slow_runner(job, files, progress):
    """A test kind: reports half-way, then asks what a polling page would see at that moment."""
    from django.test import Client

    progress(5, 10)
    client = Client()
    client.force_login(job.created_by)
    SEEN["page"] = client.get(f"/imports/{job.pk}/progress/").content.decode()
    SEEN["row_done"] = ImportJob.objects.get(pk=job.pk).done
    SEEN["progress"] = import_job_progress(ImportJob.objects.get(pk=job.pk))
    with files[0].open() as handle:
        SEEN["content"] = handle.read()
    progress(10, 10)
    return {"created": 10, "errors": [], "applied": True, "rows": 10}


def _broken_runner(job, files, progress):
    from storeops.catalog import services

    services.product_create(actor=job.created_by, name="半途而废的商品")
    raise RuntimeError("boom")


register_import_kind("tests.slow", _slow_runner, permission="catalog.import_product", label="慢")
register_import_kind(
    "tests.broken", _broken_runner, permission="catalog.import_product", label="坏"
)


def _start_and_run(client, data, capture):
    with capture(execute=True):
        response = client.post("/catalog/import/", data)
    assert response.status_code == 302
    return ImportJob.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))


def test_catalog_import_page_runs_a_job_and_shows_the_result(
    web_as, yunying, django_capture_on_commit_callbacks
):
    client = web_as(yunying)
    good = "商品名称,商家编码,售价\n任务杯,JOB-1,1\n任务杯2,JOB-2,2\n".encode()
    job = _start_and_run(
        client, {"file": SimpleUploadedFile("任务.csv", good)}, django_capture_on_commit_callbacks
    )
    job.refresh_from_db()
    assert job.status == ImportJobStatus.APPLIED
    assert job.filenames == ["任务.csv"]
    assert job.created_by == yunying
    assert job.result["created"] == 2
    assert (job.done, job.total) == (2, 2)
    assert set(
        Sku.objects.filter(merchant_code__startswith="JOB-").values_list("merchant_code", flat=True)
    ) == {"JOB-1", "JOB-2"}
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "已导入" in page
    assert "新建 2，更新 0，未变 0，拒绝 0" in page
    assert 'hx-trigger="every 1s"' not in page  # finished: the page stops polling
    assert "任务.csv" in client.get("/catalog/import/").content.decode()


def test_rejected_file_leaves_the_catalog_unchanged_and_lists_errors(
    web_as, yunying, django_capture_on_commit_callbacks
):
    client = web_as(yunying)
    skus_before = Sku.objects.count()
    bad = "商品名称,商家编码,售价\n杯,REJ-1,1\n杯,坏 编码,1\n杯,REJ-3,abc\n".encode()
    job = _start_and_run(
        client, {"file": SimpleUploadedFile("bad.csv", bad)}, django_capture_on_commit_callbacks
    )
    job.refresh_from_db()
    assert job.status == ImportJobStatus.REJECTED
    assert Sku.objects.count() == skus_before
    assert not Sku.objects.filter(merchant_code="REJ-1").exists()
    assert [(e["line"], e["field"]) for e in job.result["errors"]] == [
        (3, "merchant_code"),
        (4, "price"),
    ]
    page = client.get(f"/imports/{job.pk}/progress/").content.decode()
    assert "已拒绝，未写入任何数据" in page
    assert '<td>3</td><td data-field="merchant_code">商家编码</td>' in page
    response = client.get(f"/imports/{job.pk}/errors.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("行", "列", "问题")
    assert rows[1][:2] == (3, "商家编码")
    assert rows[2][:2] == (4, "售价")


def test_a_file_with_missing_columns_is_rejected_with_the_reason(
    web_as, yunying, django_capture_on_commit_callbacks
):
    job = _start_and_run(
        web_as(yunying),
        {"file": SimpleUploadedFile("x.csv", "名称,价格\n杯,1\n".encode())},
        django_capture_on_commit_callbacks,
    )
    job.refresh_from_db()
    assert job.status == ImportJobStatus.REJECTED
    assert job.result["errors"][0]["line"] == 0
    assert job.result["errors"][0]["message"] == "缺少必需的列：商品名称、商家编码"  # 价格 is 售价


def test_progress_is_readable_while_the_import_is_still_running(
    yunying, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_start(actor=yunying, kind="tests.slow", files=[("a.csv", b"x,y\n1,2\n")])
    job.refresh_from_db()
    # half-way, the row still said 0 done: the polling page read the shared cache
    assert SEEN["row_done"] == 0
    assert SEEN["progress"] == {"done": 5, "total": 10, "percent": 50}
    assert "5 / 10 行" in SEEN["page"]
    assert "so-w-50" in SEEN["page"]
    assert 'hx-trigger="every 1s"' in SEEN["page"]  # still running: keeps polling
    assert SEEN["content"] == b"x,y\n1,2\n"  # the runner read the stored upload
    assert job.status == ImportJobStatus.APPLIED
    assert import_job_progress(job) == {"done": 10, "total": 10, "percent": 100}


def test_a_queued_job_shows_an_empty_bar_and_polls(web_as, yunying):
    job = import_job_start(actor=yunying, kind="tests.slow", files=[("a.csv", b"1")])
    page = web_as(yunying).get(f"/imports/{job.pk}/").content.decode()
    assert "排队中" in page
    assert 'hx-trigger="every 1s"' in page


def test_a_job_runs_once_even_when_delivered_twice(yunying, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_start(actor=yunying, kind="tests.slow", files=[("a.csv", b"1")])
    assert import_job_run(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.status == ImportJobStatus.APPLIED


def test_a_crashing_import_fails_and_writes_nothing(yunying, django_capture_on_commit_callbacks):
    from storeops.catalog.models import Product

    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_start(actor=yunying, kind="tests.broken", files=[("a.csv", b"1")])
    job.refresh_from_db()
    assert job.status == ImportJobStatus.FAILED
    assert "系统错误" in job.error
    assert not Product.objects.filter(name="半途而废的商品").exists()


def test_starting_needs_the_kinds_permission(kefu):
    before = ImportJob.objects.count()
    with pytest.raises(Forbidden):
        import_job_start(actor=kefu, kind="tests.slow", files=[("a.csv", b"1")])
    assert ImportJob.objects.count() == before


def test_empty_unknown_and_too_large_uploads_are_refused(yunying):
    with pytest.raises(Invalid) as empty:
        import_job_start(actor=yunying, kind="tests.slow", files=[("a.csv", b"")])
    assert empty.value.code == "import.file_empty"
    with pytest.raises(Invalid) as unknown:
        import_job_start(actor=yunying, kind="tests.nope", files=[("a.csv", b"1")])
    assert unknown.value.code == "import.kind_unknown"
    with pytest.raises(Invalid) as large:
        import_job_start(
            actor=yunying,
            kind="catalog.products",
            files=[("a.csv", b"0" * (20 * 1024 * 1024 + 1))],
        )
    assert large.value.code == "import.too_large"


def test_catalog_import_page_names_a_too_large_file(web_as, yunying):
    big = SimpleUploadedFile("big.csv", b"0" * (20 * 1024 * 1024 + 1))
    page = web_as(yunying).post("/catalog/import/", {"file": big}).content.decode()
    assert "文件不能超过 20 MB" in page


def test_who_sees_a_job(web_as, yunying, kefu, demo, stores):
    job = import_job_start(actor=yunying, kind="tests.slow", files=[("a.csv", b"1")])
    assert web_as(yunying).get(f"/imports/{job.pk}/").status_code == 200
    # another holder of the kind's permission (企划) sees it; 客服 does not
    assert web_as(demo["qihua"]).get(f"/imports/{job.pk}/").status_code == 200
    assert web_as(kefu).get(f"/imports/{job.pk}/").status_code == 403
    assert web_as(kefu).get(f"/imports/{job.pk}/errors.xlsx").status_code == 403
    assert web_as(yunying).get("/imports/999999999/").status_code == 404
    anonymous = web_as(yunying).__class__()
    assert anonymous.get(f"/imports/{job.pk}/").status_code == 302


def test_a_store_job_is_hidden_from_people_outside_that_store(web_as, demo, stores):
    job = import_job_start(
        actor=demo["admin"], kind="tests.slow", files=[("a.csv", b"1")], store=stores["tb-main"]
    )
    outsider = demo["kefu_jd"]  # works in jd-main only
    assert not outsider.works_in(stores["tb-main"])
    assert web_as(outsider).get(f"/imports/{job.pk}/").status_code == 404


# --- PostgreSQL: another connection polls while the import's transaction is open -----------------
HALFWAY = {}


def _waiting_runner(job, files, progress):
    from storeops.catalog import services

    services.product_create(actor=job.created_by, name="进度测试商品")  # not committed yet
    progress(5, 10)
    HALFWAY["reached"].set()
    assert HALFWAY["checked"].wait(30)
    progress(10, 10)
    return {"created": 1, "errors": [], "applied": True, "rows": 10}


register_import_kind(
    "tests.waiting", _waiting_runner, permission="catalog.import_product", label="等待"
)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_polling_request_sees_progress_of_an_uncommitted_import(demo):
    import threading

    from django.db import connection, connections
    from django.test import Client

    from storeops.catalog.models import Product

    if connection.vendor != "postgresql":
        pytest.skip("a second connection during an open transaction: PostgreSQL only")
    HALFWAY.update(reached=threading.Event(), checked=threading.Event())
    yunying = demo["yunying"]
    started: dict = {}

    def start():
        try:
            started["job"] = import_job_start(
                actor=yunying, kind="tests.waiting", files=[("a.csv", b"1")]
            )  # immediate huey: the job runs on commit, in this thread
        finally:
            connections.close_all()

    worker = threading.Thread(target=start)
    worker.start()
    try:
        assert HALFWAY["reached"].wait(30)
        job = ImportJob.objects.get(kind="tests.waiting", created_by=yunying)
        client = Client()
        client.force_login(yunying)
        page = client.get(f"/imports/{job.pk}/progress/").content.decode()
        assert job.status == ImportJobStatus.RUNNING
        assert "5 / 10 行" in page
        assert "so-w-50" in page
        assert not Product.objects.filter(name="进度测试商品").exists()  # still uncommitted
    finally:
        HALFWAY["checked"].set()
        worker.join(60)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.APPLIED
    assert Product.objects.filter(name="进度测试商品").count() == 1


def test_a_job_whose_worker_died_is_marked_failed(yunying):
    import datetime as dt

    import time_machine

    from storeops.core import clock
    from storeops.core.importjobs import JobProgress, import_jobs_fail_stale

    job = import_job_start(actor=yunying, kind="tests.slow", files=[("a.csv", b"1")])
    started = clock.now()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.RUNNING, started_at=started)
    assert import_jobs_fail_stale(now=started + dt.timedelta(minutes=29)) == 0
    # still reporting progress 25 minutes in: alive
    with time_machine.travel(started + dt.timedelta(minutes=25), tick=False):
        JobProgress(job.pk)(1000, None)
    assert import_jobs_fail_stale(now=started + dt.timedelta(minutes=31)) == 0
    job.refresh_from_db()
    assert job.status == ImportJobStatus.RUNNING
    # silent for more than 30 minutes: dead
    assert import_jobs_fail_stale(now=started + dt.timedelta(minutes=56)) == 1
    job.refresh_from_db()
    assert job.status == ImportJobStatus.FAILED
    assert "中断" in job.error


def test_a_long_queued_job_warns_that_the_worker_may_be_down(web_as, yunying):
    import datetime as dt

    import time_machine

    job = import_job_start(actor=yunying, kind="tests.slow", files=[("a.csv", b"1")])
    client = web_as(yunying)
    assert "后台任务进程可能没有运行" not in client.get(f"/imports/{job.pk}/").content.decode()
    with time_machine.travel(job.created_at + dt.timedelta(minutes=3)):
        page = client.get(f"/imports/{job.pk}/progress/").content.decode()
    assert "后台任务进程可能没有运行" in page


def test_uploaded_files_are_deleted_a_week_after_the_job_ended(yunying, web_as):
    """An order export holds buyers' personal data: the upload goes, the record stays."""
    import datetime as dt

    from django.core.files.storage import default_storage

    from storeops.core import clock
    from storeops.core.importjobs import import_job_files_purge

    now = clock.now()
    ended = import_job_start(actor=yunying, kind="tests.slow", files=[("old.csv", b"a,b\n1,2\n")])
    recent = import_job_start(actor=yunying, kind="tests.slow", files=[("new.csv", b"a\n1\n")])
    running = import_job_start(actor=yunying, kind="tests.slow", files=[("run.csv", b"a\n1\n")])
    ImportJob.objects.filter(pk=ended.pk).update(
        status=ImportJobStatus.APPLIED, finished_at=now - dt.timedelta(days=8)
    )
    ImportJob.objects.filter(pk=recent.pk).update(
        status=ImportJobStatus.REJECTED, finished_at=now - dt.timedelta(days=6)
    )
    ImportJob.objects.filter(pk=running.pk).update(
        status=ImportJobStatus.RUNNING, started_at=now - dt.timedelta(days=9)
    )
    old_path = ended.files[0]["path"]
    assert default_storage.exists(old_path)

    assert import_job_files_purge(now=now) == 1

    assert not default_storage.exists(old_path)
    assert all(default_storage.exists(j.files[0]["path"]) for j in (recent, running))
    ended.refresh_from_db()
    assert ended.files == []
    assert ended.filenames == ["old.csv"]
    assert web_as(yunying).get(f"/imports/{ended.pk}/").status_code == 200
    assert import_job_files_purge(now=now) == 0  # nothing twice
    assert import_job_files_purge(now=now + dt.timedelta(days=2)) == 1  # the rejected one
