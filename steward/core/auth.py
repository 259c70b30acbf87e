"""Sign-in rules: OpenID Connect only for the district's own domain or tenant (platforms.md 7.2)."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.http import HttpRequest, HttpResponseForbidden


class StewardAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts come from the roster and the district's identity provider, never self-sign-up.
        return False


def district_identity_ok(claims: dict[str, Any]) -> bool:
    """True when an ID token's claims belong to the district: Google's ``hd`` equals the district
    domain, or Entra's ``tid`` equals the configured tenant; the e-mail must be verified and in the
    district domain either way."""
    domain = settings.DISTRICT_EMAIL_DOMAIN.lower()
    email = str(claims.get("email") or claims.get("preferred_username") or "").lower()
    if not email.endswith("@" + domain):
        return False
    if "tid" in claims:
        return bool(settings.OIDC_MICROSOFT_TENANT_ID) and claims["tid"] == settings.OIDC_MICROSOFT_TENANT_ID
    if claims.get("email_verified") is False:
        return False
    return str(claims.get("hd", "")).lower() == domain


class DistrictSocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        return True  # a staff member's first OIDC sign-in creates their user; pre_social_login checks

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        claims = sociallogin.account.extra_data or {}
        claims = claims.get("userinfo", claims) if isinstance(claims, dict) else {}
        if not district_identity_ok(claims):
            raise ImmediateHttpResponse(HttpResponseForbidden("This sign-in is limited to district accounts."))
        # Link to the roster person with the same e-mail, when there is one.
        from steward.people.models import Person

        email = str(claims.get("email") or claims.get("preferred_username") or "").lower()
        person = Person.objects.filter(email__iexact=email, active=True, kind="staff").first()
        if person and person.user_id and not sociallogin.is_existing:
            sociallogin.connect(request, person.user)
