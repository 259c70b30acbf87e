"""Sign-in: the styled login page, local accounts, lockout, MFA for administrators, OIDC limits."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from steward.core.auth import (
    DistrictSocialAccountAdapter,
    axes_username,
    district_identity_ok,
    sociallogin_claims,
)
from tests.personas import PASSWORD

LOGIN = "/accounts/login/"
TENANT = "7c1b2a4e-1111-2222-3333-444455556666"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # allauth's rate limits and the TOTP replay guard live in the cache
    yield
    cache.clear()


def _login(client: Client, login: str, password: str):
    return client.post(LOGIN, {"login": login, "password": password})


# --- the page and local accounts -------------------------------------------------------------


def test_login_page_is_stewards_and_has_no_sign_up(db):
    response = Client().get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sign in to Steward" in html
    assert 'class="site-header"' in html and '<main id="main"' in html
    assert '<label for="id_login"' in html and '<label for="id_password"' in html
    assert "/accounts/signup/" not in html
    assert "Sign in with" not in html  # no identity provider is configured in the tests


@override_settings(
    SOCIALACCOUNT_PROVIDERS={
        "openid_connect": {
            "APPS": [
                {"provider_id": "google-workspace", "name": "Google Workspace", "client_id": "x", "secret": "y",
                 "settings": {"server_url": "https://accounts.google.com"}},
                {"provider_id": "microsoft-entra", "name": "Microsoft Entra ID", "client_id": "x", "secret": "y",
                 "settings": {"server_url": f"https://login.microsoftonline.com/{TENANT}/v2.0"}},
            ]
        }
    }
)
def test_login_page_shows_configured_identity_providers(db):
    html = Client().get(LOGIN).content.decode()
    assert "Sign in with Google Workspace" in html
    assert "Sign in with Microsoft Entra ID" in html
    assert "/accounts/oidc/google-workspace/login/" in html


def test_sign_up_is_closed(db):
    response = Client().get("/accounts/signup/")
    assert b"Sign Up Closed" in response.content or response.status_code in (302, 403, 404)


def test_sign_in_by_username_or_email(lps):
    client = Client()
    response = _login(client, "teacher_a", PASSWORD)
    assert response.status_code == 302 and response.url == reverse("core:dashboard")
    client = Client()
    response = _login(client, "teacher_a@lawrence.k12.ma.us", PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_wrong_password_shows_the_form_again(lps):
    response = _login(Client(), "teacher_a", "not-the-password")
    assert response.status_code == 200
    assert b"not correct" in response.content or b"errorlist" in response.content


def test_someone_who_left_cannot_sign_in(lps):
    lps.teacher_a.active = False
    lps.teacher_a.save()
    client = Client()
    response = _login(client, "teacher_a", PASSWORD)
    assert response.status_code == 403
    assert client.get("/").status_code == 302  # still signed out


def test_signed_out_pages_redirect_to_sign_in(db):
    response = Client().get("/")
    assert response.status_code == 302 and response.url.startswith(LOGIN)


# --- lockout ---------------------------------------------------------------------------------


def test_lockout_after_the_failure_limit_through_the_real_form(lps, settings):
    limit = settings.AXES_FAILURE_LIMIT
    client = Client()
    for _ in range(limit - 1):
        assert _login(client, "teacher_a", "wrong-password-123").status_code == 200
    locked = _login(client, "teacher_a", "wrong-password-123")
    assert locked.status_code == 429
    assert b"Too many failed sign-ins" in locked.content
    # Now even the right password is refused, by username or by e-mail...
    assert _login(client, "teacher_a", PASSWORD).status_code == 429
    assert _login(client, "teacher_a@lawrence.k12.ma.us", PASSWORD).status_code == 429
    assert client.get("/").status_code == 302
    # ...while other people still sign in.
    assert _login(Client(), "coach_a", PASSWORD).status_code == 302


def test_lockout_counts_username_and_email_together(lps, settings):
    client = Client()
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        login = "teacher_a" if i % 2 else "TEACHER_A@lawrence.k12.ma.us"
        assert _login(client, login, "wrong-password-123").status_code == 200
    assert _login(client, "teacher_a@lawrence.k12.ma.us", "wrong-password-123").status_code == 429


def test_axes_username_normalises(lps):
    request = SimpleNamespace(POST={})
    assert axes_username(request, {"email": "Teacher_A@lawrence.k12.ma.us"}) == "teacher_a"
    assert axes_username(request, {"username": "Teacher_A"}) == "teacher_a"
    assert axes_username(SimpleNamespace(POST={"login": "nobody@x.org"}), None) == "nobody@x.org"
    assert axes_username(request, None) is None


# --- multi-factor sign-in for administrators -------------------------------------------------


def _totp_code(secret: str) -> str:
    import time

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.mark.parametrize("name", ["principal_a", "media_officer", "superintendent", "athletics_head"])
def test_administrators_must_set_up_mfa(client_as, settings, name):
    settings.STEWARD_REQUIRE_MFA_FOR_ADMINS = True
    response = client_as(name).get("/")
    assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")
    # Through the real sign-in: every page leads to the set-up page, which is reachable.
    client = Client()
    assert _login(client, name, PASSWORD).status_code == 302
    for path in ["/", reverse("core:api_tokens"), "/admin/"]:
        response = client.get(path)
        assert response.status_code == 302 and response.url == reverse("mfa_activate_totp"), path
    # Setting up a second factor asks for the password again (allauth's reauthentication).
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_reauthenticate"))
    response = client.post(response.url, {"password": PASSWORD})
    assert response.status_code == 302
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    assert b"site-header" in response.content  # in Steward's layout


@pytest.mark.parametrize("name", ["teacher_a", "coach_a", "outsider"])
def test_other_staff_are_not_forced_into_mfa(client_as, settings, name):
    settings.STEWARD_REQUIRE_MFA_FOR_ADMINS = True
    assert client_as(name).get("/").status_code == 200


def test_administrator_with_totp_signs_in_with_a_code(lps, settings):
    settings.STEWARD_REQUIRE_MFA_FOR_ADMINS = True
    secret = generate_totp_secret()
    TOTP.activate(lps.user("principal_a"), secret)
    client = Client()
    response = _login(client, "principal_a", PASSWORD)
    assert response.status_code == 302 and response.url == reverse("mfa_authenticate")
    # A password alone does not sign in.
    assert client.get("/").status_code == 302
    assert client.post(reverse("mfa_authenticate"), {"code": "000000"}).status_code == 200
    response = client.post(reverse("mfa_authenticate"), {"code": _totp_code(secret)})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert Authenticator.objects.filter(user=lps.user("principal_a"), type="totp").exists()


# --- OpenID Connect: only the district's domain or tenant ------------------------------------

GOOD_GOOGLE = {
    "iss": "https://accounts.google.com", "sub": "1", "email": "teacher_a@lawrence.k12.ma.us",
    "email_verified": True, "hd": "lawrence.k12.ma.us",
}
GOOD_ENTRA = {
    "iss": f"https://login.microsoftonline.com/{TENANT}/v2.0", "sub": "2", "tid": TENANT,
    "preferred_username": "teacher_a@lawrence.k12.ma.us",
}


@pytest.fixture
def entra_tenant(settings):
    settings.OIDC_MICROSOFT_TENANT_ID = TENANT
    settings.DISTRICT_EMAIL_DOMAIN = "lawrence.k12.ma.us"


def test_google_right_domain(entra_tenant):
    assert district_identity_ok(GOOD_GOOGLE, provider="google-workspace")
    assert district_identity_ok(GOOD_GOOGLE)


@pytest.mark.parametrize(
    "change",
    [
        {"hd": "gmail.com"},
        {"hd": None},
        {"hd": "students.lawrence.k12.ma.us"},
        {"email": "teacher@gmail.com", "hd": None},
        {"email": "teacher@evil-lawrence.k12.ma.us"},
        {"email_verified": False},
        {"email_verified": "false"},
        {"email_verified": None},
        {"iss": "https://evil.example.com"},
        {"tid": TENANT},  # a Microsoft-looking token where Google's was expected
    ],
)
def test_google_refused(entra_tenant, change):
    claims = {**GOOD_GOOGLE, **change}
    claims = {k: v for k, v in claims.items() if v is not None}
    assert not district_identity_ok(claims, provider="google-workspace")


def test_entra_right_tenant(entra_tenant):
    assert district_identity_ok(GOOD_ENTRA, provider="microsoft-entra")
    assert district_identity_ok(GOOD_ENTRA)


@pytest.mark.parametrize(
    "change",
    [
        {"tid": "9188040d-6c67-4c5b-b112-36a304b66dad"},  # the personal Microsoft accounts tenant
        {"tid": None},
        {"iss": "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0"},
        {"preferred_username": "teacher@outlook.com"},
        {"email": "teacher_a@lawrence.k12.ma.us", "email_verified": False},
    ],
)
def test_entra_refused(entra_tenant, change):
    claims = {k: v for k, v in {**GOOD_ENTRA, **change}.items() if v is not None}
    assert not district_identity_ok(claims, provider="microsoft-entra")


def test_entra_refused_when_no_tenant_is_configured(settings):
    settings.OIDC_MICROSOFT_TENANT_ID = ""
    assert not district_identity_ok(GOOD_ENTRA, provider="microsoft-entra")


def test_claims_trust_the_id_token_over_userinfo():
    claims = sociallogin_claims({"userinfo": {"hd": "lawrence.k12.ma.us", "email": "a@b"}, "id_token": {"hd": "gmail.com"}})
    assert claims["hd"] == "gmail.com" and claims["email"] == "a@b"


class _FakeSocialLogin:
    def __init__(self, provider: str, claims: dict, existing: bool = False):
        self.account = SimpleNamespace(provider=provider, extra_data={"id_token": claims})
        self.is_existing = existing
        self.connected_to = None

    def connect(self, request, user):
        self.connected_to = user


def _request():
    from django.test import RequestFactory

    request = RequestFactory().get("/accounts/oidc/google-workspace/login/callback/")
    request.user = SimpleNamespace(is_authenticated=False)
    return request


def test_adapter_links_a_district_login_to_the_roster_person(lps, entra_tenant):
    sociallogin = _FakeSocialLogin("google-workspace", GOOD_GOOGLE)
    DistrictSocialAccountAdapter().pre_social_login(_request(), sociallogin)
    assert sociallogin.connected_to == lps.user("teacher_a")
    sociallogin = _FakeSocialLogin("microsoft-entra", GOOD_ENTRA)
    DistrictSocialAccountAdapter().pre_social_login(_request(), sociallogin)
    assert sociallogin.connected_to == lps.user("teacher_a")


@pytest.mark.parametrize(
    ("provider", "claims"),
    [
        ("google-workspace", {**GOOD_GOOGLE, "hd": "gmail.com"}),
        ("google-workspace", {**GOOD_GOOGLE, "email_verified": False}),
        ("microsoft-entra", {**GOOD_ENTRA, "tid": "00000000-0000-0000-0000-000000000000"}),
        # right domain, but nobody on the roster has this address
        ("google-workspace", {**GOOD_GOOGLE, "email": "stranger@lawrence.k12.ma.us"}),
    ],
)
def test_adapter_refuses(lps, entra_tenant, provider, claims):
    with pytest.raises(ImmediateHttpResponse) as caught:
        DistrictSocialAccountAdapter().pre_social_login(_request(), _FakeSocialLogin(provider, claims))
    assert caught.value.response.status_code == 403


def test_adapter_refuses_someone_who_left(lps, entra_tenant):
    lps.teacher_a.active = False
    lps.teacher_a.save()
    with pytest.raises(ImmediateHttpResponse):
        DistrictSocialAccountAdapter().pre_social_login(_request(), _FakeSocialLogin("google-workspace", GOOD_GOOGLE))


def test_signed_in_pages_are_not_cached(client_as):
    response = client_as("principal_a").get("/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_session_cookie_flags(lps, settings):
    client = Client()
    response = _login(client, "teacher_a", PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_sign_out_ends_the_session(lps):
    client = Client()
    _login(client, "teacher_a", PASSWORD)
    session_key = client.cookies["sessionid"].value
    assert client.post(reverse("account_logout")).status_code == 302
    replay = Client()
    replay.cookies["sessionid"] = session_key
    response = replay.get("/")
    assert response.status_code == 302 and response.url.startswith(LOGIN)


@pytest.mark.parametrize("name", ["principal_a", "teacher_a", "outsider"])
def test_my_account_page(client_as, name):
    response = client_as(name).get(reverse("core:my_account"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Two-factor authentication" in html
    if name == "principal_a":
        assert "School leader, Lawrence High School" in html and "Required for your role." in html
    if name == "outsider":
        assert "Not on the district roster" in html
