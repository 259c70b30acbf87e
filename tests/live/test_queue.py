"""The moderation queue pages and services: scoping, decisions, blocks, appeals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from steward.archive.models import Record
from steward.core.errors import NotPermitted, PolicyViolation
from steward.moderation import services
from steward.moderation.models import Appeal, BlockProposal, Decision, PlatformAction, QueueItem
from steward.platforms.models import Comment
from steward.platforms.pipeline import appeal_token
from tests.live.conftest import comment_webhook, deliver, delivered_comment, on_commit

pytestmark = pytest.mark.django_db


def test_queue_is_scoped_by_school(fb, fake, client_as, lps):
    comment = delivered_comment(fake, "fuck this shit")
    assert QueueItem.objects.filter(comment=comment).exists()
    r = client_as("principal_a").get("/moderation/?reason=auto_hidden")
    assert r.status_code == 200 and comment.text.encode() in r.content
    r = client_as("principal_b").get("/moderation/?reason=auto_hidden")
    assert r.status_code == 200 and comment.text.encode() not in r.content
    assert client_as("principal_b").get(f"/moderation/comments/{comment.pk}/").status_code == 404
    page = client_as("media_officer").get(f"/moderation/comments/{comment.pk}/")
    assert page.status_code == 200 and b"1.8.b" in page.content


def test_pages_render(fb, fake, client_as):
    delivered_comment(fake, "fuck this shit")
    c = client_as("media_officer")
    for url in ["/moderation/", "/moderation/decisions/", "/moderation/blocks/", "/moderation/appeals/",
                "/platforms/live/", f"/platforms/accounts/{fb.pk}/connection/"]:
        assert c.get(url).status_code == 200, url
    assert client_as("teacher_a").get("/platforms/live/").status_code == 200
    assert client_as("teacher_a").get(f"/platforms/accounts/{fb.pk}/connection/").status_code in (403, 404)


def test_approve_unhides_through_the_connector(fb, fake, lps):
    comment = delivered_comment(fake, "fuck this shit")
    assert fake.comment("facebook", comment.comment_id).hidden
    with on_commit():
        d = services.comment_decide(actor=lps.user("principal_a"), comment=comment, outcome="approve",
                                    reason="a quote from the article")
    assert not fake.comment("facebook", comment.comment_id).hidden
    comment.refresh_from_db()
    assert comment.state == "visible"
    assert not QueueItem.objects.filter(comment=comment, state="open").exists()
    assert Record.objects.filter(platform_id=f"decision:{d.pk}", actor__contains="Murphy").exists()


def test_remove_needs_category_and_attestation(fb, fake, lps):
    post = fake.add_post("facebook", "Graduation photos")
    cid, payload = comment_webhook(fake, "facebook", post, "Lost cat on Main street, call me")
    deliver(fake, "facebook", payload)
    comment = Comment.objects.get(comment_id=cid)
    actor = lps.user("media_officer")
    with pytest.raises(PolicyViolation):
        services.comment_decide(actor=actor, comment=comment, outcome="remove")
    with pytest.raises(PolicyViolation):
        services.comment_decide(actor=actor, comment=comment, outcome="remove", category="off_topic")
    with on_commit():
        services.comment_decide(actor=actor, comment=comment, outcome="remove", category="off_topic",
                                viewpoint_attested=True, idempotency_key="k1")
        services.comment_decide(actor=actor, comment=comment, outcome="remove", category="off_topic",
                                viewpoint_attested=True, idempotency_key="k1")
    assert fake.comment("facebook", cid).hidden
    assert Decision.objects.filter(comment=comment, outcome="remove").count() == 1
    # off-topic removal of possible criticism gets a second person (MOD-3)
    assert QueueItem.objects.filter(comment=comment, reason="criticism_review", state="open").exists()
    with pytest.raises(NotPermitted):
        services.comment_decide(actor=lps.user("principal_b"), comment=comment, outcome="approve")


def test_escalation_emails_the_safety_contact(fb, fake, lps, settings):
    comment = delivered_comment(fake, "I am going to bring a gun to school tomorrow and shoot everyone")
    d = Decision.objects.get(comment=comment)
    assert d.outcome == "escalate" and d.category == "safety"
    assert [m.to for m in mail.outbox] == [[settings.SAFETY_CONTACT_EMAIL]]
    assert comment.text in mail.outbox[0].body
    assert fake.comment("facebook", comment.comment_id).hidden
    assert QueueItem.objects.filter(comment=comment, reason="escalated").exists()
    assert PlatformAction.objects.get(decision=d, kind="email").state == "done"


def test_personal_issue_reply_carries_notice_and_appeal(fb, fake, lps, client):
    comment = delivered_comment(fake, "My daughter still has not received her IEP meeting date, who do I call?")
    d = Decision.objects.get(comment=comment)
    if d.category != "personal_issue":
        pytest.skip(f"engine judged {d.category}")
    replies = fake.replies("facebook", comment.comment_id)
    assert len(replies) == 1
    assert "LPShelp@lawrence.k12.ma.us" in replies[0].text and "/moderation/appeal/" in replies[0].text
    # the reply comes back as a webhook from the Page itself: archived, never judged
    deliver(fake, "facebook", fake.webhook_payload(fake._get("facebook", replies[0].id), "add"))
    assert not Decision.objects.filter(comment__comment_id=replies[0].id).exists()
    # the public appeal form
    url = f"/moderation/appeal/{appeal_token(d.pk)}/"
    assert client.get(url).status_code == 200
    r = client.post(url, {"text": "It was about the bus route, everyone has this problem", "name": "Pat"})
    assert r.status_code == 200
    appeal = Appeal.objects.get()
    # reviewed by someone other than the first moderator
    with on_commit():
        services.appeal_review(actor=lps.user("media_officer"), appeal=appeal, reverse=True, reason="route-wide issue")
    appeal.refresh_from_db()
    assert appeal.state == "reversed"
    assert not fake.comment("facebook", comment.comment_id).hidden


def test_appeal_reviewer_must_differ(fb, fake, lps):
    post = fake.add_post("facebook", "Graduation photos")
    cid, payload = comment_webhook(fake, "facebook", post, "Buy cheap watches at my store")
    deliver(fake, "facebook", payload)
    comment = Comment.objects.get(comment_id=cid)
    moderator = lps.user("media_officer")
    with on_commit():
        d = services.comment_decide(actor=moderator, comment=comment, outcome="remove", category="commercial",
                                    viewpoint_attested=True)
    appeal = services.appeal_submit(decision=d, text="it was a fundraiser")
    with pytest.raises(PolicyViolation):
        services.appeal_review(actor=moderator, appeal=appeal, reverse=True, reason="x")
    services.appeal_review(actor=lps.user("superintendent"), appeal=appeal, reverse=False, reason="not approved")
    assert Appeal.objects.get().state == "upheld"


def test_block_needs_communications_lead_and_review_within_a_year(fb, fake, lps):
    comment = delivered_comment(fake, "you are a fucking idiot")
    d = Decision.objects.get(comment=comment)
    proposer = lps.user("principal_a")
    block = services.block_propose(actor=proposer, violation=d, reason="repeated abuse")
    with pytest.raises(NotPermitted):
        services.block_decide(actor=lps.user("principal_b"), proposal=block, approve=True)
    lead = lps.user("media_officer")
    with pytest.raises(PolicyViolation):
        services.block_decide(actor=lead, proposal=block, approve=True,
                              review_by=timezone.localdate() + dt.timedelta(days=400))
    with on_commit():
        services.block_decide(actor=lead, proposal=block, approve=True)
    block.refresh_from_db()
    assert block.state == "approved" and block.review_by <= timezone.localdate() + dt.timedelta(days=365)
    assert comment.author_id in fake.blocked["facebook"]
    with on_commit():
        services.block_lift(actor=lead, proposal=block, note="reviewed")
    assert comment.author_id not in fake.blocked["facebook"]
    assert BlockProposal.objects.get().state == "lifted"
    assert Record.objects.filter(platform_id__startswith=f"block:{block.pk}:").count() == 2


def test_self_approval_refused(fb, fake, lps):
    comment = delivered_comment(fake, "you are a fucking idiot")
    d = Decision.objects.get(comment=comment)
    lead = lps.user("media_officer")
    block = services.block_propose(actor=lead, violation=d, reason="abuse")
    with pytest.raises(PolicyViolation):
        services.block_decide(actor=lead, proposal=block, approve=True)


def test_spanish_personal_issue_gets_a_spanish_reply(fb, fake):
    comment = delivered_comment(fake, "Mi hijo no tiene transporte desde hace una semana, nadie me contesta en la oficina")
    d = Decision.objects.get(comment=comment)
    assert d.category == "personal_issue" and d.clause == "1.8.c"
    (reply,) = fake.replies("facebook", comment.comment_id)
    assert "LPShelp@lawrence.k12.ma.us" in reply.text and "Para pedir una revisión" in reply.text
    record = Record.objects.get(platform_id=f"decision:{d.pk}")
    assert record.extra["contains_possible_student_pii"] is True


def test_api_queue_and_decide(fb, fake, lps):
    import hashlib

    from steward.core.models import ApiToken

    comment = delivered_comment(fake, "fuck this shit")
    ApiToken.objects.create(user=lps.user("principal_a"), name="t", token_hash=hashlib.sha256(b"tok").hexdigest())
    from django.test import Client

    c = Client(headers={"Authorization": "Bearer tok"})
    r = c.get("/api/moderation/queue?reason=auto_hidden")
    assert r.status_code == 200 and r.json()[0]["comment"]["comment_id"] == comment.comment_id
    with on_commit():
        r = c.post(f"/api/moderation/comments/{comment.pk}/decide", {"outcome": "approve", "idempotency_key": "a1"},
                   content_type="application/json")
        r2 = c.post(f"/api/moderation/comments/{comment.pk}/decide", {"outcome": "approve", "idempotency_key": "a1"},
                    content_type="application/json")
    assert r.status_code == 201 and r2.json()["id"] == r.json()["id"]
    assert not fake.comment("facebook", comment.comment_id).hidden
    ApiToken.objects.create(user=lps.user("principal_b"), name="t", token_hash=hashlib.sha256(b"tok-b").hexdigest())
    other = Client(headers={"Authorization": "Bearer tok-b"})
    assert other.get(f"/api/moderation/comments/{comment.pk}").status_code == 404
    assert other.get("/api/moderation/queue").json() == []
    status = c.get("/api/platforms/status").json()
    assert status["event_counts"]["done"] == 1


@pytest.mark.parametrize("persona,sees", [
    ("superintendent", True), ("media_officer", True), ("records_officer", True), ("principal_a", True),
    ("principal_b", False), ("athletics_head", False), ("teacher_a", False), ("staff_b", False), ("outsider", False),
])  # fmt: skip
def test_comment_page_permission_matrix(fb, fake, client_as, persona, sees):
    comment = delivered_comment(fake, "fuck this shit")
    c = client_as(persona)
    assert c.get(f"/moderation/comments/{comment.pk}/").status_code == (200 if sees else 404)
    queue = c.get("/moderation/?reason=auto_hidden")
    assert queue.status_code == 200 and (comment.text.encode() in queue.content) == sees
    r = c.post(f"/moderation/comments/{comment.pk}/decide/", {"outcome": "approve"})
    assert r.status_code == (302 if sees else 404)


def test_account_manager_moderates_own_account(fb, fake, client_as, lps):
    fb.managers.add(lps.teacher_a)
    comment = delivered_comment(fake, "fuck this shit")
    assert client_as("teacher_a").get(f"/moderation/comments/{comment.pk}/").status_code == 200


def test_a_block_approved_on_a_boston_evening_is_reviewed_within_a_year_of_that_day(fb, fake, lps):
    # 8 pm in Boston is already tomorrow in UTC: the year is counted on the district's calendar.
    import time_machine

    comment = delivered_comment(fake, "you are a fucking idiot")
    block = services.block_propose(actor=lps.user("principal_a"), violation=Decision.objects.get(comment=comment),
                                   reason="repeated abuse")  # fmt: skip
    evening = dt.datetime(2026, 11, 28, 20, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    with time_machine.travel(evening, tick=False), on_commit():
        services.block_decide(actor=lps.user("media_officer"), proposal=block, approve=True)
        block.refresh_from_db()
        block.full_clean()
    assert block.review_by == dt.date(2027, 11, 28)
