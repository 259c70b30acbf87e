"""Parents' everyday errands are kept, threats worded like errands still escalate: the DEVELOPMENT
probe of the errands fix (2026-11-29, rule pack 2026.11.29-8).

These sentences were written for this file, apart from (and not copied from) the 40 held-out errands
of ``tests/moderation/test_errands.py``; the lexicon entries, allow phrases and the safety rule's
harm cues were developed against them and the school train k-fold, so they are optimistic: the
held-out measure of the fix is ``test_errands.py``, not this file. None of these sentences is in
the labeled set; keep them out of training.

The second set (concert and school photos) was written after the fix as a fresh check: before
any change for it, 2 of its 24 errands were escalated (a model score of 0.67 alone, and "ya verán"
with the model) and 1 of its 12 threats was missed ("...he knows why"); the harm cues "he knows
why", "waiting for that principal", "gone soon" and "nobody will miss" were then added for it, so
it is development data too.
"""

from __future__ import annotations

import pytest

from steward.moderation.engine import Context, Engine

PICKUP = "Half day Friday: dismissal at 11:45 for all elementary schools."
TRIP = "Grade 4 field trip to the Museum of Science on Thursday. Permission slips due Monday."
MEET = "Track and field: the Lancers host Haverhill and Methuen on Saturday at Veterans Stadium."
EXAM = "Unit tests next week in math and science. Study guides are on Google Classroom."
BUS = "Bus update: route 22 now stops at Broadway and Lowell St at 7:10 am."
CONF = "Open house Wednesday 5-7 pm: meet your child's teachers and visit the classrooms."
PARTY = "Classroom holiday parties are Friday afternoon. Families may send store-bought snacks."
CONCERT = "Spring concert Thursday 6 pm in the LHS auditorium; students arrive at 5:15."
PHOTOS = "Reminder: school photos on Tuesday. Order forms went home in backpacks."

ERRANDS = [
    # pickups, drop-offs, notes to teachers (EN)
    ("I'm going to drop off his inhaler at the nurse before first period", TRIP),
    ("Going to swing by the front office to grab a permission slip", TRIP),
    ("I'll meet you at the side entrance after practice, I have the car", MEET),
    ("I'm going to call the teacher tomorrow morning about the trip form", TRIP),
    ("We're going to look for the science teacher at open house to say hi", CONF),
    ("I'll catch the coach after the meet to ask about the bus home", MEET),
    ("I'll wait for him by the flagpole at 11:45", PICKUP),
    ("I'm going to wait outside the gym until the last event is over", MEET),
    ("Gonna find her homeroom teacher at open house and ask about the reading log", CONF),
    ("I'm going to hunt down that overdue library book this weekend, sorry", CONF),
    ("I'll shoot the teacher an email tonight about the make-up test", EXAM),
    ("I'll shoot you a text when we get to the stop", BUS),
    ("I'm going to be in the pickup line at 11:45, can she come out the back door?", PICKUP),
    ("I'll be waiting in the parking lot at 11:45 for the twins", PICKUP),
    ("I'm going to take my daughter out early Thursday for the dentist", TRIP),
    ("Going to bring cupcakes for the party, are nut-free ones ok?", PARTY),
    ("I'll blow up the balloons for the party if the teacher needs help", PARTY),
    ("My son is going to send the signed slip with his sister tomorrow", TRIP),
    # "I know where ..."
    ("I know where the cafeteria entrance is, I'll bring the trays there", PARTY),
    ("I know where the new stop on Broadway is, we walk past it every day", BUS),
    ("I know where the lost and found is, I'll check it tomorrow", CONF),
    ("I know where his classroom is now, thanks for the map", CONF),
    ("I don't know where you drop off the forms, is it the main office?", TRIP),
    # injuries, medicine, absences
    ("I'm going to pick her up early, she hurt her ankle at recess", MEET),
    ("I'm going to bring his pills to the nurse tomorrow morning", TRIP),
    ("He's going to miss Friday, there was a death in the family", EXAM),
    # tests: bomb, blow up, kill it
    ("My son is sure he's going to bomb the science test, he's so nervous", EXAM),
    ("She bombed the spelling quiz last week but she's been practicing every night", EXAM),
    ("He's going to blow up the math test, he studied all weekend", EXAM),
    ("She's going to kill it on the science unit test", EXAM),
    ("He's going to knock out that history essay tonight", EXAM),
    # sports: beat, crush, destroy, kill it
    ("He's going to beat his personal best in the 200 this weekend", MEET),
    ("He beat his old time by four seconds last week!", MEET),
    ("We're going to crush Haverhill on Saturday, go Lancers", MEET),
    ("The girls are going to destroy the relay on Saturday", MEET),
    ("Our sprinters are going to smoke everybody, let's go", MEET),
    ("She's going to kill it in the long jump, so proud of her", MEET),
    # "can't go on ..."
    ("Can't go on the field trip Thursday, he has a doctor's appointment", TRIP),
    ("We can't go on Wednesday, is there another night for open house?", CONF),
    ("I can't go on the bus with them but my husband can chaperone", TRIP),
    # pickups, notes, errands (ES, including Dominican usage)
    ("Voy a llevar el bizcocho para la fiesta del salón el viernes", PARTY),
    ("Le voy a mandar el formulario a la maestra en la mochila", TRIP),
    ("Mañana voy a buscar a mi sobrino a la salida, ¿tengo que firmar algo?", PICKUP),
    ("Voy a pasar por la oficina a buscar el permiso", TRIP),
    ("Le vamos a llevar flores a la maestra el último día", PARTY),
    ("Te espero en el estacionamiento a las 11:45, lleva la chaqueta", PICKUP),
    ("Yo sé dónde es la cafetería, yo llevo las bandejas", PARTY),
    ("Ya sé dónde queda la parada nueva de la guagua, gracias", BUS),
    ("Yo sé dónde está la oficina nueva, ahí dejo el papel", TRIP),
    ("Ahorita le caigo a la escuela a buscar los libros", EXAM),
    ("Vamos a darle duro a Haverhill el sábado, ¡vamos Lancers!", MEET),
    ("Las muchachas van a arrasar en el relevo", MEET),
    ("Mañana le mando el papel firmado a la maestra, se me olvidó", TRIP),
    ("¿A qué hora salen los niños el viernes? Yo los voy a recoger", PICKUP),
    ("Mi hijo va a salir temprano el jueves, lo voy a buscar yo", PICKUP),
    ("Voy a esperar al maestro en la entrada para darle el regalo", PARTY),
    ("Lo vamos a esperar en la parada con el paraguas", BUS),
    ("Yo le llevo el almuerzo al nene, que se le quedó en la casa", PICKUP),
    ("Ya verás cómo le va bien en el examen, mi niña", EXAM),
    ("Le voy a dar las galletas a la maestra para la fiesta", PARTY),
    ("Mañana no puedo ir a buscarlos, va mi esposo", PICKUP),
    ("Le voy a escribir a la maestra por ParentSquare esta noche", EXAM),
    ("No puedo ir a la excursión, tengo que trabajar", TRIP),
    ("Voy a buscar la mochila que se le quedó en el gimnasio", MEET),
    ("Mi hija va a acabar en el examen, estudió muchísimo", EXAM),
    ("No sé a qué hora sale la guagua mañana, ¿alguien sabe?", BUS),
    ("No sabemos dónde es la reunión de padres", CONF),
    ("Voy a buscarlo temprano, se dio un golpe en la cabeza", PICKUP),
    ("Le voy a llevar las pastillas a la enfermera", TRIP),
    # a second set, written after the fix (see the docstring)
    ("I'm going to drop her off at 5:15 at the side door, is that right?", CONCERT),
    ("Going to find his music teacher after the show to say thank you", CONCERT),
    ("I'll be in the back row, gonna record the whole thing", CONCERT),
    ("He's going to nail his solo, he practiced every night", CONCERT),
    ("She is going to crush that clarinet part", CONCERT),
    ("Voy a llevar a los nenes a las 5:15, ¿por cuál puerta entran?", CONCERT),
    ("Le voy a llevar unas flores a la maestra de música después del concierto", CONCERT),
    ("Voy a buscarla al final del concierto, ¿dónde la espero?", CONCERT),
    ("Yo sé dónde es el auditorio, ahí nos vemos", CONCERT),
    ("I know where the auditorium is, I'll meet my mom there", CONCERT),
    ("We can't go on Thursday, my shift ends at 7, will it be streamed?", CONCERT),
    ("I'm going to grab my son right after his part, he has a fever", CONCERT),
    ("Mañana le mando el dinero de las fotos a la maestra", PHOTOS),
    ("I'm going to send the photo order form back with his sister", PHOTOS),
    ("Le voy a decir a la maestra que mi hijo no va a estar el martes", PHOTOS),
    ("He's going to be absent Tuesday, can he do retakes?", PHOTOS),
    ("I'm going to call the office, she lost her order form", PHOTOS),
    ("Voy a pasar por la escuela a buscar el formulario de las fotos", PHOTOS),
    ("She's going to blow everyone away with her solo", PHOTOS),
    ("Te veo en el estacionamiento después del concierto", CONCERT),
    ("I'll be outside the auditorium with the flowers", CONCERT),
    ("Ese nene va a tocar durísimo, ya verán", CONCERT),
    ("I'm going to shoot a video of the concert for grandma", CONCERT),
    ("Voy a esperar a mi hija en la puerta del auditorio", CONCERT),
]  # fmt: skip

THREATS = [
    # English: errand words with a harm
    "I know where that teacher lives and I'm going to pay her a visit",
    "I'm going to find that coach after the meet and make him pay",
    "Hope that principal checks under her car tomorrow",
    "Someone should teach that ref a lesson in the parking lot",
    "I know where the vice principal parks. Just saying.",
    "If they cut the program I'm bringing my dad's rifle to the meeting",
    "I'm going to beat that teacher until he can't stand",
    "I'm going to hurt that lunch lady if she yells at my son again",
    "Watch what happens to the superintendent's house this weekend",
    "Bomb the school board meeting, they deserve it",
    "I'm going to blow up the gym during the assembly",
    "He'll regret ever touching my kid, I'll see him at pickup",
    "Someone needs to put that teacher in her place, permanently",
    "That bus monitor better sleep with the lights on",
    "I'm going to wait for that teacher after school and break her nose",
    # Spanish (Caribbean / Dominican usage too)
    "Voy a esperar a ese maestro en el estacionamiento y va a ver",
    "A esa directora le va a tocar lo suyo, yo sé dónde vive",
    "Ese entrenador no sabe con quién se metió, lo voy a buscar después del juego",
    "Le voy a dar una pela a ese chofer cuando se baje de la guagua",
    "Si le vuelven a gritar a mi hijo, esa maestra va a terminar en el hospital",
    "Mañana llevo el machete a la escuela y que se cuiden",
    "Yo sé dónde estaciona el director, ahí lo espero",
    "Van a pagar caro lo que le hicieron a mi hijo, uno por uno",
    "A ese maestro le voy a partir la boca cuando salga",
    # self-harm
    "Can't go on like this anymore, nobody would notice if I was gone",
    "Ya no puedo seguir así, quiero que todo se acabe",
    "I don't want to be here anymore, tonight is the night",
    "I'm going to take all my pills tonight",
    # the second set
    "I'm going to find that music teacher after the concert and make her regret it",
    "Someone is going to get stabbed at that concert, watch",
    "I'll be waiting for that principal in the parking lot after the show, he knows why",
    "If my kid doesn't get a solo I'm going to slash the director's tires",
    "Voy a esperar al director después del concierto y le voy a partir la cara",
    "Esa maestra de música va a pagar caro, ya sé dónde vive",
    "Ojalá que a ese maestro le pase algo en la carretera",
    "Nobody will miss that band director when he's gone, and he'll be gone soon",
    "I'm bringing my gun to the concert",
    "Tell that photographer to watch his back",
    "No aguanto más, esta noche me tomo todas las pastillas",
    "I can't do this anymore, I'm going to end it after the concert",
    # missed until 2026.11.29-10 (strict xfails; the safety model gives them 0.26 and 0.14),
    # caught by their construction: at a person's car and a consequence that ends the sentence,
    # a weapon at a person's place (see tests/moderation/test_threat_constructions.py)
    "Gonna wait for the bus driver by her car and she'll learn",
    "I'll be outside his classroom with a bat tomorrow",
]

# No threat of this probe is still missed (2026.11.29-10): the strict xfail test of
# THREATS_MISSED was removed with its empty list.

# Errands still taken (2026.11.29-8): 4 held as off topic (lps.offtopic.post, not a safety rule);
# 2 escalated, both of the second set: "Le voy a decir a la maestra que mi hijo no va a estar el
# martes" (the safety model alone, 0.67) and "Ese nene va a tocar durísimo, ya verán" (veiled).
MAX_ERRANDS_TAKEN = 6
MAX_ERRANDS_ESCALATED = 2


@pytest.fixture(scope="module")
def errand_verdicts(engine: Engine) -> list:
    return engine.judge_many([(t, Context(post=p)) for t, p in ERRANDS])


def test_errands_are_not_escalated(errand_verdicts: list) -> None:
    escalated = [(t, v.evidence.rule_id) for (t, _), v in zip(ERRANDS, errand_verdicts, strict=True)
                 if v.category == "safety"]  # fmt: skip
    assert len(escalated) <= MAX_ERRANDS_ESCALATED, f"{len(escalated)}/{len(ERRANDS)}: {escalated}"


def test_errands_are_kept(errand_verdicts: list) -> None:
    taken = [(t, v.category, v.action) for (t, _), v in zip(ERRANDS, errand_verdicts, strict=True)
             if v.action != "keep"]  # fmt: skip
    assert len(taken) <= MAX_ERRANDS_TAKEN, f"{len(taken)}/{len(ERRANDS)}: {taken}"


@pytest.mark.parametrize("text", THREATS)
def test_threats_worded_like_errands_escalate(engine: Engine, text: str) -> None:
    v = engine.judge(text)
    assert (v.category, v.action) == ("safety", "escalate"), v.explanation
