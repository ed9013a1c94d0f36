"""What a locked-out login gets: JSON on the API, the login page with a message otherwise."""

from typing import Any

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

MESSAGE = "登录失败次数过多，账号已暂时锁定，请稍后再试或联系系统管理员"


def lockout_response(
    request: Any, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": {"code": "auth.locked_out", "message": MESSAGE, "details": None}}, status=429
        )
    return render(
        request, "accounts/login.html", {"locked_out": True, "message": MESSAGE}, status=429
    )
