"""The 工作台 and the module landing pages."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from storeops.accounts.selectors import store_list
from storeops.core.access import authenticated, public
from storeops.core.permissions import require
from storeops.web.navigation import MODULES_BY_KEY, request_modules
from storeops.web.workbench import workbench_panels


@public
def home(request: HttpRequest) -> HttpResponse:
    """`/`: the login form for a visitor, the 工作台 once signed in."""
    if request.user.is_authenticated:
        return redirect("web:workbench")
    return redirect("accounts:login")


@public
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@authenticated
def workbench(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/workbench.html",
        {
            "panels": workbench_panels(request.user),
            "stores": store_list(actor=request.user),
        },
    )


@authenticated
def module(request: HttpRequest, key: str) -> HttpResponse:
    spec = MODULES_BY_KEY.get(key)
    if spec is None:
        raise Http404
    require(request.user, spec.permission)
    entry = next(m for m in request_modules(request) if m["key"] == key)
    return render(request, "web/module.html", {"module": spec, "entry": entry})
