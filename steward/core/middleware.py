"""Multi-factor sign-in is required of administrators (records-and-law.md J)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from steward.core.permissions import is_administrator

_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/api/", "/platforms/webhooks/", "/i18n/", "/healthz")


class RequireMFAForAdministratorsMiddleware:
    """Send an administrator without a TOTP device to set one up before any other page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            getattr(settings, "STEWARD_REQUIRE_MFA_FOR_ADMINS", False)
            and request.user.is_authenticated
            and not request.path.startswith(_EXEMPT_PREFIXES)
            and is_administrator(request.user)
        ):
            from allauth.mfa.models import Authenticator

            if not Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists():
                messages.info(
                    request,
                    _("Your role needs a second factor: set up an authenticator app on your phone to continue."),
                )
                return redirect("mfa_activate_totp")
        return self.get_response(request)


class NoStoreForSignedInMiddleware:
    """Pages for a signed-in user may name students and staff: browsers and proxies must not keep
    them (records-and-law.md J, SEC-7). Static files and public pages are unaffected."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response
