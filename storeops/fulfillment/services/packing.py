"""核对 and 打包 (R2.9): verify by scanning against the order lines, pack by the standard
(checklist, weight tolerance), and the packing standards themselves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from storeops.audit.services import audit_record
from storeops.catalog.models import Category, Sku
from storeops.core import clock
from storeops.core.errors import Conflict, Invalid
from storeops.core.permissions import require
from storeops.core.text import clean_text
from storeops.fulfillment.enums import (
    CHECKLIST_ITEMS,
    PackExceptionKind,
    ScanResult,
)
from storeops.fulfillment.models import (
    Allocation,
    AllocationLine,
    PackException,
    PackingStandard,
    Scan,
)
from storeops.fulfillment.permissions import FulfillmentPerm
from storeops.fulfillment.selectors import (
    allocation_get_for_change,
    allocation_lines,
)
from storeops.fulfillment.services.common import MAX_WEIGHT_G, A, _audit, _transition


# --- verification (核对) --------------------------------------------------------------------------
@dataclass
class ScanOutcome:
    result: str
    message: str
    line: AllocationLine | None
    complete: bool


def _matches(line: AllocationLine, code: str) -> bool:
    sku = line.sku
    return bool(code) and (
        (sku.barcode and sku.barcode == code) or sku.merchant_code.upper() == code.upper()
    )


def _exception(allocation: Allocation, actor: Any, kind: str, note: str) -> PackException:
    return PackException.objects.create(
        allocation=allocation,
        store_id=allocation.store_id,
        kind=kind,
        note=note[:255],
        actor=actor,
        at=clock.now(),
    )


@transaction.atomic
def verify_scan(*, actor: Any, allocation_id: int, code: str) -> ScanOutcome:
    """One scanned barcode (SKU barcode or merchant code) against the order's lines. The right
    item counts for its line; a wrong or extra item blocks packing until it is taken out."""
    allocation = allocation_get_for_change(
        actor=actor, allocation_id=allocation_id, perm=FulfillmentPerm.VERIFY
    )
    code = clean_text(code, field="code", required=True, limit=64).replace(" ", "")
    if allocation.status not in (A.ALLOCATED, A.VERIFIED):
        raise Conflict(
            "verify.not_open",
            _("该配货单已%(status)s，不能再核对") % {"status": A(allocation.status).label},
            {"field": "status", "status": allocation.status},
        )
    lines = allocation_lines(allocation)
    matching = [line for line in lines if _matches(line, code)]
    line = next((ln for ln in matching if ln.scanned < ln.quantity), None)
    now = clock.now()
    if line is not None:
        AllocationLine.objects.filter(pk=line.pk, scanned__lt=F("quantity")).update(
            scanned=F("scanned") + 1
        )
        line.scanned += 1
        result = ScanResult.OK
        message = _("正确：%(name)s（%(done)s/%(qty)s）") % {
            "name": line.sku.product.name,
            "done": line.scanned,
            "qty": line.quantity,
        }
    else:
        if matching:
            result = ScanResult.EXTRA
            line = matching[0]
            message = _("多出商品：%(name)s 已够 %(qty)s 件，请取出多出的这一件") % {
                "name": line.sku.product.name,
                "qty": line.quantity,
            }
            kind = PackExceptionKind.EXTRA_ITEM
        else:
            known = (
                Sku.objects.select_related("product").filter(barcode=code).first()
                or Sku.objects.select_related("product").filter(merchant_code__iexact=code).first()
            )
            result = ScanResult.WRONG if known else ScanResult.UNKNOWN
            message = (
                _("错误商品：%(name)s（%(code)s）不在此订单中，请取出")
                % {
                    "name": known.product.name,
                    "code": known.merchant_code,
                }
                if known
                else _("无法识别的条码 %(code)s：不在此订单中，请取出后重扫") % {"code": code}
            )
            kind = PackExceptionKind.WRONG_ITEM
        allocation.blocked_message = message[:255]
        if allocation.status == A.VERIFIED:
            _transition(allocation, A.ALLOCATED)
        allocation.save(update_fields=["blocked_message", "status"])
        _exception(allocation, actor, kind, message)
        _audit(actor, "scan_refused", allocation, after={"code": code, "result": result})
    Scan.objects.create(
        allocation=allocation, code=code, line=line, result=result, actor=actor, at=now
    )
    complete = _verified_if_complete(actor, allocation, lines)
    return ScanOutcome(result=result, message=message, line=line, complete=complete)


def _verified_if_complete(actor: Any, allocation: Allocation, lines: list[AllocationLine]) -> bool:
    done = all(line.scanned >= line.quantity for line in lines)
    if done and not allocation.blocked_message and allocation.status == A.ALLOCATED:
        _transition(allocation, A.VERIFIED)
        allocation.verified_at = clock.now()
        allocation.save(update_fields=["status", "verified_at"])
        _audit(actor, "verify", allocation, after={"status": allocation.status})
    return allocation.status == A.VERIFIED


@transaction.atomic
def verify_clear_block(*, actor: Any, allocation_id: int, note: str = "") -> Allocation:
    """The wrong or extra item was taken out: packing is no longer blocked (audited)."""
    allocation = allocation_get_for_change(
        actor=actor, allocation_id=allocation_id, perm=FulfillmentPerm.VERIFY
    )
    note = clean_text(note, field="note", limit=255)
    if not allocation.blocked_message:
        return allocation
    before = {"blocked": allocation.blocked_message}
    allocation.blocked_message = ""
    allocation.save(update_fields=["blocked_message"])
    _audit(actor, "unblock", allocation, before=before, after={"note": note})
    _verified_if_complete(actor, allocation, allocation_lines(allocation))
    return allocation


# --- packing (打包规范) ---------------------------------------------------------------------------
@transaction.atomic
def pack_confirm(
    *,
    actor: Any,
    allocation_id: int,
    checklist: dict[str, bool],
    weight_g: int | None = None,
    exception_note: str = "",
) -> Allocation:
    """Confirm the packing standard at the pack station. An unconfirmed item or a weight outside
    the tolerance is an exception: recorded (and counted) with a note, or refused without one."""
    allocation = allocation_get_for_change(
        actor=actor, allocation_id=allocation_id, perm=FulfillmentPerm.PACK
    )
    exception_note = clean_text(exception_note, field="exception_note", limit=255)
    if allocation.blocked_message:
        raise Conflict(
            "pack.blocked", allocation.blocked_message, {"field": "code", "blocked": True}
        )
    if allocation.status != A.VERIFIED:
        lines = allocation_lines(allocation)
        missing = [
            f"{line.sku.merchant_code} {line.scanned}/{line.quantity}"
            for line in lines
            if line.scanned < line.quantity
        ]
        if allocation.status == A.ALLOCATED:
            raise Conflict(
                "pack.not_verified",
                _("核对未完成，不能打包：%(lines)s") % {"lines": "、".join(missing)},
                {"field": "status", "missing": missing},
            )
        _transition(allocation, A.PACKED)  # raises with the status named
    if weight_g is not None and not (0 < int(weight_g) <= MAX_WEIGHT_G):
        raise Invalid("pack.weight", _("请填写正确的重量（克）"), {"field": "weight_g"})
    standard = allocation.standard
    problems: list[tuple[str, str]] = []
    if standard is not None:
        for item, kind in CHECKLIST_ITEMS:
            if getattr(standard, item) and not checklist.get(item):
                problems.append((kind, str(PackExceptionKind(kind).label)))
        if weight_g is not None and allocation.expected_weight_g:
            diff = int(weight_g) - allocation.expected_weight_g
            if abs(diff) > standard.weight_tolerance_g:
                problems.append(
                    (
                        PackExceptionKind.WEIGHT,
                        _("重量 %(w)s 克，理论 %(e)s 克，允差 ±%(t)s 克")
                        % {
                            "w": weight_g,
                            "e": allocation.expected_weight_g,
                            "t": standard.weight_tolerance_g,
                        },
                    )
                )
    if problems and not exception_note:
        raise Invalid(
            "pack.exception_note_required",
            _("打包规范未满足：%(items)s。请说明原因后记录为异常")
            % {"items": "；".join(text for _kind, text in problems)},
            {"field": "exception_note", "problems": [kind for kind, _text in problems]},
        )
    for kind, text in problems:
        _exception(allocation, actor, kind, f"{text}：{exception_note}")
    _transition(allocation, A.PACKED)
    allocation.checklist = {item: bool(checklist.get(item)) for item, _kind in CHECKLIST_ITEMS}
    allocation.weight_g = int(weight_g) if weight_g is not None else None
    allocation.packed_by = actor
    allocation.packed_at = clock.now()
    allocation.save(update_fields=["status", "checklist", "weight_g", "packed_by", "packed_at"])
    _audit(
        actor,
        "pack",
        allocation,
        after={
            "checklist": allocation.checklist,
            "weight_g": allocation.weight_g,
            "exceptions": [kind for kind, _text in problems],
            "note": exception_note,
        },
    )
    return allocation


# --- packing standards and couriers ----------------------------------------------------------------
def _standard_after(standard: PackingStandard) -> dict[str, Any]:
    return {
        "name": standard.name,
        "category": standard.category_id,
        "package_type": standard.package_type,
        "protective_material": standard.protective_material,
        "inserts": standard.inserts,
        "weight_tolerance_g": standard.weight_tolerance_g,
        "is_active": standard.is_active,
    }


@transaction.atomic
def standard_save(
    *,
    actor: Any,
    standard: PackingStandard | None = None,
    name: str,
    category: Category | None,
    package_type: str,
    protective_material: str = "",
    inserts: str = "",
    weight_tolerance_g: int = 50,
    is_active: bool = True,
) -> PackingStandard:
    """Create or change a per-category packing standard (no category: the default one)."""
    require(actor, FulfillmentPerm.MANAGE_STANDARD)
    values = {
        "name": clean_text(name, field="name", required=True, limit=60),
        "category": category,
        "package_type": clean_text(package_type, field="package_type", required=True, limit=100),
        "protective_material": clean_text(
            protective_material, field="protective_material", limit=100
        ),
        "inserts": clean_text(inserts, field="inserts", limit=200),
        "weight_tolerance_g": int(weight_tolerance_g),
        "is_active": bool(is_active),
    }
    if not 0 <= values["weight_tolerance_g"] <= 100_000:
        raise Invalid(
            "standard.tolerance",
            _("重量允差应在 0–100000 克之间"),
            {"field": "weight_tolerance_g"},
        )
    before = _standard_after(standard) if standard is not None else None
    target = standard or PackingStandard()
    for key, value in values.items():
        setattr(target, key, value)
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError as exc:
        raise Conflict(
            "standard.duplicate",
            _("该类目已有打包规范（或已有启用的通用规范）"),
            {"field": "category"},
        ) from exc
    audit_record(
        actor=actor,
        action="fulfillment.standard.update" if standard else "fulfillment.standard.create",
        obj=target,
        before=before,
        after=_standard_after(target),
    )
    return target
