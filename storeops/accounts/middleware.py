"""Per-user UI language, and mandatory two-factor where the company's settings ask for it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation

from storeops.accounts.enums import SESSION_2FA_KEY, Language

_TWO_FACTOR_FREE = ("/static/", "/api/", "/login/", "/logout/", "/account/2fa/")


class UserLanguageMiddleware:
    """Chinese unless the user chose English in their own settings; Accept-Language is ignored."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = Language.ZH_HANS.value
        if user is not None and user.is_authenticated and user.language in Language.values:
            language = str(user.language)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


class TwoFactorRequiredMiddleware:
    """A role that requires two-factor must set it up before anything else.

    The login view decides once (a user with a device must pass it to log in at all) and leaves
    a flag in the session, so no request pays a database query for this.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if (
            session is not None
            and session.get(SESSION_2FA_KEY)
            and not request.path.startswith(_TWO_FACTOR_FREE)
        ):
            return redirect("accounts:totp_setup")
        return self.get_response(request)
