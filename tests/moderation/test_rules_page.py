"""The rules page and API: the engine's rule pack in words, in the order it runs, and a comment
tried against it without anything being recorded."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from steward.core.services import api_token_create
from steward.moderation.engine import Engine
from steward.moderation.models import Comment, Decision

pytestmark = pytest.mark.django_db


def test_the_page_lists_every_rule_in_order_with_its_clause(client_as: Any) -> None:
    html = client_as("teacher_a").get("/moderation/rules/").content.decode()
    pack = Engine.load().pack
    positions = [html.index(f"<code>{r.id}</code>") for r in pack.rules]
    assert positions == sorted(positions), "rules are shown in the order the engine tries them"
    assert f"version {pack.version}" in html
    # A rule reads as its category, clause, action, what it looks at and its published guideline.
    assert "Profanity [1.8.b] — Hide" in html
    assert "words of the lexicon: profanity" in html
    assert "Offensive comments, inappropriate remarks and profanity are removed." in html
    assert "Safety [0.2] — Escalate · a person confirms" in html
    assert "abuse ≥ 0.60" in html
    assert "LPShelp@lawrence.k12.ma.us" in html  # the personal-issue reply, English and Spanish
    assert 'lang="es"' in html


def test_trying_a_comment_shows_the_verdict_and_records_nothing(client_as: Any) -> None:
    c = client_as("teacher_a")
    r = c.post("/moderation/rules/", {"text": "f u c k the refs", "post": "We won the title!", "lang": ""})
    html = r.content.decode()
    assert r.status_code == 200 and 'role="status"' in html
    assert "Profanity [1.8.b] — Hide" in html.split('id="verdict"')[1].split("</h3>")[0]
    assert "lps.profanity.words" in html
    r = c.post("/moderation/rules/", {"text": "Mi hijo no tiene autobús desde el lunes, nadie me contesta",
                                      "post": "New bus routes are posted"})  # fmt: skip
    assert "LPShelp@lawrence.k12.ma.us" in r.content.decode()  # the reply it would post
    # In Spanish, the reasons too.
    r = c.post("/moderation/rules/", {"text": "fuck this"}, HTTP_ACCEPT_LANGUAGE="es")
    es = r.content.decode()
    assert "Regla lps.profanity.words (cláusula 1.8.b)." in es
    assert "Reglas de moderación" in es and "palabras del léxico: lenguaje soez" in es
    assert "lenguaje soez (aunque esté disfrazado)" in es  # the rule's own words, from the pack
    assert "Lenguaje soez (aunque esté disfrazado)." in es.split('id="verdict"')[1]
    # Nothing typed is stored.
    assert not Comment.objects.exists() and not Decision.objects.exists()
    # An empty comment is refused by name.
    r = c.post("/moderation/rules/", {"text": ""})
    assert 'id="id_text_error"' in r.content.decode() and 'role="status"' not in r.content.decode()


def test_signed_out_visitors_are_sent_to_sign_in() -> None:
    r = Client().get("/moderation/rules/")
    assert r.status_code == 302 and "login" in r["Location"]


def test_the_api_gives_the_rules_and_judges(lps: Any) -> None:
    user = lps.user("teacher_a")
    _, secret = api_token_create(actor=user, user=user, name="test")
    c = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    data = c.get("/api/moderation/rules").json()
    assert [r["id"] for r in data["rules"]] == [r.id for r in Engine.load().pack.rules]
    assert data["rules"][0]["clause"] and data["model_version"]
    r = c.post("/api/moderation/judge", {"text": "hope nobody finds out where she parks"},
               content_type="application/json")  # fmt: skip
    v = r.json()
    assert r.status_code == 200 and (v["category"], v["action"]) == ("safety", "escalate")
    assert v["evidence"]["rule_id"].startswith("lps.safety")
    r = c.post("/api/moderation/judge", {"text": "hola", "lang": "fr"}, content_type="application/json")
    assert r.status_code == 422 and "lang" in r.content.decode()
    assert Client().post("/api/moderation/judge", {"text": "x"}, content_type="application/json").status_code == 401
    assert not Comment.objects.exists()
