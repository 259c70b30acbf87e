"""Connecting an account by signing in with the platform (OAuth 2.0), end to end.

The Django test client drives Steward; the consent screens and token endpoints are the fake
platform server's, reached over HTTP. :func:`browse` follows each redirect to whichever of the two
it points at, as a browser would.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from steward.core.models import AuditEvent
from steward.platforms import oauth as oauthlib
from steward.platforms import services
from steward.platforms.errors import AuthError
from steward.platforms.fake import FakePlatforms
from steward.platforms.models import PlatformConnection
from steward.registry.models import Account
from tests.live.conftest import fake as fake  # noqa: F401 - fixtures
from tests.live.conftest import live_settings as live_settings  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def oauth(settings: Any, fake: FakePlatforms) -> FakePlatforms:  # noqa: F811
    for name, value in fake.oauth_settings().items():
        setattr(settings, name, value)
    return fake


def register(lps: Any, platform: str, platform_account_id: str = "", **kw: Any) -> Account:
    return Account.objects.create(
        platform=platform, handle=f"lps-{platform}", display_name=f"LPS on {platform}",
        owning_unit=lps.school_a, kind="school", status="registered",
        platform_account_id=platform_account_id, **kw,
    )  # fmt: skip


def browse(client: Client, fake: FakePlatforms, response: Any, *, hops: list[str] | None = None) -> Any:
    """Follow redirects across Steward (the test client) and the fake platforms (HTTP)."""
    for _ in range(10):
        if response.status_code not in (301, 302, 303):
            return response
        url = response["Location"] if hasattr(response, "wsgi_request") else response.headers["location"]
        if hops is not None:
            hops.append(url)
        if url.startswith(fake.url):
            response = httpx.get(url, follow_redirects=False)
        else:
            parts = urlsplit(url)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            response = client.get(path, secure=parts.scheme == "https")
    raise AssertionError("redirect loop")


def connect_by_signing_in(client: Client, fake: FakePlatforms, account: Account, hops: list[str] | None = None) -> Any:
    start = client.post(f"/platforms/accounts/{account.pk}/connection/oauth/")
    return browse(client, fake, start, hops=hops)


def test_facebook_sign_in_connects_the_page_and_the_page_works(oauth, lps, client_as):
    account = register(lps, "facebook", oauth.accounts["facebook"])
    client = client_as("media_officer")
    detail = client.get(f"/accounts-registry/{account.pk}/")
    assert b"Connect with Facebook" in detail.content
    hops: list[str] = []
    page = connect_by_signing_in(client, oauth, account, hops)
    assert page.status_code == 200, page.content
    assert b"Connected with Facebook" in page.content
    # browser: Steward → Facebook's dialog → Steward's callback → the connection page
    assert hops[0].startswith(f"{oauth.url}/facebook/dialog/oauth?")
    asked = parse_qs(urlsplit(hops[0]).query)
    assert asked["client_id"] == ["fake-meta-app-id"] and "pages_manage_engagement" in asked["scope"][0]
    assert asked["redirect_uri"] == ["https://steward.example.org/platforms/oauth/meta/callback/"]
    assert urlsplit(hops[1]).path == "/platforms/oauth/meta/callback/"

    conn = PlatformConnection.objects.get(account=account)
    assert conn.connected_via == "oauth" and conn.status == "active"
    assert conn.app_id == "fake-meta-app-id" and conn.base_url == oauth.base_url("facebook")
    # the Page token from /me/accounts, encrypted; the User tokens are not kept anywhere
    assert services.decrypt(conn.access_token_encrypted) == oauth.tokens["facebook"]
    assert oauth.tokens["facebook"] not in conn.access_token_encrypted
    assert conn.refresh_token_encrypted == "" and conn.token_expires_at is None
    paths = [(c.path.rsplit("/", 2)[-2:], c.params.get("grant_type")) for c in oauth.calls]
    assert (["oauth", "access_token"], None) in paths  # the code exchange
    assert (["oauth", "access_token"], "fb_exchange_token") in paths  # the long-lived token
    assert (["me", "accounts"], None) in paths
    event = AuditEvent.objects.get(action="platforms.connection_authorized")
    assert event.actor == lps.user("media_officer") and event.clause == "1.4"
    assert event.after["via"] == "oauth" and event.after["platform_account_id"] == oauth.accounts["facebook"]

    # The connection works: the stored Page token (with appsecret_proof) hides a comment.
    post = oauth.add_post("facebook", "Snow day tomorrow")
    cid = oauth.add_comment("facebook", post, "off-topic spam", send_webhook=False)
    services.client_for(conn).hide_comment(cid)
    assert oauth.comment("facebook", cid).hidden


def test_instagram_sign_in_takes_the_account_behind_the_page(oauth, lps, client_as):
    account = register(lps, "instagram", oauth.accounts["instagram"])
    page = connect_by_signing_in(client_as("media_officer"), oauth, account)
    assert page.status_code == 200
    conn = PlatformConnection.objects.get(account=account)
    assert conn.platform_account_id == oauth.accounts["instagram"]
    assert conn.page_id == oauth.accounts["facebook"]


def test_an_unlinked_registry_entry_takes_the_only_page_offered(oauth, lps, client_as):
    account = register(lps, "facebook")
    connect_by_signing_in(client_as("media_officer"), oauth, account)
    account.refresh_from_db()
    assert account.platform_account_id == oauth.accounts["facebook"]


def test_youtube_sign_in_uses_pkce_and_refreshes_before_expiry(oauth, lps, client_as):
    account = register(lps, "youtube", oauth.accounts["youtube"])
    hops: list[str] = []
    with time_machine.travel(dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC), tick=False):
        assert connect_by_signing_in(client_as("media_officer"), oauth, account, hops).status_code == 200
        asked = parse_qs(urlsplit(hops[0]).query)
        assert asked["code_challenge_method"] == ["S256"] and len(asked["code_challenge"][0]) == 43
        assert asked["access_type"] == ["offline"]
        conn = PlatformConnection.objects.get(account=account)
        assert conn.token_expires_at == timezone.now() + dt.timedelta(seconds=3599)
        first_refresh = services.decrypt(conn.refresh_token_encrypted)
        assert first_refresh.startswith("fake-google-refresh-")
        exchange = next(c for c in oauth.calls if c.path == "/google/token")
        assert len(exchange.params["code_verifier"]) >= 43
        # Still fresh: the client uses the token as it is.
        assert services.client_for(conn).access_token == oauth.tokens["youtube"]

    # Two hours later Google no longer accepts the first token; Steward refreshes before calling.
    new_token = oauth.expire_access_token("youtube")
    with time_machine.travel(dt.datetime(2026, 11, 30, 11, 0, tzinfo=dt.UTC), tick=False):
        oauth.add_post("youtube", "Lancers highlights")
        client = services.client_for(PlatformConnection.objects.get(account=account))
        assert client.list_comment_threads().items == []  # type: ignore[attr-defined]
        conn = PlatformConnection.objects.get(account=account)
        assert services.decrypt(conn.access_token_encrypted) == new_token
        assert services.decrypt(conn.refresh_token_encrypted) == first_refresh  # Google keeps it
        assert conn.token_expires_at == timezone.now() + dt.timedelta(seconds=3599)
    refreshed = AuditEvent.objects.get(action="platforms.token_refreshed")
    assert refreshed.actor is None and refreshed.actor_label == "system"


def test_x_sign_in_and_rotating_refresh_tokens(oauth, lps, client_as):
    account = register(lps, "x", oauth.accounts["x"])
    assert connect_by_signing_in(client_as("media_officer"), oauth, account).status_code == 200
    conn = PlatformConnection.objects.get(account=account)
    assert conn.connected_via == "oauth" and conn.token_expires_at is not None
    first = services.decrypt(conn.refresh_token_encrypted)
    services.connection_refresh(conn=conn, force=True)
    conn.refresh_from_db()
    second = services.decrypt(conn.refresh_token_encrypted)
    assert second != first and first not in oauth.refresh_tokens  # X rotated it
    services.connection_refresh(conn=conn, force=True)  # works only with the stored new one
    conn.refresh_from_db()
    assert services.decrypt(conn.refresh_token_encrypted) not in (first, second)
    assert conn.status == "active"


def test_a_refused_refresh_asks_for_reconnection(oauth, lps, client_as):
    account = register(lps, "x", oauth.accounts["x"])
    connect_by_signing_in(client_as("media_officer"), oauth, account)
    oauth.refresh_tokens.clear()  # revoked at X
    conn = PlatformConnection.objects.get(account=account)
    with pytest.raises(AuthError):
        services.connection_refresh(conn=conn, force=True)
    conn.refresh_from_db()
    assert conn.status == "needs_reconnect" and "reconnect" in conn.last_error
    page = client_as("media_officer").get(f"/platforms/accounts/{account.pk}/connection/")
    assert b"Needs reconnecting" in page.content and b"Reconnect with X" in page.content
    detail = client_as("media_officer").get(f"/accounts-registry/{account.pk}/")
    assert b"Reconnect with X" in detail.content


# -- what goes wrong is said clearly, and changes nothing ------------------------------------------


def test_consent_refused(oauth, lps, client_as):
    oauth.oauth_deny = True
    account = register(lps, "facebook", oauth.accounts["facebook"])
    page = connect_by_signing_in(client_as("media_officer"), oauth, account)
    assert page.status_code == 400
    assert b"Permission was not granted at Facebook" in page.content and b"Permissions error" in page.content
    assert not PlatformConnection.objects.exists()


def test_a_callback_nobody_started_is_refused(oauth, lps, client_as):
    register(lps, "facebook", oauth.accounts["facebook"])
    page = client_as("media_officer").get("/platforms/oauth/meta/callback/?code=stolen&state=forged")
    assert page.status_code == 400 and b"not started from Steward" in page.content
    assert not [c for c in oauth.calls if "access_token" in c.path]  # no code was exchanged


def test_the_callback_works_once(oauth, lps, client_as):
    account = register(lps, "facebook", oauth.accounts["facebook"])
    client = client_as("media_officer")
    hops: list[str] = []
    connect_by_signing_in(client, oauth, account, hops)
    callback = urlsplit(hops[1])
    again = client.get(f"{callback.path}?{callback.query}", secure=True)
    assert again.status_code == 400 and b"not started from Steward" in again.content


def test_another_users_sign_in_cannot_be_finished(oauth, lps, client_as):
    account = register(lps, "youtube", oauth.accounts["youtube"])
    alice = client_as("media_officer")
    start = alice.post(f"/platforms/accounts/{account.pk}/connection/oauth/")
    consent = httpx.get(start["Location"], follow_redirects=False).headers["location"]
    callback = urlsplit(consent)
    bob = client_as("superintendent")  # another session: its session has no such state
    page = bob.get(f"{callback.path}?{callback.query}", secure=True)
    assert page.status_code == 400 and not PlatformConnection.objects.exists()


def test_signing_in_as_the_wrong_page_changes_nothing(oauth, lps, client_as):
    account = register(lps, "facebook", "999999999")
    page = connect_by_signing_in(client_as("media_officer"), oauth, account)
    assert page.status_code == 400
    assert b"does not manage the Facebook Page with id 999999999" in page.content
    assert b"Lawrence Public Schools (1234567890321)" in page.content
    assert not PlatformConnection.objects.exists()


def test_signing_in_as_the_wrong_channel_changes_nothing(oauth, lps, client_as):
    account = register(lps, "youtube", "UCsomeoneelse")
    page = connect_by_signing_in(client_as("media_officer"), oauth, account)
    assert page.status_code == 400 and b"registry entry is channel id UCsomeoneelse" in page.content
    assert not PlatformConnection.objects.exists()


def test_a_tampered_pkce_verifier_is_refused_by_the_platform(oauth, lps, client_as):
    account = register(lps, "x", oauth.accounts["x"])
    client = client_as("media_officer")
    start = client.post(f"/platforms/accounts/{account.pk}/connection/oauth/")
    session = client.session
    started = session["steward.platforms.oauth"]
    for pending in started.values():
        pending["verifier"] = "x" * 64
    session["steward.platforms.oauth"] = started
    session.save()
    page = browse(client, oauth, start)
    assert page.status_code == 400 and b"code_verifier does not match" in page.content
    assert not PlatformConnection.objects.exists()


def test_not_configured_says_which_settings(oauth, lps, client_as, settings):
    settings.GOOGLE_OAUTH_CLIENT_ID = ""
    account = register(lps, "youtube", oauth.accounts["youtube"])
    client = client_as("media_officer")
    page = client.get(f"/platforms/accounts/{account.pk}/connection/")
    assert b"set GOOGLE_OAUTH_CLIENT_ID and GOOGLE_OAUTH_CLIENT_SECRET" in page.content
    start = client.post(f"/platforms/accounts/{account.pk}/connection/oauth/", follow=True)
    assert b"not configured" in start.content and not PlatformConnection.objects.exists()


def test_tiktok_has_no_sign_in_and_keeps_the_pasted_token(oauth, lps, client_as):
    account = register(lps, "tiktok", oauth.accounts["tiktok"])
    client = client_as("media_officer")
    page = client.get(f"/platforms/accounts/{account.pk}/connection/")
    assert b"Connect with" not in page.content and b"Paste a token" in page.content
    start = client.post(f"/platforms/accounts/{account.pk}/connection/oauth/", follow=True)
    assert b"no documented sign-in flow" in start.content


def test_pkce_follows_rfc_7636():
    # RFC 7636 appendix B
    assert oauthlib.pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    verifier, challenge = oauthlib.pkce_pair()
    assert 43 <= len(verifier) <= 128 and challenge == oauthlib.pkce_challenge(verifier)
    assert set(verifier) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def test_a_wrong_client_secret_is_named_as_such(oauth, settings):
    settings.X_OAUTH_CLIENT_SECRET = "not-the-secret"
    provider = services.oauth_provider("x")
    with pytest.raises(oauthlib.OAuthError, match="invalid_client.*client id or secret"):
        oauthlib.exchange_code(provider, code="anything", redirect_uri="https://steward.example.org/cb",
                               code_verifier="v" * 43)  # fmt: skip


def test_an_unreachable_provider_is_worth_retrying(oauth, settings):
    from steward.platforms.errors import TransientError

    settings.GOOGLE_OAUTH_TOKEN_URL = "http://127.0.0.1:9/token"  # nothing listens on the discard port
    provider = services.oauth_provider("youtube")
    with pytest.raises(TransientError, match="Could not reach Google"):
        oauthlib.exchange_code(provider, code="c", redirect_uri="https://steward.example.org/cb", code_verifier="v" * 43)


# -- who may connect --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("media_officer", 302), ("superintendent", 302), ("records_officer", 403), ("principal_a", 403),
     ("teacher_a", 404), ("principal_b", 404), ("outsider", 404)],
)  # fmt: skip
def test_only_the_communications_and_superintendent_offices_start_a_connection(oauth, lps, client_as, persona, status):
    account = register(lps, "facebook", oauth.accounts["facebook"])
    assert client_as(persona).post(f"/platforms/accounts/{account.pk}/connection/oauth/").status_code == status
    detail = client_as(persona).get(f"/accounts-registry/{account.pk}/")
    assert (b"Connect with Facebook" in detail.content) is (status == 302)


def test_start_is_post_only_and_needs_sign_in(oauth, lps, client_as):
    account = register(lps, "facebook", oauth.accounts["facebook"])
    assert client_as("media_officer").get(f"/platforms/accounts/{account.pk}/connection/oauth/").status_code == 405
    anonymous = Client().post(f"/platforms/accounts/{account.pk}/connection/oauth/")
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


def test_the_records_officer_sees_but_does_not_hold_the_keys(oauth, lps, client_as):
    account = register(lps, "facebook", oauth.accounts["facebook"])
    records = client_as("records_officer")
    assert records.get(f"/platforms/accounts/{account.pk}/connection/").status_code == 403
    assert records.get("/platforms/live/").status_code == 200
    assert b"Platform connection" not in records.get(f"/accounts-registry/{account.pk}/").content
    assert b"Platform connection" in client_as("media_officer").get(f"/accounts-registry/{account.pk}/").content


def test_a_token_revoked_before_its_expiry_is_refreshed_and_the_action_done(oauth, lps, client_as):
    """X refuses the access token an hour before it was due to expire: the hide refreshes it once
    with the stored refresh token and is done on the next try; the connection stays active."""
    from steward.moderation import services as moderation
    from steward.moderation.models import PlatformAction
    from steward.platforms.models import Comment
    from tests.live.conftest import comment_webhook, deliver, on_commit
    from tests.live.test_faults import sweep_until_quiet

    account = register(lps, "x", oauth.accounts["x"])
    connect_by_signing_in(client_as("media_officer"), oauth, account)
    post = oauth.add_post("x", "Game tonight at the field house")
    cid, payload = comment_webhook(oauth, "x", post, "Which gate opens first tonight?")
    deliver(oauth, "x", payload)
    comment = Comment.objects.get(comment_id=cid)
    oauth.expire_access_token("x")  # revoked at X, well before token_expires_at
    with on_commit():
        moderation.comment_decide(actor=lps.user("media_officer"), comment=comment, outcome="remove",
                                  category="off_topic", reason="test of a removal", viewpoint_attested=True)  # fmt: skip
    hide = PlatformAction.objects.get(decision__comment=comment, kind="hide")
    assert hide.state == "pending" and "refreshed" in hide.last_error
    sweep_until_quiet()
    hide.refresh_from_db()
    conn = PlatformConnection.objects.get(account=account)
    assert hide.state == "done" and conn.status == "active"
    assert services.decrypt(conn.access_token_encrypted) == oauth.tokens["x"]
    assert AuditEvent.objects.filter(action="platforms.token_refreshed").count() == 1


def test_a_poll_that_meets_a_revoked_token_refreshes_it_and_polls_again(oauth, lps, client_as):
    from steward.platforms.models import Comment
    from steward.platforms.pollers import cursors_ensure, poll_cursor, polls_due
    from tests.live.conftest import on_commit

    account = register(lps, "youtube", oauth.accounts["youtube"])
    connect_by_signing_in(client_as("media_officer"), oauth, account)
    post = oauth.add_post("youtube", "Lancers highlights")
    cid = oauth.add_comment("youtube", post, "Great season, proud of these kids")
    oauth.expire_access_token("youtube")  # refused by Google before token_expires_at
    cursors_ensure()
    (cursor_id,) = polls_due(force=True)
    with on_commit():
        assert poll_cursor(cursor_id) == "token refreshed"
        assert cursor_id in polls_due()  # due again at once
        assert poll_cursor(cursor_id) == "1 changes"
    assert Comment.objects.filter(comment_id=cid).exists()
    assert PlatformConnection.objects.get(account=account).status == "active"
