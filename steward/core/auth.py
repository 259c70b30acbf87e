"""Sign-in rules.

- No self sign-up: people come from the roster (local accounts are made by the district, or by
  the first OpenID Connect sign-in of a roster staff member).
- OpenID Connect only for the district's own Google Workspace domain or Entra tenant
  (platforms.md 7.2), checked on the signed ID token's claims, not on the request parameters.
- People who have left (deactivated in the roster) cannot sign in.
- Lockout after repeated failures (django-axes), counted per account whichever way the person
  typed their sign-in name (records-and-law.md J, SEC-4).
"""

from __future__ import annotations

import logging
import math
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

log = logging.getLogger("steward.auth")

GOOGLE_PROVIDER_ID = "google-workspace"
ENTRA_PROVIDER_ID = "microsoft-entra"
_GOOGLE_ISSUERS = {"https://accounts.google.com", "accounts.google.com"}


def _falsy(value: Any) -> bool:
    return value is False or str(value).strip().lower() in {"false", "0", "no"}


def _truthy(value: Any) -> bool:
    return value is True or str(value).strip().lower() in {"true", "1", "yes"}


def district_identity_ok(claims: dict[str, Any], *, provider: str | None = None) -> bool:
    """True when an ID token's claims belong to the district.

    Google Workspace: ``hd`` equals the district domain (the ``hd`` request parameter is only a
    hint; the claim in the signed token is what can be trusted) and ``email_verified`` is true.
    Microsoft Entra: ``tid`` equals the configured tenant (and ``iss``, when present, names it);
    a tenant that is not configured lets nobody in. Either way the e-mail (or Entra's
    ``preferred_username``) must be in the district domain and must not be marked unverified.

    ``provider`` is the allauth provider id the claims came from; without it the kind of token is
    inferred from the claims (``tid`` means Entra).
    """
    domain = settings.DISTRICT_EMAIL_DOMAIN.lower()
    email = str(claims.get("email") or claims.get("preferred_username") or "").strip().lower()
    if not domain or not email.endswith("@" + domain):
        return False
    if _falsy(claims.get("email_verified", True)):
        return False
    is_entra = provider == ENTRA_PROVIDER_ID or (provider is None and "tid" in claims)
    if is_entra:
        tenant = str(settings.OIDC_MICROSOFT_TENANT_ID or "").lower()
        if not tenant or str(claims.get("tid", "")).lower() != tenant:
            return False
        issuer = claims.get("iss")
        return issuer is None or str(issuer).lower().rstrip("/") == f"https://login.microsoftonline.com/{tenant}/v2.0"
    if "tid" in claims:
        return False  # a Microsoft token where a Google one was expected
    if not _truthy(claims.get("email_verified")):
        return False  # Google always states it; a token without it is not Google's
    issuer = claims.get("iss")
    if issuer is not None and str(issuer) not in _GOOGLE_ISSUERS:
        return False
    return str(claims.get("hd", "")).lower() == domain


def sociallogin_claims(extra_data: Any) -> dict[str, Any]:
    """The claims of an allauth OIDC login: userinfo, overridden by the signed ID token (whose
    ``hd``, ``tid``, ``iss`` and ``email_verified`` are the ones to trust)."""
    if not isinstance(extra_data, dict):
        return {}
    if "userinfo" not in extra_data and "id_token" not in extra_data:
        return dict(extra_data)  # allauth < 65.11 stored the claims flat
    claims: dict[str, Any] = {}
    for part in ("userinfo", "id_token"):
        if isinstance(extra_data.get(part), dict):
            claims.update(extra_data[part])
    return claims


def _roster_person(email: str) -> Any:
    from steward.people.models import Person

    return Person.objects.filter(email__iexact=email, active=True, kind=Person.Kind.STAFF).first()


def _refuse(request: HttpRequest, reason: str) -> ImmediateHttpResponse:
    log.warning("refused sign-in: %s", reason)
    return ImmediateHttpResponse(render(request, "socialaccount/refused.html", {"reason": reason}, status=403))


class StewardAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts come from the roster and the district's identity provider, never self-sign-up.
        return False

    def pre_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> HttpResponse | None:
        # Someone the roster has deactivated (offboarded) keeps their user row for the records
        # that name them, but may no longer sign in.
        from steward.people.models import Person

        if Person.objects.filter(user=user, active=False).exists() and not Person.objects.filter(
            user=user, active=True
        ).exists():
            raise _refuse(request, _("Your district account is no longer active."))
        return super().pre_login(request, user, **kwargs)  # type: ignore[no-any-return]


class DistrictSocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        return True  # a roster staff member's first OIDC sign-in creates their user; see below

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        claims = sociallogin_claims(sociallogin.account.extra_data)
        provider = getattr(sociallogin.account, "provider", None)
        if not district_identity_ok(claims, provider=provider):
            raise _refuse(request, _("This sign-in is limited to accounts of the district's own domain or tenant."))
        email = str(claims.get("email") or claims.get("preferred_username") or "").lower()
        person = _roster_person(email)
        if person is None:
            raise _refuse(request, _("No active staff member with this e-mail address is on the district roster."))
        if sociallogin.is_existing:
            return
        if person.user_id:
            sociallogin.connect(request, person.user)
        else:
            user_model = get_user_model()
            existing = user_model.objects.filter(email__iexact=email).first()
            if existing is not None:
                person.user = existing
                person.save(update_fields=["user"])
                sociallogin.connect(request, existing)

    def save_user(self, request: HttpRequest, sociallogin: Any, form: Any = None) -> Any:
        user = super().save_user(request, sociallogin, form)
        claims = sociallogin_claims(sociallogin.account.extra_data)
        person = _roster_person(str(claims.get("email") or claims.get("preferred_username") or ""))
        if person is not None and person.user_id is None:
            person.user = user
            person.save(update_fields=["user"])
        return user


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The account a failed sign-in was aimed at: the same key whether the person typed their
    username or their e-mail, so that alternating the two does not double the allowance."""
    credentials = credentials or {}
    typed = credentials.get("username") or credentials.get("email") or credentials.get("login")
    if not typed and request is not None:
        typed = request.POST.get("login") or request.POST.get("username")
    if not typed:
        return None
    typed = str(typed).strip().lower()
    if "@" in typed:
        user = get_user_model().objects.filter(email__iexact=typed).only("username").first()
        if user is not None:
            return str(user.get_username()).lower()
    return typed


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """The page shown when django-axes has locked an account (HTTP 429)."""
    cooloff_hours = float(settings.AXES_COOLOFF_TIME or 0)
    return render(
        request,
        "account/lockout.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_timedelta": bool(cooloff_hours),
            "cooloff_minutes": math.ceil(cooloff_hours * 60),
        },
        status=429,
    )
