"""Threats worded as a visit are escalated by their construction, and errands of the same words
are kept (rule pack 2026.11.29-10, lps.safety.threat).

Two constructions, English and Spanish:

- being at a person's car, house, classroom or office (or waiting for a staff member) and a
  consequence that ends the sentence: "Gonna wait for the bus driver by her car and she'll learn",
  "Lo espero en su carro y va a aprender";
- a weapon carried to a person's place, a school place or a staff member: "I'll be outside his
  classroom with a bat tomorrow", "Voy a estar afuera de su salón con un bate".

Written for this file (2026-11-29) while the patterns and phrases were developed, so they are
development data, not a held-out measure. None of these sentences is in the labeled set; keep
them out of training.
"""

from __future__ import annotations

import pytest

from steward.moderation.engine import Engine

THREATS = [
    # at a person's place, then a consequence that ends the sentence
    "Gonna sit by Ms. Rivera's car after dismissal and she'll see",
    "I'll be parked outside the principal's house tonight and he'll learn",
    "Waiting for that coach by his truck after the game, and he'll learn.",
    "I'm going to be outside her classroom tomorrow and she'll learn",
    "Gonna catch that ref in the parking lot and he'll learn",
    "Lo espero en su carro a la salida y va a aprender",
    "La voy a esperar afuera de su oficina y va a aprender",
    "Me paro frente a la casa del entrenador esta noche y ya verá",
    # a weapon at a person's place, a school place or a staff member
    "I'm going to wait by that teacher's car after school with a crowbar",
    "I'll be waiting outside the principal's office with a hammer",
    "Showing up at the coach's house tonight with a pipe",
    "I'll be at the school Monday with my dad's bat",
    "I'll wait by her car with a bat after pickup",
    "Waiting for that teacher with a bat after school",
    "I'll be outside Mr. Lopez's classroom with a golf club",
    "Voy a esperar a la maestra al lado de su carro con un tubo",
    "Voy a estar en la escuela el lunes con un bate",
    "Voy a esperar a la directora en el estacionamiento con un palo",
    "Estaré afuera de la oficina del director con un tubo",
]

ERRANDS = [
    # a child's bat, a bat or a hammer for a game or a project
    "I'll drop his bat at the office tomorrow",
    "She left her bat outside the classroom",
    "He forgot his bat, I'll bring it to the office",
    "I'll be at the school tomorrow with his bat and glove",
    "I'll be at the school with a bat for the parents vs teachers softball game",
    "Dad will be outside the classroom with a hammer and nails for the birdhouse project",
    "I'll be at the school Saturday with a hammer to help build the stage",
    "Mañana dejo el bate del nene en la oficina",
    "Se le quedó el bate afuera del salón",
    "Mañana le llevo el bate a la escuela, se le olvidó",
    "Voy a estar en la escuela con un bate y un guante para el juego de padres",
    "Voy a estar en la escuela el sábado con un martillo para ayudar con el escenario",
    # waiting for someone, at a car or a classroom
    "I'll wait for the bus driver at the corner",
    "Wait for me by the car after practice",
    "I'll be outside his classroom at 3 to pick him up",
    "I'll wait by her car after practice, she has my keys",
    "My husband will wait for the coach by his truck to pay for the uniform",
    "I'll wait for the teacher by her classroom to give her the card",
    "Voy a esperar al chofer en la esquina",
    "Espérame al lado del carro después de la práctica",
    "Espero a mi hijo afuera de su salón a las 3",
    "Voy a esperar a la maestra en la entrada para darle el regalo",
    "Lo espero en el carro y vamos a ver",
    # "she'll learn", "he'll see", "va a aprender": not at the end, or nobody's place
    "She'll learn to read by December",
    "He'll learn a lot at camp",
    "Give him a few weeks and he'll learn.",
    "Let her practice every night and she'll learn",
    "Just leave the form on his desk and he'll see.",
    "He'll be in his classroom all day and he'll learn",
    "Va a aprender a leer para diciembre",
    "Va a aprender mucho en el campamento",
    "Déjela practicar todas las noches y va a aprender",
    "Mi hija va a estar en su salón y va a aprender",
]


@pytest.mark.parametrize("text", THREATS)
def test_threat_constructions_escalate(engine: Engine, text: str) -> None:
    v = engine.judge(text)
    assert (v.category, v.action) == ("safety", "escalate"), v.explanation


@pytest.mark.parametrize("text", ERRANDS)
def test_errands_of_the_same_words_are_kept(engine: Engine, text: str) -> None:
    v = engine.judge(text)
    assert (v.category, v.action) == ("ok", "keep"), v.explanation
