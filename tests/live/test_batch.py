"""A batch of events ends exactly as the same events one at a time.

Under load a worker takes many due events at once (``pipeline.event_process(..., batch=N)``): one
archive append per chain, one judgement pass, one insert of the decisions. The one-at-a-time path
is the reference. The same deliveries — new comments, an edit of a comment known before the batch,
an edit and a deletion of comments new in the batch, a re-wrapped duplicate, a malformed body, a
delivery for an unregistered Page, a second offence by the same author — go to two Pages: one is
processed event by event, the other in one batch; every table that matters must then say the same
thing of both, and both archive chains must verify.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from steward.archive.models import Record
from steward.archive.services import archive_verify
from steward.moderation.models import Decision, PlatformAction
from steward.platforms import pipeline
from steward.platforms.models import Comment, WebhookEvent
from steward.platforms.services import connection_save, webhook_store
from steward.registry.models import Account
from tests.live.conftest import on_commit

pytestmark = pytest.mark.django_db


def page(lps: Any, fake: Any, n: int) -> tuple[Account, str, str]:
    """A connected Facebook Page on the fake; returns (account, page id, post id)."""
    base = fake.accounts["facebook"]
    page_id = str(int(base) + 100 + n)
    fake.accounts["facebook"] = page_id
    try:
        post_id = fake.add_post("facebook", "Report cards go home Friday")
    finally:
        fake.accounts["facebook"] = base
    account = Account.objects.create(
        platform="facebook", handle=f"lps-batch-{n}", display_name=f"Batch page {n}", owning_unit=lps.school_a,
        kind="school", status="registered", platform_account_id=page_id,
    )  # fmt: skip
    connection_save(actor=lps.user("media_officer"), account=account, platform_account_id=page_id,
                    access_token=fake.tokens["facebook"], base_url=fake.base_url("facebook"))  # fmt: skip
    return account, page_id, post_id


def store(payload: Any) -> int:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return webhook_store(platform="facebook", body=body).event.pk


class Script:
    """The same story on one Page: comment ids on the fake are named by label."""

    def __init__(self, fake: Any, page_id: str, post_id: str) -> None:
        self.fake, self.page_id, self.post_id = fake, page_id, post_id
        self.labels: dict[str, str] = {}

    def add(self, label: str, text: str, author: str) -> dict[str, Any]:
        cid = self.fake.add_comment("facebook", self.post_id, text, send_webhook=False, author_id=author,
                                    author_name=f"Parent {author}")  # fmt: skip
        self.labels[cid] = label
        return self._payload(cid, "add")

    def edit(self, label: str, text: str) -> dict[str, Any]:
        cid = self._cid(label)
        self.fake.edit_comment("facebook", cid, text, send_webhook=False)
        return self._payload(cid, "edited")

    def remove(self, label: str) -> dict[str, Any]:
        return self._payload(self._cid(label), "remove")

    def _cid(self, label: str) -> str:
        return next(cid for cid, name in self.labels.items() if name == label)

    def _payload(self, cid: str, verb: str) -> dict[str, Any]:
        payload = self.fake.webhook_payload(self.fake._get("facebook", cid), verb)
        payload["entry"][0]["id"] = self.page_id
        return payload

    def before(self) -> list[Any]:
        """Deliveries processed before the batch: a comment the batch will see edited."""
        return [self.add("known", "When is the next school committee meeting?", "701")]

    def deliveries(self) -> list[Any]:
        swear = self.add("swear", "this is fucking bullshit", "702")
        kind = self.add("kind", "Great game last night, proud of the Lancers!", "703")
        rewrapped = json.loads(json.dumps(kind))
        rewrapped["entry"][0]["time"] += 7  # the same change in another delivery
        stranger = json.loads(json.dumps(kind))
        stranger["entry"][0]["id"] = "999000111"  # a Page nobody registered
        stranger["entry"][0]["changes"][0]["value"]["comment_id"] += "9"
        return [
            swear,
            kind,
            self.edit("known", "When is the next meeting? This fucking agenda is never posted"),
            self.add("case", "My son has an IEP meeting next week and nobody answers my emails", "704"),
            rewrapped,
            f'{{"object": "page", "entry": [{{"id": "{self.page_id}"'.encode(),  # cut short
            stranger,
            self.add("again", "you are a fucking idiot", "702"),  # the same author's second offence
            self.edit("swear", "this is bullshit, edited"),
            self.remove("kind"),
            self.add("late", "Thanks to the teachers for the science fair", "705"),
        ]


def summary(account: Account, labels: dict[str, str], events: list[int]) -> dict[str, Any]:
    """What the tables say of one Page, with platform ids replaced by the script's labels."""

    def name(platform_id: str) -> str:
        return labels.get(platform_id, "decision" if platform_id.startswith(("decision:", "action:")) else platform_id)

    records = Record.objects.filter(account=account).order_by("seq")
    versions: dict[str, list[tuple[str, str, str, str]]] = {}
    for r in records:
        key = name(r.platform_id) if r.kind != "moderation_decision" else f"decision on {name(r.parent_platform_id)}"
        text = re.sub(r"/moderation/appeal/[^/]+/", "/moderation/appeal/<token>/", r.text)  # names the decision
        versions.setdefault(key, []).append((r.kind, r.version, text, r.state))
    return {
        "records": versions,
        "decisions": sorted(
            (name(d.comment.comment_id), d.outcome, d.category, d.clause, d.evidence.get("rule_id", ""))
            for d in Decision.objects.filter(account=account)
        ),
        "actions": sorted(
            (name(a.target_id), a.kind, a.state) for a in PlatformAction.objects.filter(account=account)
        ),
        "comments": sorted(
            (name(c.comment_id), c.state, c.hidden_by, c.text, c.versions)
            for c in Comment.objects.filter(account=account)
        ),
        "events": [
            (e.state, e.items, e.account_id == account.pk, e.last_error[:9])
            for e in WebhookEvent.objects.filter(pk__in=events).order_by("pk")
        ],
    }


def test_a_batch_ends_as_one_by_one(lps, fake, caplog):
    one_account, *one_page = page(lps, fake, 1)
    many_account, *many_page = page(lps, fake, 2)
    one, many = Script(fake, *one_page), Script(fake, *many_page)
    with on_commit():
        for script in (one, many):
            for payload in script.before():
                pipeline.event_process(store(payload))

    one_events = [store(p) for p in one.deliveries()]
    with on_commit():
        for pk in one_events:
            pipeline.event_process(pk, batch=1)

    many_events = [store(p) for p in many.deliveries()]
    with on_commit():
        assert pipeline.event_process(many_events[0], batch=50) == "done"
        assert not [r for r in caplog.records if "one by one" in r.getMessage()]  # the batch way held
        # Every other event went with the first: their own deliveries find nothing to do.
        assert {pipeline.event_process(pk, batch=50) for pk in many_events[1:]} == {"skipped"}

    one_summary = summary(one_account, one.labels, one_events)
    many_summary = summary(many_account, many.labels, many_events)
    for part in one_summary:
        assert many_summary[part] == one_summary[part], part
    # The story itself, so that two equally wrong paths cannot pass.
    assert [state for state, *_ in one_summary["events"]] == [
        "done", "done", "done", "done", "done", "failed", "ignored", "done", "done", "done", "done"
    ]  # fmt: skip
    assert ("swear", "hide", "done") in one_summary["actions"]
    assert ("again", "hide", "done") in one_summary["actions"]
    assert [v for _, v, _, _ in one_summary["records"]["kind"]] == ["created", "deleted_by_author"]
    assert [v for _, v, _, _ in one_summary["records"]["known"]] == ["created", "edited", "hidden"]
    assert archive_verify().ok
    assert Record.objects.filter(account=many_account).count() == Record.objects.filter(account=one_account).count()


@pytest.mark.parametrize("kind,status", [("rate_limit", None), ("error", 500)])
def test_a_batch_through_a_platform_storm_hides_each_comment_once(lps, fake, kind, status):
    from tests.live.test_faults import platform_hides, sweep_until_quiet

    account, page_id, post_id = page(lps, fake, 3)
    script = Script(fake, page_id, post_id)
    events = [store(script.add(f"c{i}", f"shit number {i}, fuck this", str(800 + i))) for i in range(10)]
    fake.inject_fault(kind, count=3, platform="facebook", status=status, retry_after=60)
    with on_commit():
        assert pipeline.event_process(events[0], batch=50) == "done"
    assert PlatformAction.objects.filter(account=account, kind="hide").exclude(state="done").exists()
    sweep_until_quiet()
    for cid in script.labels:
        assert len(platform_hides(fake, cid)) == 1
        assert Comment.objects.get(account=account, comment_id=cid).state == "hidden"
        assert [r.version for r in Record.objects.filter(platform_id=cid).order_by("seq")] == ["created", "hidden"]
    assert set(PlatformAction.objects.filter(account=account).values_list("state", flat=True)) == {"done"}
    assert archive_verify().ok
