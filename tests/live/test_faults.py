"""Faults on the in-process path: 429 and 5xx storms, duplicates, out-of-order and malformed
deliveries, a worker that dies mid-event or mid-reply. Each ends with every event archived once
and every action done once. (The same faults against a real Celery worker: test_worker.py.)"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from steward.archive.models import Record
from steward.moderation.models import Decision, PlatformAction
from steward.platforms import pipeline
from steward.platforms.models import Comment, PlatformConnection, WebhookEvent
from steward.platforms.services import clients_reset
from tests.live.conftest import comment_webhook, connect, deliver, on_commit

pytestmark = pytest.mark.django_db


def time_passes() -> None:
    """Every back-off and lease runs out (instead of sleeping for minutes)."""
    past = timezone.now() - dt.timedelta(seconds=1)
    PlatformAction.objects.exclude(state="done").update(next_attempt_at=past)
    PlatformAction.objects.filter(state="running").update(lease_until=past)
    WebhookEvent.objects.filter(state__in=["received", "processing"]).update(next_attempt_at=past)
    WebhookEvent.objects.filter(state="processing").update(lease_until=past)
    PlatformConnection.objects.update(throttled_until=None)
    clients_reset()  # in-memory throttles too


def sweep_until_quiet(rounds: int = 20) -> None:
    for _ in range(rounds):
        time_passes()
        with on_commit():
            counts = pipeline.sweep()
        if counts == {"events": 0, "actions": 0}:
            return
    raise AssertionError("still busy after sweeping")


def platform_hides(fake, comment_id):
    return [c for c in fake.calls if c.method == "POST" and comment_id in c.path and c.status == 200
            and str(c.params.get("is_hidden")).lower() == "true"]  # fmt: skip


@pytest.mark.parametrize("kind,status", [("rate_limit", None), ("rate_limit", 400), ("error", 500), ("error", 503)])
def test_storm_then_done_once(fb, fake, kind, status):
    post = fake.add_post("facebook", "Snow day tomorrow")
    fake.inject_fault(kind, count=6, platform="facebook", status=status, retry_after=120)
    cids = []
    for i in range(3):
        cid, payload = comment_webhook(fake, "facebook", post, f"shit number {i}, fuck")
        assert deliver(fake, "facebook", payload).status_code == 200  # acknowledged though the platform fails
        cids.append(cid)
    assert PlatformAction.objects.filter(kind="hide").exclude(state="done").exists()
    sweep_until_quiet()
    for cid in cids:
        assert fake.comment("facebook", cid).hidden
        assert len(platform_hides(fake, cid)) == 1
        assert Record.objects.filter(platform_id=cid, version="created").count() == 1
        assert Record.objects.filter(platform_id=cid, version="hidden").count() == 1
    assert set(PlatformAction.objects.values_list("state", flat=True)) == {"done"}


def test_duplicates_and_rewrapped_redelivery(fb, fake):
    post = fake.add_post("facebook")
    cid, payload = comment_webhook(fake, "facebook", post, "fuck you all")
    for _ in range(5):
        deliver(fake, "facebook", payload)
    rewrapped = json.loads(json.dumps(payload))
    rewrapped["entry"][0]["time"] += 5  # Meta batches and re-sends: other bytes, same change
    deliver(fake, "facebook", rewrapped)
    assert WebhookEvent.objects.count() == 2
    assert Record.objects.filter(platform_id=cid, version="created").count() == 1
    assert Decision.objects.filter(comment__comment_id=cid).count() == 1
    assert len(platform_hides(fake, cid)) == 1


def test_out_of_order_versions(fb, fake):
    post = fake.add_post("facebook")
    cid, add = comment_webhook(fake, "facebook", post, "first words")
    fake.edit_comment("facebook", cid, "second words", send_webhook=False)
    edit = fake.webhook_payload(fake._get("facebook", cid), "edited")
    fake.remove_comment("facebook", cid, send_webhook=False)
    remove = fake.webhook_payload(fake._get("facebook", cid), "remove")
    for payload in (remove, edit, add):  # newest first
        deliver(fake, "facebook", payload)
    comment = Comment.objects.get(comment_id=cid)
    assert comment.state == "deleted"
    versions = sorted(Record.objects.filter(platform_id=cid).values_list("version", flat=True))
    assert versions == ["created", "deleted_by_author", "edited"]
    assert set(Record.objects.filter(platform_id=cid).values_list("text", flat=True)) >= {"first words", "second words"}


def test_malformed_payloads_are_kept_and_shown(fb, fake, client_as):
    for body in (b"not json at all", b'{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{"item":"comment","verb":"zap"}}]}]}', b"[]"):
        r = deliver(fake, "facebook", body)
        assert r.status_code == 200  # stored and acknowledged; refusing would make Meta retry forever
    assert WebhookEvent.objects.filter(state="failed").count() == 3
    page = client_as("media_officer").get("/platforms/live/")
    assert b"malformed" in page.content
    event = WebhookEvent.objects.filter(state="failed").first()
    with on_commit():
        r = client_as("media_officer").post(f"/platforms/live/events/{event.pk}/retry/")
    assert r.status_code == 302
    event.refresh_from_db()
    assert event.state == "failed" and event.attempts == 2


def test_worker_dies_mid_event(fb, fake):
    post = fake.add_post("facebook")
    cid, payload = comment_webhook(fake, "facebook", post, "fuck this")
    body = json.dumps(payload).encode()
    from steward.platforms.services import webhook_store

    # Store without processing (the broker lost the message), then a worker claims it and dies.
    event = WebhookEvent.objects.create(platform="facebook", body=body, body_sha256="x", dedupe_key="k", signature_ok=True)
    assert pipeline.event_claim(event.pk) is not None
    assert pipeline.sweep()["events"] == 0  # leased: nobody else touches it
    sweep_until_quiet()
    assert Record.objects.filter(platform_id=cid, version="created").count() == 1
    assert len(platform_hides(fake, cid)) == 1
    assert webhook_store  # imported for symmetry with the receiver


def test_reply_is_never_posted_twice(fb, fake):
    post = fake.add_post("facebook", "Report cards")
    cid, payload = comment_webhook(fake, "facebook", post, "My daughter still has not received her IEP meeting date, who do I call?")
    deliver(fake, "facebook", payload)
    reply = PlatformAction.objects.get(kind="reply")
    assert reply.state == "done" and len(fake.replies("facebook", cid)) == 1
    # The worker posted, then died before recording it: the row is back to running, lease expired.
    PlatformAction.objects.filter(pk=reply.pk).update(state="running", done_at=None, created_platform_id="")
    sweep_until_quiet()
    assert len(fake.replies("facebook", cid)) == 1
    reply.refresh_from_db()
    assert reply.state == "done" and reply.response.get("found_existing")


def test_hide_twice_is_hide_once(fb, fake):
    post = fake.add_post("facebook")
    cid, payload = comment_webhook(fake, "facebook", post, "fuck this")
    deliver(fake, "facebook", payload)
    hide = PlatformAction.objects.get(kind="hide")
    for _ in range(3):
        with on_commit():
            assert pipeline.action_run(hide.pk) == "skipped"
    assert len(platform_hides(fake, cid)) == 1


def test_unsupported_action_goes_to_a_person(lps, fake):
    x = connect(lps, fake, "x")
    post = fake.add_post("x", "Game tonight")
    cid, payload = comment_webhook(fake, "x", post, "you are a fucking idiot")
    deliver(fake, "x", payload)
    comment = Comment.objects.get(comment_id=cid)
    assert fake.comment("x", cid).hidden
    assert comment.state == "hidden" and x.pk == comment.account_id


def test_only_the_office_retries(fb, fake, client_as):
    deliver(fake, "facebook", b"not json")
    event = WebhookEvent.objects.get()
    assert client_as("teacher_a").post(f"/platforms/live/events/{event.pk}/retry/").status_code == 404
    assert client_as("principal_a").post(f"/platforms/live/events/{event.pk}/retry/").status_code == 404
    assert client_as("outsider").get("/platforms/live/").status_code == 200  # sees nothing of anyone's
    assert b"not json" not in client_as("outsider").get(f"/platforms/live/events/{event.pk}/").content


def test_embedded_mode_retries_without_a_beat(fb, fake):
    from steward.platforms import services

    post = fake.add_post("facebook")
    fake.inject_fault("error", count=1, platform="facebook", status=500)
    cid, payload = comment_webhook(fake, "facebook", post, "fuck this")
    deliver(fake, "facebook", payload)
    assert not fake.comment("facebook", cid).hidden
    time_passes()
    services._LAST_SWEEP[0] = 0.0
    _, other = comment_webhook(fake, "facebook", post, "a kind word")
    deliver(fake, "facebook", other)  # the next delivery re-drives the throttled hide
    assert fake.comment("facebook", cid).hidden
