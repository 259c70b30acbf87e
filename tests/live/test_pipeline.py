"""The live path in process: webhook → stored → archived → judged → acted on, exactly once."""

from __future__ import annotations

import pytest

from steward.archive.models import Record
from steward.moderation.models import Decision, PlatformAction, QueueItem
from steward.platforms.models import Comment, WebhookEvent, WebhookRejection
from tests.live.conftest import comment_webhook, deliver

pytestmark = pytest.mark.django_db


def hides(fake, platform="facebook"):
    return [c for c in fake.calls if c.method == "POST" and c.params.get("is_hidden") in (True, "true", "True")]


def test_profanity_is_hidden_once_and_archived(accounts, fake):
    post = fake.add_post("facebook", "Snow day tomorrow")
    cid, payload = comment_webhook(fake, "facebook", post, "this is fucking bullshit")
    r = deliver(fake, "facebook", payload)
    assert r.status_code == 200
    assert fake.comment("facebook", cid).hidden
    comment = Comment.objects.get(comment_id=cid)
    assert comment.state == "hidden" and comment.hidden_by == "steward"
    d = Decision.objects.get(comment=comment)
    assert d.outcome == "hide" and d.clause == "1.8.b" and d.actor_label.startswith("engine@")
    assert PlatformAction.objects.get(decision=d, kind="hide").state == "done"
    assert QueueItem.objects.filter(comment=comment, reason="auto_hidden", state="open").exists()
    # two versions of the comment (created, hidden by the engine) and the decision
    assert list(Record.objects.filter(platform_id=cid).order_by("seq").values_list("version", flat=True)) == [
        "created", "hidden"]
    assert Record.objects.filter(kind="moderation_decision", parent_platform_id=cid).count() == 1
    # duplicate delivery: nothing changes
    r2 = deliver(fake, "facebook", payload)
    assert r2.status_code == 200 and r2.json()["duplicate"]
    assert WebhookEvent.objects.count() == 1
    assert Record.objects.filter(platform_id=cid).count() == 2


def test_criticism_is_kept(accounts, fake):
    post = fake.add_post("facebook", "The school committee voted on the budget")
    cid, payload = comment_webhook(fake, "facebook", post, "Cutting art teachers again is shameful")
    deliver(fake, "facebook", payload)
    assert not fake.comment("facebook", cid).hidden
    assert Comment.objects.get(comment_id=cid).state == "visible"
    assert not PlatformAction.objects.exists()


def test_bad_signature_is_refused_and_logged(accounts, fake):
    post = fake.add_post("facebook")
    _, payload = comment_webhook(fake, "facebook", post, "hello")
    r = deliver(fake, "facebook", payload, signature="sha256=" + "0" * 64)
    assert r.status_code == 403
    assert not WebhookEvent.objects.exists()
    assert WebhookRejection.objects.count() == 1


def test_meta_handshake_and_x_crc(accounts, client):
    from steward.platforms.signatures import x_crc_response
    from tests.live.conftest import VERIFY_TOKEN

    params = {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": VERIFY_TOKEN}
    r = client.get("/platforms/webhooks/facebook/", params)
    assert r.status_code == 200 and r.content == b"1158201444"
    r = client.get("/platforms/webhooks/facebook/", {**params, "hub.verify_token": "wrong"})
    assert r.status_code == 403
    r = client.get("/platforms/webhooks/x/", {"crc_token": "abc"})
    assert r.json() == x_crc_response("abc", "fake-x-consumer-secret")


def test_connection_page_encrypts_the_token(lps, fake, client_as):
    from steward.platforms.models import PlatformConnection
    from steward.platforms.services import decrypt
    from tests.live.conftest import connect

    account = connect(lps, fake, "facebook")
    url = f"/platforms/accounts/{account.pk}/connection/"
    r = client_as("media_officer").post(url, {"platform_account_id": fake.accounts["facebook"],
                                              "access_token": "new-secret-token", "base_url": fake.base_url("facebook")})  # fmt: skip
    assert r.status_code == 302
    conn = PlatformConnection.objects.get(account=account)
    assert "new-secret-token" not in conn.access_token_encrypted
    assert decrypt(conn.access_token_encrypted) == "new-secret-token"
    assert b"new-secret-token" not in client_as("media_officer").get(url).content
    assert client_as("principal_a").post(url, {"platform_account_id": "1"}).status_code == 403
