"""The moderation consistency report (MOD-6): counts by category, decider and account over a
period, the engine's removals people restored or upheld, appeals; as a page, CSV and API, within
the accounts the reader may see."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from steward.core.services import api_token_create
from steward.moderation import services
from steward.moderation.models import Decision
from tests.live.conftest import delivered_comment

pytestmark = pytest.mark.django_db


def _csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode())))


def test_the_report_counts_what_the_engine_and_people_decided(fb: Any, fake: Any, client_as: Any, lps: Any) -> None:
    hidden = delivered_comment(fake, "fuck this shit", author_id="1")
    delivered_comment(fake, "you are a fucking idiot", author_id="2")
    delivered_comment(fake, "Go Lancers! Great game tonight", author_id="3")
    media = lps.user("media_officer")
    # A person restores one engine removal (approve supersedes the engine's hide).
    services.comment_decide(actor=media, comment=hidden, outcome="approve", reason="quoted lyrics, in context",
                            viewpoint_attested=True)  # fmt: skip
    c = client_as("media_officer")
    html = c.get("/moderation/report/").content.decode()
    assert 'id="by-category"' in html and "Profanity" in html
    rows = _csv(c.get("/moderation/report/", {"format": "csv"}).content)
    figures = {(r[0], r[1], r[2]): r[3] for r in rows[1:]}
    engine = next(d.actor_label for d in Decision.objects.filter(actor__isnull=True))
    assert figures[("decisions", "all", "total")] == str(Decision.objects.count())
    assert figures[("by category", "Profanity", "hide")] == "2"
    assert figures[("by decider", engine, "hide")] == "2"
    assert figures[("by decider", engine, "keep")] == "1"
    person = Decision.objects.get(actor=media).actor_label
    assert figures[("by decider", person, "approve")] == "1"
    assert figures[("engine removals reviewed", "Profanity", "removed by the engine")] == "2"
    assert figures[("engine removals reviewed", "Profanity", "restored by a person")] == "1"
    assert figures[("engine removals reviewed", "Profanity", "upheld by a person")] == "0"
    assert figures[("by account", fb.display_name, "total")] == str(Decision.objects.count())


def test_the_period_and_the_readers_accounts_bound_the_report(fb: Any, fake: Any, client_as: Any, lps: Any) -> None:
    delivered_comment(fake, "fuck this shit")
    c = client_as("media_officer")
    rows = _csv(c.get("/moderation/report/", {"format": "csv", "start": "2020-01-01", "end": "2020-01-31"}).content)
    assert ["decisions", "all", "total", "0"] in rows
    # Someone who sees none of the accounts sees no decision of them.
    other = _csv(client_as("principal_b").get("/moderation/report/", {"format": "csv"}).content)
    assert ["decisions", "all", "total", "0"] in other
    # A period that ends before it starts is refused by name, and nothing is downloaded.
    r = c.get("/moderation/report/", {"start": "2026-02-01", "end": "2026-01-01", "format": "csv"})
    assert r["Content-Type"].startswith("text/html") and "The end of the period comes before its start." in r.content.decode()


def test_the_api_gives_the_same_figures(fb: Any, fake: Any, lps: Any) -> None:
    delivered_comment(fake, "fuck this shit")
    user = lps.user("media_officer")
    _, secret = api_token_create(actor=user, user=user, name="test")
    data = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/moderation/report").json()
    assert data["total"] == Decision.objects.count()
    assert any(r["label"] == "Profanity" and r["counts"].get("hide") == 1 for r in data["by_category"])
