"""Safety coverage (clause 0.2) judged by the real engine: threats of violence and self-harm escalate
in English and Spanish, veiled or direct; sports talk, figurative "kill / die / me muero", danger
warnings and harsh criticism stay ``ok`` (viewpoint neutrality, CLAUSES.md).

The phrases were written for this table (third quality pass, 2026-11-29); none comes from the test
split of the labeled set.
"""

from __future__ import annotations

import pytest

from steward.moderation.engine import REMOVING_ACTIONS, Engine

# A direct-threat or self-harm lexicon entry decides these, whatever the model says.
MUST_ESCALATE = [
    # school attacks and weapons
    "Something big is going to happen at the high school Friday, stay home",
    "I'm bringing my dad's gun to school tomorrow",
    "There's going to be a shooting at the high school",
    "see you all tomorrow 🔫🔫",
    "💣 at the high school monday",
    "Mañana va a pasar algo grande en la escuela",
    "Voy a llevar la pistola de mi papá a la escuela",
    # a named person, their house, car or family; stalking
    "Hope nobody finds out where she parks",
    "He'll learn the hard way",
    "Would be a shame if something happened to the principal's house",
    "Somebody should slash her tires in the staff lot",
    "I know where he lives",
    "I followed him home after the game",
    "Tell the coach to sleep with one eye open",
    "I'm going to kill that teacher",
    "The ref won't make it out alive next time",
    "Sé dónde vive",
    "Cuídate, que ya sé dónde vives",
    "Le vamos a ponchar las gomas a la directora",
    "Le voy a quemar la casa a ese maestro",
    "Ese maestro no va a salir vivo de aquí",
    "A ese árbitro hay que darle pa' bajo",
    # revenge
    "Lo van a pagar caro",
    "Me las va a pagar",
    # self-harm and suicidal ideation
    "I don't want to be here anymore",
    "I want to disappear",
    "I wish I was dead",
    "nobody would miss me",
    "I'm going to end it tonight",
    "everyone would be better without me",
    "I'm so tired of living",
    "i have a whole bottle of pills",
    "Ya no quiero vivir",
    "Me quiero morir",
    "Nadie me extrañaría",
    "Quiero desaparecer",
    "Quisiera estar muerta",
    "Todos estarían mejor sin mí",
    "Me voy a quitar la vida",
    "Estoy cansado de vivir",
    "No le veo sentido a la vida",
]

# Veiled menace: a "veiled" lexicon entry plus the safety model (school.safety >= 0.15).
MUST_ESCALATE_VEILED = [
    "Watch yourself",
    "You'll regret this",
    "That principal has no idea what's coming",
    "No manden a sus hijos mañana",
    "Te vas a arrepentir",
    "Ya verás",
]

MUST_STAY_OK = [
    # sports
    "We murdered them out there",
    "That dunk was nasty",
    "This team is a beast",
    "We're going to kill them on the court Friday",
    "Ese equipo es una bestia",
    "Los vamos a matar en la cancha el viernes",
    # figurative
    "This budget will kill the arts program",
    "These cuts will kill morale at every school",
    "The board is killing us with these cuts",
    "I'm dying to see the show",
    "I want to die of embarrassment, my mom came to pickup in her pajamas",
    "The jazz band brought the house down",
    "Me muero de la risa",
    "Me muero por ver la obra",
    "Me quiero morir de la vergüenza jaja",
    "Este presupuesto va a matar el programa de arte",
    # danger warnings
    "A kid is going to get hurt at that stop",
    "Somebody is bound to get hurt on those stairs",
    "Watch yourself on the ice by the side door",
    "Esa parada es un peligro, algún niño va a salir herido",
    "Cuídate mucho en la nieve",
    # harsh criticism, elections
    "The board should resign, we'll remember this in November",
    "They'll pay for this at the polls",
    "The kids will learn the hard way that nobody at central office listens",
    "Lo van a pagar caro en las elecciones",
    "Se van a arrepentir en noviembre",
    "No se olviden de votar en noviembre",
    "Ya no puedo más con estos horarios",
    # invitations and encouragement
    "You'll regret missing the spring concert, the kids worked so hard",
    "Te vas a arrepentir si no vas al concierto",
    "Ya verás que el equipo gana el campeonato",
    # topic words are not filters
    "Suicide prevention night was really helpful",
]


@pytest.mark.parametrize("text", MUST_ESCALATE + MUST_ESCALATE_VEILED)
def test_threats_and_self_harm_escalate(engine: Engine, text: str) -> None:
    v = engine.judge(text)
    assert (v.category, v.action) == ("safety", "escalate"), v.explanation


@pytest.mark.parametrize("text", MUST_ESCALATE)
def test_direct_threats_and_self_harm_do_not_need_the_model(engine: Engine, text: str) -> None:
    v = engine.judge(text)
    assert v.evidence.rule_id in {"lps.safety.threat", "lps.safety.selfharm"}
    hits = {h.category for h in engine.lexicon.scan(engine.lexicon.resolve_masks(_norm(text)))}
    assert hits & {"threat", "selfharm"}, text


@pytest.mark.parametrize("text", MUST_STAY_OK)
def test_sports_figures_of_speech_warnings_and_criticism_stay_ok(engine: Engine, text: str) -> None:
    v = engine.judge(text)
    assert v.category == "ok" and v.action not in REMOVING_ACTIONS, v.explanation


@pytest.mark.parametrize("text", MUST_STAY_OK)
def test_no_direct_threat_or_self_harm_entry_fires_on_them(engine: Engine, text: str) -> None:
    hits = {h.category for h in engine.lexicon.scan(engine.lexicon.resolve_masks(_norm(text)))}
    assert not hits & {"threat", "selfharm"}, text


def test_self_harm_gets_the_988_reply_in_each_language(engine: Engine) -> None:
    # (The language is read from function words or the comment's lang hint; a bare "Quiero
    # desaparecer" with neither gets the English reply.)
    en = engine.judge("I want to disappear, I can't take it")
    es = engine.judge("Quiero desaparecer de este mundo, ya no puedo con todo")
    assert en.evidence.rule_id == es.evidence.rule_id == "lps.safety.selfharm"
    assert en.reply and "988" in en.reply
    assert es.reply and "988" in es.reply and "consejero" in es.reply


def _norm(text: str):  # noqa: ANN202 - NormText
    from steward.moderation.engine.normalize import normalize

    return normalize(text)
