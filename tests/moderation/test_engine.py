"""Verdicts of the default LPS pack on the cases the policy and the issue name."""

from __future__ import annotations

import datetime as dt

import pytest

from steward.moderation.engine import CATEGORIES, Context, Engine, Fundraiser, Verdict
from steward.moderation.engine.normalize import normalize

GAME_POST = "Lawrence High beats Central Catholic 42-21! Congratulations to our Lancers."
BUDGET_POST = "The School Committee will vote on the FY27 budget Thursday at 6 pm at City Hall."


def test_verdict_carries_clause_evidence_and_pack_version(engine: Engine) -> None:
    v = engine.judge("this budget is f***ing garbage", Context(post=BUDGET_POST))
    assert v.category == "profanity" and v.action == "hide" and v.clause == "1.8.b"
    assert v.evidence.rule_id == "lps.profanity.words"
    assert v.evidence.pack == "lps-default" and v.evidence.pack_version
    assert any(s.text == "f***ing" for s in v.evidence.spans)
    assert 0.0 <= v.confidence <= 1.0
    assert "lps.profanity.words" in v.explanation


@pytest.mark.parametrize(
    "text",
    [
        "hope nobody finds out where she parks",
        "he'll learn the hard way",
        "lo van a pagar caro",
        "I swear if that teacher touches my son again I will kill her",
        "somebody is going to shoot up the school friday",
        "te voy a matar",
        "honestly i want to die, nobody would notice",
        "me quiero morir",
    ],
)
def test_threats_and_self_harm_escalate(engine: Engine, text: str) -> None:
    v = engine.judge(text)
    assert (v.category, v.action, v.clause) == ("safety", "escalate", "0.2"), v.explanation
    assert v.requires_confirmation


def test_self_harm_reply_gives_the_crisis_line(engine: Engine) -> None:
    assert "988" in (engine.judge("I want to kill myself").reply or "")
    assert "988" in (engine.judge("ya no quiero vivir, me quiero morir").reply or "")


@pytest.mark.parametrize(
    "text",
    ["we murdered them out there", "that dunk was nasty", "this team is a beast",
     "the band killed it at halftime", "our O-line destroyed them"],
)  # fmt: skip
def test_sports_slang_stays_ok(engine: Engine, text: str) -> None:
    v = engine.judge(text, Context(post=GAME_POST))
    assert (v.category, v.action) == ("ok", "keep"), v.explanation


def test_personal_issue_reply_in_the_comments_language(engine: Engine) -> None:
    en = engine.judge(
        "My son's bus (route 14) didn't come again this morning and he missed his test. "
        "I need someone to call me.",
        Context(post="New bus routes are posted on our website."),
    )
    es = engine.judge(
        "A mi hija la dejaron en la parada equivocada ayer y nadie de transporte me devuelve la llamada",
        Context(post="New bus routes are posted on our website."),
    )
    for v in (en, es):
        assert v.category == "personal_issue" and v.action == "hide" and v.clause == "1.8.c"
        assert "LPShelp@lawrence.k12.ma.us" in (v.reply or "")
    assert en.language == "en" and "Thank you" in (en.reply or "")
    assert es.language == "es" and "Gracias" in (es.reply or "")


def test_approved_fundraiser_is_not_commercial(engine: Engine) -> None:
    post = "Support the LHS Band car wash this Saturday! Proceeds go to new band uniforms."
    fund = Fundraiser("LHS Band Car Wash", ("car wash", "band uniforms"),
                      dt.date(2026, 1, 1), dt.date(2026, 12, 31))  # fmt: skip
    text = "Come to the car wash Saturday, $10 a car, supports our band uniforms! Buy tickets now"
    ctx = Context(post=post, fundraisers=(fund,), today=dt.date(2026, 5, 2))
    assert engine.judge(text, ctx).category == "ok"
    # the same promotion after the approval window is a promotion like any other
    late = Context(post=post, fundraisers=(fund,), today=dt.date(2027, 5, 2))
    spam = "Buy my car wash tickets $10, cheap deals, DM me, cashapp $carwashdeals"
    assert engine.judge(spam, late).category == "commercial"
    # an unrelated business under the fundraiser post is commercial
    other = engine.judge("Skip the car wash, my detailing shop does it better: $50 full detail, "
                         "visit mariosautospa.com", ctx)  # fmt: skip
    assert other.category == "commercial" and other.action == "hide"


def test_off_topic_is_judged_against_the_post_and_held(engine: Engine) -> None:
    v = engine.judge("Lost dog near Lawrence St, brown pitbull named Rocky, please share!!",
                     Context(post=GAME_POST))  # fmt: skip
    assert (v.category, v.action, v.clause) == ("off_topic", "hold", "1.8.d")
    on = engine.judge("Congrats Lancers, what a win against Central Catholic! Proud of you",
                      Context(post=GAME_POST))  # fmt: skip
    assert on.category == "ok"


def test_spanish_reply_to_english_post_is_judged_the_same(engine: Engine) -> None:
    en = engine.judge("Selling cheap phone cards, call 978-555-0100", Context(post=BUDGET_POST))
    es = engine.judge("Vendo tarjetas de teléfono baratas, llame al 978-555-0100",
                      Context(post=BUDGET_POST))  # fmt: skip
    assert en.category == es.category == "commercial"


def test_a_question_about_buying_is_not_a_sale(engine: Engine) -> None:
    # Sales words alone do not hide a question (rule pack 2026.11.29-11); a question that sells,
    # with a phone, a link or a price, still is a sale.
    for text in ["Is the booster club still selling the Lancers hoodies for the trip?",
                 "¿Todavía venden las camisetas del equipo para el viaje?"]:
        v = engine.judge(text, Context(post=GAME_POST))
        assert v.category != "commercial", (text, v.explanation)
    for text in ["Need braids done? DM me, $40 a head", "Selling hoodies $25, call 978-555-0100?"]:
        assert engine.judge(text, Context(post=GAME_POST)).category == "commercial", text


def test_evidence_shows_a_rules_own_phrases_only_when_that_rule_decided(engine: Engine) -> None:
    # "tires" is a harm cue of the threat rule; on a kept comment about the bus it is no evidence.
    kept = engine.judge("The tires on bus 12 were flat again, when will it be fixed?")
    assert kept.action == "keep"
    assert not [s for s in kept.evidence.spans if s.kind.startswith("rule:")], kept.evidence.spans
    caught = engine.judge("I'll be outside his classroom with a bat tomorrow")
    assert caught.evidence.rule_id == "lps.safety.threat"
    assert {s.kind for s in caught.evidence.spans} >= {"pattern", "rule:lps.safety.threat#any5"}


def test_student_private_details_escalate_to_records(engine: Engine) -> None:
    v = engine.judge(
        "Everyone should know Jayden Cruz in 4th grade has an IEP for ADHD and was suspended"
    )
    assert (v.category, v.action) == ("privacy", "escalate")


def test_repeat_offender_goes_to_block_review(engine: Engine) -> None:
    v = engine.judge("you stupid faggot", Context(author_prior_removals=3))
    assert v.category == "offensive" and v.requires_confirmation
    assert v.evidence.rule_id == "lps.offensive.block-review"


def test_judge_many_equals_judge(engine: Engine) -> None:
    texts = [
        "great game!",
        "f u c k this",
        "Vote Martinez for council!",
        "sh1t",
        "lo van a pagar caro",
        # These two need the sentence model: a batch reads them together (engine._judge_batch).
        "muslims do not belong in our schools",
        "Great game tonight, Lancers!",
    ]
    one = [engine.judge(t) for t in texts]
    many = engine.judge_many(texts)
    assert [(v.category, v.evidence.rule_id) for v in one] == [
        (v.category, v.evidence.rule_id) for v in many
    ]
    for a, b in zip(one, many, strict=True):
        assert a.evidence.scores.get("neural.abuse") == pytest.approx(
            b.evidence.scores.get("neural.abuse"), abs=1e-3
        )
    assert "neural.abuse" in many[-2].evidence.scores
    assert all(isinstance(v, Verdict) and v.category in CATEGORIES for v in many)


def test_verdict_serializes(engine: Engine) -> None:
    d = engine.judge("sh*t").to_dict()
    assert d["category"] == "profanity" and d["evidence"]["spans"][0]["text"] == "sh*t"


def test_empty_or_symbol_only_comments_are_kept(engine: Engine) -> None:
    for text in ("", "   ", "!!! ???", "\u200b"):
        v = engine.judge(text, Context(post=GAME_POST))
        assert (v.category, v.action) == ("ok", "keep")


@pytest.mark.parametrize(
    "text",
    [
        "These new routes are dangerous, a kid is going to get hurt walking to that stop in the dark",
        "a kid is going to get hurt at that stop",
        "Esa parada es un peligro, algún niño va a salir herido cruzando esa calle",
        "The sidewalks are ice, kids are going to get hurt if you open tomorrow",
        "Cutting art and music is going to hurt the kids who need it most",
    ],
)
def test_danger_warnings_are_not_threats(engine: Engine, text: str) -> None:
    # A warning about a child's safety criticizes the district; it is not a threat (issue 3).
    v = engine.judge(text, Context(post=BUDGET_POST))
    assert v.action not in ("hide", "escalate"), v.explanation
    assert not [s for s in v.evidence.spans if s.kind in ("threat", "veiled")]


def test_getting_hurt_is_a_veiled_phrase_not_a_direct_threat(engine: Engine) -> None:
    # "salir herido" used to be a direct threat (always escalated); now it needs the model.
    for text in ("si sigues así vas a salir herido", "keep it up and you will get hurt"):
        hits = engine.lexicon.scan(engine.lexicon.resolve_masks(normalize(text)))
        kinds = {h.category for h in hits}
        assert "veiled" in kinds and "threat" not in kinds, text
