"""A group of people called vermin or a disease, or told to leave the country, is held for a person
(rule ``lps.offensive.dehumanizing``, clause 1.8.b, rule pack 2026.11.29-12), in Spanish as in
English: both abuse models learned from English, and "Los dominicanos son una plaga en esta ciudad"
was kept. The rule reads a construction, not a word, so pests, teams, health, public bodies and
neutral sentences that name a group are left to the other rules. None of the comments below is in
the labeled set."""

from __future__ import annotations

import pytest

from steward.moderation.engine import Context, Engine

RULE = "lps.offensive.dehumanizing"
POST = Context(post="Open house Thursday at Lawrence High, 6 pm in the cafeteria.")

HATEFUL = [
    # Spanish: a group is a pest or a disease, in either order, with or without accents
    "Los dominicanos son una plaga en esta ciudad",
    "Los inmigrantes son cucarachas",
    "Los puertorriqueños son parásitos",
    "Los gays son una enfermedad",
    "Esa gente es una peste",
    "Los musulmanes son un cáncer para este país",
    "los haitianos son ratas y nada mas",
    "Todos los inmigrantes son unas alimañas",
    "esos hondurenos son pura basura",
    "Los judios son una lacra para Lawrence",
    "Los trans son una enfermedad mental, no los quiero cerca de mis hijos",
    "Son una plaga esos dominicanos",
    "Esta gente son animales, no saben vivir",
    "Los refugiados se multiplican como ratas",
    # Spanish: told to leave the country
    "Que se vayan todos los dominicanos a su país",
    "Esos haitianos deberian volver a su pais",
    "Los mexicanos que se vayan de aquí",
    # English
    "Muslims are a cancer",
    "The Dominicans are rats",
    "Immigrants are parasites living off our taxes",
    "Those people are animals",
    "all these haitians are vermin",
    "Illegals are an infestation in this city",
    "Puerto Ricans are nothing but trash",
    "Black people are a disease on this country",
    "Those people should go back where they came from",
    "Deport all the Mexicans",
    "Gays don't belong in this country.",
]  # fmt: skip

NOT_THIS_RULE = [
    # pests and things
    "Los mosquitos son una plaga este verano",
    "Hay ratas en la cafetería otra vez, alguien tiene que llamar al exterminador",
    "There were cockroaches in the cafeteria again",
    "The mice in the gym are a plague, please call pest control",
    "Las palomas son una plaga en el patio de la escuela",
    # sports and affection
    "Los Lancers son unos animales en la cancha",
    "Our seniors are animals on the field",
    "Los dominicanos son unos animales en el béisbol, qué juego anoche",
    "Our Haitian players are beasts on the court this year",
    # criticism of officials and the district, harsh words included
    "El comité escolar es un cáncer para este distrito",
    "The school committee is a cancer on this city",
    "El superintendente es una plaga, que renuncie ya",
    "Esa gente del comité escolar es una plaga",
    "Those people at central office are parasites, cut their salaries first",
    "The superintendent should go back where he came from, Boston",
    "Que se vayan todos los del comité escolar",
    # health
    "Los niños con cáncer necesitan apoyo",
    "La enfermedad de los dominicanos se discutirá en la feria de salud",
    "Many Dominicans are cancer survivors, come to the health fair",
    "Los inmigrantes son más propensos a la diabetes, vengan a la feria de salud",
    # neutral sentences and Spanish grammar
    "Los dominicanos son una comunidad grande en Lawrence",
    "Los inmigrantes son bienvenidos en todas nuestras escuelas",
    "Los inmigrantes no son una plaga, son nuestros vecinos",
    "Muchos dominicanos se van a su país en diciembre, ¿cuándo son las vacaciones?",
    "Que se vayan a su país de vacaciones, no pasa nada",
    "Que se vayan los dominicanos a su país de vacaciones en diciembre sin perder clases",
    "Los uniformes negros son una basura, se destiñen",
    "Los estudiantes haitianos deberían volver a la escuela el lunes",
    "The refugee families had to go back to the office for the forms",
    "White people get told to go back where they came from too, we all come from somewhere",
    "Those people who park in the bus lane should be ticketed",
    "Los dominicanos son ratas de biblioteca, siempre leyendo",
]  # fmt: skip


# Opinions on immigration policy (rule pack 2026.11.29-14): a group named by immigration status
# told to leave or be deported is not this rule's; a government page may not hold or remove an
# opinion for its viewpoint. Calling immigrants vermin still is ("Los inmigrantes son cucarachas").
IMMIGRATION_POLICY = [
    "Los inmigrantes no deberían estar aquí",
    "Fuera los inmigrantes de Lawrence",
    "Los ilegales tienen que ser deportados",
    "The immigrants should be deported, every one of them",
    "All illegal immigrants should be deported",
    "Illegal aliens should go back to their countries and apply legally",
]


@pytest.mark.parametrize("text", IMMIGRATION_POLICY)
def test_an_opinion_on_immigration_policy_is_not_this_rule(engine: Engine, text: str) -> None:
    v = engine.judge(text, POST)
    assert v.evidence.rule_id != RULE and not v.removes, (v.category, v.action, v.evidence.rule_id)


@pytest.mark.parametrize("text", HATEFUL)
def test_dehumanizing_a_group_is_held_as_offensive(engine: Engine, text: str) -> None:
    v = engine.judge(text, POST)
    assert (v.category, v.action, v.evidence.rule_id) == ("offensive", "hold", RULE), (
        v.category, v.action, v.evidence.rule_id,
    )  # fmt: skip
    assert v.requires_confirmation


@pytest.mark.parametrize("text", NOT_THIS_RULE)
def test_pests_teams_health_officials_and_neutral_remarks_are_not_this_rule(
    engine: Engine, text: str
) -> None:
    v = engine.judge(text, POST)
    assert v.evidence.rule_id != RULE, (v.category, v.action)


@pytest.mark.parametrize("text", [
    "Alguien escribió que los dominicanos son una plaga. Eso es racismo y no tiene lugar aquí.",
    'My neighbor said "immigrants are parasites" at the game. Shame on him, we are all Lancers.',
])  # fmt: skip
def test_a_comment_quoting_it_to_condemn_it_is_held_not_hidden(engine: Engine, text: str) -> None:
    v = engine.judge(text, POST)
    assert (v.category, v.action) == ("offensive", "hold"), (v.category, v.action)
    assert not v.removes


@pytest.mark.parametrize("text", [
    "Los inmigrantes son una plaga y hay que matarlos a todos",
    "Those people are vermin and I will shoot them at the open house",
])  # fmt: skip
def test_a_threat_is_still_safety_first(engine: Engine, text: str) -> None:
    v = engine.judge(text, POST)
    assert (v.category, v.action) == ("safety", "escalate"), (v.category, v.action)


def test_a_health_word_about_a_group_is_not_a_students_privacy(engine: Engine) -> None:
    """It was escalated as privacy, for a health word ("cancer"): it is abuse."""
    v = engine.judge("Muslims are a cancer", POST)
    assert (v.category, v.action) == ("offensive", "hold")


@pytest.mark.parametrize("text", [
    "Los Lancers son unos animales en la cancha",
    "Our seniors are animals on the field",
    "Los muchachos jugaron como unos animales, ¡qué partido!",
    "Our Haitian players are beasts on the court this year",
])  # fmt: skip
def test_praise_of_a_team_is_kept(engine: Engine, text: str) -> None:
    # "animals on the field" / "animales en la cancha" are allow phrases (rule pack 2026.11.29-13):
    # the insult list and, in Spanish, the linear model alone do not act on them.
    v = engine.judge(text, POST)
    assert (v.category, v.action) == ("ok", "keep"), (v.evidence.rule_id, v.explanation)


def test_an_insult_beside_a_team_is_still_caught(engine: Engine) -> None:
    assert engine.judge("Esos árbitros son unos animales", POST).category == "offensive"
    assert engine.judge("Those refs are animals", POST).category == "offensive"
