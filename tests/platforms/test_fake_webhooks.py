"""The fake platforms send signed webhooks that a receiver verifies and parses."""

from __future__ import annotations

import httpx
import pytest

from steward.platforms.base import Verb
from steward.platforms.errors import SignatureInvalid
from steward.platforms.fake import FakePlatforms
from steward.platforms.webhooks import parse_webhook, verify_webhook
from tests.platforms.conftest import Receiver


def verified_events(fake: FakePlatforms, receiver: Receiver, platform: str):  # type: ignore[no-untyped-def]
    """What a webhook view does: verify over the raw body, then (later) parse."""
    events = []
    for item in receiver.received:
        if f"/{platform}/" not in item.path:
            continue
        verify_webhook(platform, item.headers, item.body, fake.secret_for(platform))
        events += parse_webhook(platform, item.headers, item.body)
    return events


def test_facebook_comment_lifecycle_webhooks(
    fake_with_webhooks: FakePlatforms, receiver: Receiver
) -> None:
    fake = fake_with_webhooks
    post = fake.add_post("facebook")
    comment = fake.add_comment("facebook", post, "Gracias, maestra — ¡excelente!")
    fake.edit_comment("facebook", comment, "edited text")
    fake.edit_comment("facebook", comment, "edited again", verb="edit")
    fake.remove_comment("facebook", comment)
    events = verified_events(fake, receiver, "facebook")
    assert [e.verb for e in events] == [Verb.ADD, Verb.EDIT, Verb.EDIT, Verb.REMOVE]
    assert {e.object_id for e in events} == {comment}
    assert (
        events[0].comment is not None and events[0].comment.text == "Gracias, maestra — ¡excelente!"
    )
    assert events[1].dedupe_key != events[2].dedupe_key
    # Meta's escaped-unicode serialisation: the raw body has no non-ASCII bytes.
    assert receiver.received[0].body.isascii()
    assert all(d.status == 200 for d in fake.deliveries)


def test_legacy_sender_shape(fake_with_webhooks: FakePlatforms, receiver: Receiver) -> None:
    fake = fake_with_webhooks
    post = fake.add_post("facebook")
    fake.add_comment("facebook", post, "old style", author_id="8423678347823", legacy_sender=True)
    (event,) = verified_events(fake, receiver, "facebook")
    assert b'"sender_id": 8423678347823' in receiver.received[0].body
    assert event.comment is not None and event.comment.author is not None
    assert event.comment.author.id == "8423678347823"


def test_page_reply_is_echoed_as_own_comment(
    fake_with_webhooks: FakePlatforms, receiver: Receiver
) -> None:
    from steward.platforms.facebook.client import FacebookClient

    fake = fake_with_webhooks
    post = fake.add_post("facebook")
    comment = fake.add_comment("facebook", post, "question?")
    with FacebookClient(**fake.client_kwargs("facebook")) as client:
        client.reply(comment, "answer")
    fake.wait_for_deliveries(2)
    events = verified_events(fake, receiver, "facebook")
    own = [e for e in events if e.actor and e.actor.id == fake.accounts["facebook"]]
    assert len(own) == 1 and own[0].comment is not None and own[0].comment.is_reply


def test_instagram_and_x_webhooks(fake_with_webhooks: FakePlatforms, receiver: Receiver) -> None:
    fake = fake_with_webhooks
    media = fake.add_post("instagram")
    ig_comment = fake.add_comment("instagram", media, "nice")
    fake.edit_comment("instagram", ig_comment, "nicer")  # Instagram sends nothing for edits
    tweet = fake.add_post("x")
    long_text = "@LawrenceSchools " + "please reconsider the schedule " * 6
    reply = fake.add_comment("x", tweet, long_text)
    fake.remove_comment("x", reply)

    (ig_event,) = verified_events(fake, receiver, "instagram")
    assert ig_event.comment is not None and (ig_event.comment.id, ig_event.comment.post_id) == (
        ig_comment,
        media,
    )
    created, deleted = verified_events(fake, receiver, "x")
    assert (created.item, created.verb, created.object_id) == ("comment", Verb.ADD, reply)
    assert created.comment is not None and created.comment.text == long_text  # from extended_tweet
    assert (deleted.verb, deleted.object_id) == (Verb.REMOVE, reply)


def test_bad_signature_and_duplicates(
    fake_with_webhooks: FakePlatforms, receiver: Receiver
) -> None:
    fake = fake_with_webhooks
    post = fake.add_post("facebook", post_id="1234567890321_42")
    obj = fake.objects[("graph", post)]
    payload = {
        "object": "page",
        "entry": [
            {
                "id": obj.account_id,
                "time": 1,
                "changes": [
                    {"field": "feed", "value": {"item": "post", "verb": "add", "post_id": post}}
                ],
            }
        ],
    }
    fake.send_webhook("facebook", payload, signature="sha256=" + "0" * 64)
    fake.send_webhook("facebook", payload, times=2)
    bad, first, second = receiver.received
    with pytest.raises(SignatureInvalid):
        verify_webhook("facebook", bad.headers, bad.body, fake.app_secret)
    keys = set()
    for item in (first, second):
        verify_webhook("facebook", item.headers, item.body, fake.app_secret)
        keys |= {e.dedupe_key for e in parse_webhook("facebook", item.headers, item.body)}
    assert len(keys) == 1  # the duplicate delivery is recognisable


def test_out_of_order_delivery(fake_with_webhooks: FakePlatforms, receiver: Receiver) -> None:
    fake = fake_with_webhooks
    post = fake.add_post("facebook")
    comment = fake.add_comment("facebook", post, "first", send_webhook=False)
    fake.edit_comment("facebook", comment, "second", send_webhook=False)
    edited = fake.webhook_payload_for("facebook", comment, "edited")
    added = fake.webhook_payload_for("facebook", comment, "add")
    assert edited is not None and added is not None
    fake.send_webhook("facebook", edited)
    fake.send_webhook("facebook", added)  # the add arrives after the edit
    assert [e.verb for e in verified_events(fake, receiver, "facebook")] == [Verb.EDIT, Verb.ADD]
    assert (
        fake.webhook_payload_for(
            "instagram", fake.add_comment("instagram", fake.add_post("instagram"), "x"), "remove"
        )
        is None
    )


def test_failed_delivery_is_recorded(fake_with_webhooks: FakePlatforms, receiver: Receiver) -> None:
    receiver.status = 503
    fake = fake_with_webhooks
    fake.add_comment("facebook", fake.add_post("facebook"), "x")
    assert [d.status for d in fake.deliveries] == [503]
    fake.webhook_targets["facebook"] = "http://127.0.0.1:9/nowhere"
    fake.add_comment("facebook", fake.add_post("facebook"), "y")
    assert fake.deliveries[-1].status is None and fake.deliveries[-1].error


def test_handshakes(fake: FakePlatforms, receiver: Receiver) -> None:
    assert fake.verify_meta_subscription(
        f"{receiver.url}/platforms/webhooks/facebook/", receiver.verify_token
    )
    assert not fake.verify_meta_subscription(
        f"{receiver.url}/platforms/webhooks/facebook/", "wrong-token"
    )
    assert fake.x_crc_check(f"{receiver.url}/platforms/webhooks/x/")
    fake.x_consumer_secret = "rotated"
    assert not fake.x_crc_check(f"{receiver.url}/platforms/webhooks/x/")


def test_control_api_over_http(fake_with_webhooks: FakePlatforms, receiver: Receiver) -> None:
    fake = fake_with_webhooks
    with httpx.Client(base_url=fake.url) as http:
        post = http.post("/_control/posts", json={"platform": "facebook", "text": "hello"}).json()[
            "id"
        ]
        comment = http.post(
            "/_control/comments", json={"platform": "facebook", "post_id": post, "text": "hi"}
        ).json()["id"]
        assert (
            http.post(
                "/_control/faults", json={"kind": "error", "count": 2, "platform": "x"}
            ).status_code
            == 201
        )
        state = http.get("/_control/state").json()
        assert http.post("/_control/comments", json={"platform": "facebook"}).status_code == 400
    assert comment in {o["id"] for o in state["objects"]}
    assert state["faults"][0]["count"] == 2
    assert state["deliveries"] == [{"platform": "facebook", "status": 200, "error": ""}]
    (event,) = verified_events(fake, receiver, "facebook")
    assert event.object_id == comment


def test_redeliver_failed_after_receiver_recovers(
    fake_with_webhooks: FakePlatforms, receiver: Receiver
) -> None:
    fake = fake_with_webhooks
    receiver.status = 500  # Steward down
    post = fake.add_post("facebook")
    fake.add_comment("facebook", post, "one")
    fake.add_comment("facebook", post, "two")
    receiver.status = 200
    again = fake.redeliver_failed()
    assert [d.status for d in again] == [200, 200]
    assert fake.redeliver_failed() == []  # each failure is retried once per call
    bodies = [r.body for r in receiver.received]
    assert bodies[:2] == bodies[2:]  # byte-identical: same signature, same dedupe key
    for item in receiver.received[2:]:
        verify_webhook("facebook", item.headers, item.body, fake.app_secret)


def test_x_webhook_registration_runs_the_crc(fake: FakePlatforms, receiver: Receiver) -> None:
    from steward.platforms.errors import PermanentError
    from steward.platforms.x.client import XClient

    receiver.x_consumer_secret = fake.x_consumer_secret
    url = f"{receiver.url}/platforms/webhooks/x/"
    app = XClient(**{**fake.client_kwargs("x"), "access_token": fake.x_app_bearer})
    with app:
        hook = app.register_webhook(url)
        assert hook["valid"] is True and fake.webhook_targets["x"] == url
        receiver.x_consumer_secret = "rotated-on-our-side"
        assert app.revalidate_webhook(hook["id"]) is False
        with pytest.raises(PermanentError):
            app.register_webhook(url)  # CRC fails: X refuses the URL
    with XClient(**fake.client_kwargs("x")) as user:
        assert user.subscribe_account_activity(hook["id"]) is True
    receiver.x_consumer_secret = fake.x_consumer_secret
    post = fake.add_post("x")
    reply = fake.add_comment("x", post, "now delivered")
    (event,) = verified_events(fake, receiver, "x")
    assert event.object_id == reply
