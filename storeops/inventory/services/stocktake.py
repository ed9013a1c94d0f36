"""Weekly stocktake (R3.2): a duty per warehouse for 客服, counted blind, variances approved by
someone other than the counter (R5.1) and applied as `stocktake` movements.

The duty: one governance obligation per active warehouse (company-wide, like the warehouse),
every `stocktake_interval_days` (policy, default 7) for a 客服; ensured idempotently by the
periodic check. Completing a stocktake (no variance, or its variances approved) completes the
current period of that duty (`occurrence_complete(..., by_the_work=True)`).

Counting: the record lists every SKU the warehouse holds stock of when the count starts; a scan
or an uploaded sheet adds any other. The counter never sees the expected quantity: it is read
(levels locked) when the counts are handed in, which is also when the week's sales (shipment
movements since the previous stocktake) and stock value are written into the record.

Overdue: governance alerts the duty's owner and their departments' contact persons (the 客服
department's 接口人); `stocktake_check` adds the 经理s, once per period, resolved when done.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from storeops.audit.services import audit_record
from storeops.catalog.models import Sku
from storeops.core import clock
from storeops.core.errors import Conflict, Forbidden, Invalid
from storeops.core.imports import Column, RowInvalid, open_table, parse_int, run_import
from storeops.core.permissions import require
from storeops.core.roles import RoleCode
from storeops.core.text import clean_text
from storeops.governance.enums import ApprovalStatus, PolicyKey
from storeops.governance.selectors import approval_for, occurrence_current, policy_value
from storeops.governance.services import (
    approval_decide,
    approval_request,
    approval_require,
    obligation_create,
    occurrence_complete,
)
from storeops.inventory.enums import STOCKTAKE_TRANSITIONS, MovementKind, StocktakeStatus
from storeops.inventory.models import StockLevel, Stocktake, StocktakeLine, Warehouse
from storeops.inventory.permissions import ADJUSTMENT_APPROVER_ROLES, InventoryPerm
from storeops.inventory.selectors import (
    shipped_in_warehouse,
    sku_by_code,
    sku_by_scan,
    stocktake_lines,
    stocktake_obligation,
    stocktake_obligation_kind,
    stocktake_overdue_occurrences,
    stocktake_snapshot,
)
from storeops.inventory.services.levels import (
    CENT,
    MAX_QUANTITY,
    _on_hand_change,
    on_commit_alert_check,
)
from storeops.notifications.selectors import users_with_roles
from storeops.notifications.services import alert_raise, alert_resolve

OVERDUE_ALERT = "inventory.stocktake_overdue"
SHEET_COLUMNS = (
    Column("sku", "商家编码", aliases=("SKU", "sku", "商家编码（必填）"), required=True),
    Column("barcode", "条码"),
    Column("name", "商品名称", aliases=("商品",)),
    Column("counted", "实盘数量", aliases=("盘点数量", "数量"), required=True),
)


def stocktake_interval_days() -> int:
    return int(policy_value(PolicyKey.STOCKTAKE_INTERVAL_DAYS))


# --- the duty ------------------------------------------------------------------------------------
def stocktake_obligations_ensure() -> int:
    """One weekly count duty per active warehouse, owned by a 客服 (the first active one); a
    warehouse that already has one (whoever owns it now, however it was edited) is left alone,
    so re-running is harmless. Returns how many were created."""
    days = stocktake_interval_days()
    today = clock.business_date()
    created = 0
    with transaction.atomic():
        # the warehouse rows are locked in id order: two checks at once create one duty each
        for warehouse in (
            Warehouse.objects.select_for_update().filter(is_active=True).order_by("id")
        ):
            if stocktake_obligation(warehouse) is not None:
                continue
            owner = users_with_roles([RoleCode.CUSTOMER_SERVICE]).first()
            if owner is None:
                return created
            obligation_create(
                actor=None,
                title=_("每周盘点：%(warehouse)s") % {"warehouse": warehouse.name},
                owner=owner,
                # from midnight: the first week is open at once, whatever the hour of creation
                schedule=f"every {days} days from {today:%Y-%m-%d} 00:00",
                due_hours=days * 24,
                policy_id="R3.2",
                description=_(
                    "盘点 %(warehouse)s 的每一个商品（扫码盲盘或上传盘点表），提交差异，"
                    "经审批后调整库存；完成盘点即完成本期任务。"
                )
                % {"warehouse": warehouse.name},
                kind=stocktake_obligation_kind(warehouse),
            )
            created += 1
    return created


def stocktake_check(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The periodic check: ensure the duties, then tell the 经理s of each overdue period once
    (the owner and the 客服 department's contact person are told by governance)."""
    created = stocktake_obligations_ensure()
    now = now or clock.now()
    alerted = 0
    with transaction.atomic():
        managers = list(users_with_roles([RoleCode.MANAGER]))
        for occurrence in stocktake_overdue_occurrences(now=now):
            obligation = occurrence.obligation
            alert_raise(
                kind=OVERDUE_ALERT,
                title=_("盘点逾期：%(title)s（%(owner)s）")
                % {"title": obligation.title, "owner": obligation.owner},
                body=_("截止时间 %(due)s，本期盘点尚未完成（R3.2）。")
                % {"due": clock.local(occurrence.due_at).strftime("%Y-%m-%d %H:%M")},
                recipients=managers,
                url=reverse("inventory:stocktake_list"),
                obj=occurrence,
                dedupe_key=f"{OVERDUE_ALERT}:{occurrence.pk}",
            )
            alerted += 1
    return {"obligations": created, "overdue": alerted}


def _complete_duty(*, actor: Any, stocktake: Stocktake) -> None:
    obligation = stocktake_obligation(stocktake.warehouse)
    if obligation is None:
        return
    occurrence = occurrence_current(obligation)
    if occurrence is None:
        return
    url = reverse("inventory:stocktake_detail", args=[stocktake.pk])
    occurrence_complete(
        actor=actor,
        occurrence=occurrence,
        evidence=_("盘点单 ST-%(pk)s：%(url)s") % {"pk": stocktake.pk, "url": url},
        by_the_work=True,
    )
    alert_resolve(dedupe_key=f"{OVERDUE_ALERT}:{occurrence.pk}", actor=actor)
    stocktake.occurrence = occurrence


# --- the record ----------------------------------------------------------------------------------
def _set_status(stocktake: Stocktake, status: str) -> None:
    if status not in STOCKTAKE_TRANSITIONS[StocktakeStatus(stocktake.status)]:
        raise Conflict(
            "stocktake.wrong_status",
            _("盘点单当前状态为“%(status)s”，不能这样操作")
            % {"status": stocktake.get_status_display()},
        )
    stocktake.status = status


def _locked(stocktake: Stocktake) -> Stocktake:
    return Stocktake.objects.select_for_update().select_related("warehouse").get(pk=stocktake.pk)


def _counting(stocktake: Stocktake) -> Stocktake:
    stocktake = _locked(stocktake)
    if stocktake.status != StocktakeStatus.COUNTING:
        raise Conflict(
            "stocktake.not_counting",
            _("盘点单当前状态为“%(status)s”，不能再录入数量")
            % {"status": stocktake.get_status_display()},
        )
    return stocktake


@transaction.atomic
def stocktake_start(*, actor: Any, warehouse: Warehouse, note: str = "") -> Stocktake:
    """Open a count of one warehouse: a line for every SKU it holds stock of. One open count per
    warehouse at a time (409 `stocktake.open_exists`)."""
    require(actor, InventoryPerm.COUNT_STOCK)
    if not warehouse.is_active:
        raise Invalid("warehouse.inactive", _("仓库已停用"), {"field": "warehouse"})
    note = clean_text(note, field="note", limit=200)
    now = clock.now()
    previous = (
        Stocktake.objects.filter(warehouse=warehouse, status=StocktakeStatus.APPLIED)
        .order_by("-submitted_at")
        .first()
    )
    period_start = (
        previous.submitted_at
        if previous is not None and previous.submitted_at
        else now - dt.timedelta(days=stocktake_interval_days())
    )
    try:
        with transaction.atomic():
            stocktake = Stocktake.objects.create(
                warehouse=warehouse,
                started_by=actor,
                started_at=now,
                period_start=period_start,
                note=note,
            )
    except IntegrityError:
        raise Conflict(
            "stocktake.open_exists", _("该仓库已有进行中的盘点，请先完成或作废")
        ) from None
    sku_ids = (
        StockLevel.objects.filter(warehouse=warehouse, sku__is_combo=False)
        .filter(on_hand__gt=0)
        .values_list("sku_id", flat=True)
        .order_by("sku_id")
    )
    StocktakeLine.objects.bulk_create(
        [StocktakeLine(stocktake=stocktake, sku_id=sku_id) for sku_id in sku_ids]
    )
    audit_record(
        actor=actor,
        action="inventory.stocktake.start",
        obj=stocktake,
        after={"warehouse": warehouse.code, "lines": len(sku_ids)},
    )
    return stocktake


def _line_for(stocktake: Stocktake, sku: Sku) -> StocktakeLine:
    if sku.is_combo:
        raise Invalid("stock.combo_sku", _("组合装没有自己的库存，请按组件盘点"), {"field": "sku"})
    line, _created = StocktakeLine.objects.select_for_update().get_or_create(
        stocktake=stocktake, sku=sku
    )
    return line


def _count_clean(value: Any) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise Invalid("quantity.invalid", _("数量必须是整数"), {"field": "quantity"}) from None
    if not 0 <= number <= MAX_QUANTITY:
        raise Invalid(
            "quantity.out_of_range",
            _("数量必须在 0 到 %(n)s 之间") % {"n": MAX_QUANTITY},
            {"field": "quantity"},
        )
    return number


@transaction.atomic
def stocktake_count(
    *, actor: Any, stocktake: Stocktake, sku: Sku, quantity: Any, add: bool = False
) -> StocktakeLine:
    """Record a count: `add` for a scan (+quantity), else set the counted quantity."""
    require(actor, InventoryPerm.COUNT_STOCK)
    stocktake = _counting(stocktake)
    quantity = _count_clean(quantity)
    line = _line_for(stocktake, sku)
    before = line.counted
    line.counted = (line.counted or 0) + quantity if add else quantity
    if line.counted > MAX_QUANTITY:
        raise Invalid("quantity.out_of_range", _("数量太大"), {"field": "quantity"})
    line.save(update_fields=["counted"])
    audit_record(
        actor=actor,
        action="inventory.stocktake.count",
        obj=stocktake,
        before={"sku": sku.merchant_code, "counted": before},
        after={"sku": sku.merchant_code, "counted": line.counted},
    )
    return line


def stocktake_scan(
    *, actor: Any, stocktake: Stocktake, code: str, quantity: Any = 1
) -> StocktakeLine:
    """A scanned barcode (or typed merchant code) adds `quantity` (default 1) to its count."""
    require(actor, InventoryPerm.COUNT_STOCK)
    return stocktake_count(
        actor=actor, stocktake=stocktake, sku=sku_by_scan(code), quantity=quantity, add=True
    )


@transaction.atomic
def stocktake_upload(*, actor: Any, stocktake: Stocktake, source: Any, filename: str = "") -> Any:
    """A filled count sheet (Excel or CSV: 商家编码, 实盘数量): all rows or none; a blank count
    leaves the line as it was."""
    require(actor, InventoryPerm.COUNT_STOCK)
    stocktake = _counting(stocktake)
    table = open_table(source, columns=SHEET_COLUMNS, filename=filename)
    seen: set[str] = set()

    def validate(row: Any) -> Any:
        errors = []
        code = row.text("sku")
        sku = None
        try:
            sku = sku_by_code(code)
            if sku.is_combo:
                errors.append(("sku", _("组合装没有自己的库存，请按组件盘点")))
        except Invalid as exc:
            errors.append(("sku", exc.message))
        if code in seen:
            errors.append(("sku", _("商家编码重复")))
        seen.add(code)
        raw = row.text("counted")
        counted = None
        if raw != "":
            try:
                counted = parse_int(raw, minimum=0, maximum=MAX_QUANTITY)
            except ValueError as exc:
                errors.append(("counted", str(exc)))
        if errors:
            raise RowInvalid(errors)
        return (sku, counted)

    def apply(batch: list[Any], result: Any) -> None:
        for sku, counted in batch:
            if counted is None:
                result.unchanged += 1
                continue
            line = _line_for(stocktake, sku)
            if line.counted == counted:
                result.unchanged += 1
                continue
            line.counted = counted
            line.save(update_fields=["counted"])
            result.updated += 1

    result = run_import(table, validate=validate, apply=apply)
    if result.applied:
        audit_record(
            actor=actor,
            action="inventory.stocktake.upload",
            obj=stocktake,
            after={"rows": result.rows, "updated": result.updated, "file": filename[:100]},
        )
    return result


@transaction.atomic
def stocktake_submit(*, actor: Any, stocktake: Stocktake) -> Stocktake:
    """Hand in the counts. Every line must be counted. The expected quantities, unit costs, the
    week's sales and the stock are written now; without a variance the stocktake is complete at
    once, otherwise its variances wait for approval by someone other than the counter."""
    require(actor, InventoryPerm.COUNT_STOCK)
    stocktake = _counting(stocktake)
    lines = list(stocktake_lines(stocktake).select_for_update(of=("self",)))
    missing = [line.sku.merchant_code for line in lines if line.counted is None]
    if missing:
        raise Invalid(
            "stocktake.uncounted",
            _("还有 %(n)s 个商品未盘点：%(codes)s")
            % {"n": len(missing), "codes": "、".join(missing[:10])},
            {"field": "lines", "skus": missing[:50]},
        )
    now = clock.now()
    levels = {
        level.sku_id: level
        for level in StockLevel.objects.select_for_update()
        .filter(warehouse=stocktake.warehouse, sku_id__in=[line.sku_id for line in lines])
        .order_by("sku_id")
    }
    sold = shipped_in_warehouse(
        warehouse=stocktake.warehouse, since=stocktake.period_start, until=now
    )
    stock_quantity, stock_value = 0, Decimal(0)
    for line in lines:
        level = levels.get(line.sku_id)
        line.expected = level.on_hand if level else 0
        line.unit_cost = level.unit_cost if level else line.sku.standard_cost
        line.sold = sold.get(line.sku_id, (0, Decimal(0)))[0]
        stock_quantity += line.expected
        stock_value += Decimal(line.expected) * line.unit_cost
    StocktakeLine.objects.bulk_update(lines, ["expected", "unit_cost", "sold"])
    stocktake.counted_by = actor
    stocktake.submitted_at = now
    stocktake.sold_quantity = sum(n for n, _v in sold.values())
    stocktake.sold_value = sum((v for _n, v in sold.values()), Decimal(0)).quantize(CENT)
    stocktake.stock_quantity = stock_quantity
    stocktake.stock_value = stock_value.quantize(CENT)
    variances = [line for line in lines if line.variance]
    if variances:
        _set_status(stocktake, StocktakeStatus.SUBMITTED)
    else:
        _set_status(stocktake, StocktakeStatus.APPLIED)
        stocktake.decided_at = now
        _complete_duty(actor=actor, stocktake=stocktake)
    stocktake.save()
    if variances:
        approval_request(
            actor=actor,
            obj=stocktake,
            snapshot=stocktake_snapshot(stocktake),
            title=_("盘点差异：%(warehouse)s ST-%(pk)s（%(n)s 个商品）")
            % {"warehouse": stocktake.warehouse.code, "pk": stocktake.pk, "n": len(variances)},
            approver_roles=ADJUSTMENT_APPROVER_ROLES,
            url=reverse("inventory:stocktake_detail", args=[stocktake.pk]),
        )
    audit_record(
        actor=actor,
        action="inventory.stocktake.submit",
        obj=stocktake,
        after={
            "status": stocktake.status,
            "variances": [[v.sku.merchant_code, v.variance] for v in variances],
            "sold_quantity": stocktake.sold_quantity,
            "stock_quantity": stock_quantity,
        },
    )
    return stocktake


@transaction.atomic
def stocktake_decide(
    *, actor: Any, stocktake: Stocktake, approve: bool, comment: str = ""
) -> Stocktake:
    """Approve (the variances become `stocktake` movements, in this transaction, and the week's
    duty is done) or reject (a new count is needed). Never by the counter (R5.1)."""
    require(actor, InventoryPerm.APPROVE_STOCKTAKE)
    stocktake = _locked(stocktake)
    if stocktake.status != StocktakeStatus.SUBMITTED:
        raise Conflict(
            "stocktake.wrong_status",
            _("盘点单当前状态为“%(status)s”，不能审批")
            % {"status": stocktake.get_status_display()},
        )
    if stocktake.counted_by_id == getattr(actor, "pk", None):
        raise Forbidden("stocktake.self_approval", _("盘点人不能审批自己的盘点差异"))
    approval = approval_for(stocktake)
    if approval is None or approval.status != ApprovalStatus.PENDING:
        raise Conflict("approval.missing", _("该盘点单没有待审批的申请"))
    approval = approval_decide(actor=actor, approval=approval, approve=approve, comment=comment)
    if approval.status == ApprovalStatus.PENDING:
        return stocktake
    now = clock.now()
    applied: list[list[Any]] = []
    if approval.status == ApprovalStatus.APPROVED:
        approval_require(obj=stocktake, snapshot=stocktake_snapshot(stocktake))
        lines = [line for line in stocktake_lines(stocktake) if line.variance]
        # levels are locked in SKU id order (the lines' order by code is not the lock order)
        for line in sorted(lines, key=lambda item: item.sku_id):
            variance = line.variance
            line.movement = _on_hand_change(
                actor=actor,
                kind=MovementKind.STOCKTAKE,
                sku=line.sku,
                warehouse=stocktake.warehouse,
                delta=variance,
                reason=_("盘盈") if variance > 0 else _("盘亏"),
                reference=f"ST-{stocktake.pk}",
            )
            line.save(update_fields=["movement"])
            applied.append([line.sku.merchant_code, variance])
        _set_status(stocktake, StocktakeStatus.APPLIED)
        _complete_duty(actor=actor, stocktake=stocktake)
    else:
        _set_status(stocktake, StocktakeStatus.REJECTED)
    stocktake.decided_by = actor
    stocktake.decided_at = now
    stocktake.save(update_fields=["status", "decided_by", "decided_at", "occurrence"])
    audit_record(
        actor=actor,
        action="inventory.stocktake.apply"
        if stocktake.status == StocktakeStatus.APPLIED
        else "inventory.stocktake.reject",
        obj=stocktake,
        before={"status": StocktakeStatus.SUBMITTED},
        after={"status": stocktake.status, "applied": applied, "comment": comment[:200]},
    )
    for line in stocktake_lines(stocktake).filter(movement__isnull=False):
        on_commit_alert_check(line.sku)
    return stocktake


@transaction.atomic
def stocktake_cancel(*, actor: Any, stocktake: Stocktake) -> Stocktake:
    """Void a count still being counted (started by mistake)."""
    require(actor, InventoryPerm.COUNT_STOCK)
    stocktake = _locked(stocktake)
    _set_status(stocktake, StocktakeStatus.CANCELLED)
    stocktake.decided_at = clock.now()
    stocktake.save(update_fields=["status", "decided_at"])
    audit_record(
        actor=actor,
        action="inventory.stocktake.cancel",
        obj=stocktake,
        before={"status": StocktakeStatus.COUNTING},
        after={"status": stocktake.status},
    )
    return stocktake
