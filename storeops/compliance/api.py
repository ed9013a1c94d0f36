"""Compliance API: scan a text (every signed-in user), list and add terms."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from storeops.compliance import selectors, services
from storeops.compliance.permissions import CompliancePerm
from storeops.compliance.schemas import ScanIn, ScanOut, TermIn, TermOut, TermPage
from storeops.core.access import authenticated, requires
from storeops.core.api import PAGE_DEFAULT, PAGE_MAX, ErrorOut, keyset_page

router = Router(tags=["compliance"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def term_out(term: Any) -> dict[str, Any]:
    return {
        "id": term.id,
        "term": term.term,
        "category": term.category,
        "category_label": str(term.get_category_display()),
        "severity": term.severity,
        "is_active": term.is_active,
        "note": term.note,
        "updated_at": term.updated_at,
    }


@router.post("/scan", response={200: ScanOut, **ERRORS}, summary="合规检查")
@authenticated
def scan_api(request: HttpRequest, payload: ScanIn) -> Any:
    findings = selectors.compliance_scan(
        payload.text, context=selectors.ScanContext(listing_price=payload.listing_price)
    )
    return {
        "findings": [f.as_dict() for f in findings],
        "blocking": selectors.has_blocking(findings),
    }


@router.get("/terms", response={200: TermPage, **ERRORS}, summary="违禁词库")
@requires(CompliancePerm.VIEW_TERMS)
def term_list_api(
    request: HttpRequest,
    category: str = Query("", max_length=32),
    q: str = Query("", max_length=50),
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(PAGE_DEFAULT, ge=1, le=PAGE_MAX),
) -> Any:
    found = selectors.term_list(actor=request.user, category=category, q=q)
    rows, next_cursor = keyset_page(found, cursor=cursor, limit=limit, newest_first=False)
    return {"items": [term_out(t) for t in rows], "next": next_cursor}


@router.post("/terms", response={201: TermOut, **ERRORS}, summary="添加违禁词")
@requires(CompliancePerm.MANAGE_TERMS)
def term_create_api(request: HttpRequest, payload: TermIn) -> Any:
    term = services.term_create(
        actor=request.user,
        term=payload.term,
        category=payload.category,
        severity=payload.severity,
        note=payload.note,
    )
    return Status(201, term_out(term))
