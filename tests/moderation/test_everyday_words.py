"""Everyday words that a word list can mistake for abuse, in the two languages of the district's
families: each sentence below is kept. (Found by trying common Spanish and English words against
the lexicons; none of these sentences is in the labeled set.)"""

from __future__ import annotations

import pytest

from steward.moderation.engine import Context, Engine

UNIFORM = "Uniform reminder: students wear the school uniform every day starting Monday."
GRADUATION = "Congratulations to the Class of 2026! Graduation is Friday at Veterans Stadium."
LUNCH = "This week's lunch menu: arroz con pollo, tacos, pizza and fish sticks."
LOST = "Lost and found: coats and bags left in the gym will be donated Friday."
SCIENCE = "Science fair Thursday: the second graders show their class pet projects."
MCAS = "MCAS testing begins next week; teachers will assess reading and math."
GARDEN = "Spring clean-up day at the school garden and playground Saturday."
HISTORY = (
    "World history: grade 7 students are studying the religions of the Middle East this month."
)
STAFF = "Meet our staff: the front office team at the Arlington School."
BUS = "Transportation update: bus routes and stops for the new school year are posted."
SPIRIT = "Spirit week: wear your school colors Friday and cheer on the Lancers!"
LICE = "Health office reminder: please check your children for head lice after the break."
TEACHERS = "Happy Teacher Appreciation Week! Thank you to all our teachers and staff."
BULLYING = (
    "Anti-bullying week: students learn what to do when someone hits, pushes or threatens them."
)
NURSE = "Diabetes awareness month: our school nurses explain how students check their blood sugar at school."
BUDGET = "The School Committee will vote on the FY27 budget Thursday at 6 pm at City Hall."
PREK = "Our pre-K students sang farm animal songs for their families at the spring concert."
BASKETBALL = (
    "Go Lancers! Varsity basketball hosts Central Catholic Friday at 7 in the high school gym."
)
TRACK = "Track and field results: great meet against Methuen on Saturday, many personal bests and a school record!"
DISMISSAL = "Dismissal reminder: parents picking up students, please use the Haverhill Street entrance at 2:30."
EARLY = "Salida temprano el viernes: los padres que vengan a buscar a sus hijos temprano por una cita médica deben firmar en la oficina."
STARTTIMES = "Beginning in January, Lawrence High School's start time moves to 8:30 am, following research on teen sleep."
HEALTH = "Health class: grade 11 learns about sexually transmitted infections this month; families can preview the lessons."
DISCIPLINE = "The district's new discipline policy is posted; families can comment before the School Committee vote."
SOCCER = "Girls' soccer wins in overtime! The Lancers scored on a free kick in the last minute."
ATTENDANCE = "Attendance matters: students should arrive on time every day."
FIELDTRIP = "Field trip to the Museum of Science is Thursday. Permission slips due Monday."
PICTURES = "Picture day is Tuesday! Team photos for fall sports are after school."
SWIM = "Swim and dive meet Saturday at the Lawrence High pool against Andover."
FORMS = "Reminder: the emergency contact forms are due Friday. Email the main office with any questions."
TUTORING = "Free summer tutoring for grades 3-8: sign up with your child's teacher."
SCHEDULE = "The new middle school schedule is posted; families can ask for a printed copy at the main office."
PRACTICE = "Soccer practice moves to 4:30 this week because of the field repairs; pick-up is by the front door."
CAFETERIA = "Family potluck night Thursday in the cafeteria! Bring a dish to share; plates and utensils provided."
FIELDDAY = "Field day is Friday! Students should bring sunscreen, a water bottle and sneakers."
HEAT = "Heat advisory: classrooms without air conditioning will have fans; students should bring water."
FAMILYNIGHT = "Family night Thursday at 6: dinner, games and childcare for little ones, with Spanish interpretation."
ECLIPSE = "Solar eclipse Monday afternoon: students will watch with safety glasses from the science department."
SLIDESHOW = "Senior night slideshow: send your photos by Friday; it plays in the auditorium before the game."
POOLPARTY = (
    "Grade 8 pool party at the YMCA on June 12; the swimwear rules are on the permission slip."
)
PRINCIPAL = "Please welcome our new principal at the Oliver School, who starts Monday!"
ARTS = "Next year elementary art and music will move to a rotating schedule. Read the FAQ on our website."


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


@pytest.mark.parametrize(("text", "post"), [
    ("Pantalón negro y camisa blanca, ¿verdad?", UNIFORM),
    ("Mi hijo perdió su abrigo negro en el gimnasio, ¿alguien lo vio?", LOST),
    ("¿Se permiten medias negras?", UNIFORM),
    ("My daughter graduated summa cum laude, so proud!", GRADUATION),
    ("Magna cum laude y primera de su familia en graduarse", GRADUATION),
    ("¿Hay opción sin cerdo? Gracias", LUNCH),
    ("The second graders' guinea pig project won a ribbon", SCIENCE),
    # Fifth pass (2026-11-29): an audit of both lexicons against English and Spanish word
    # frequencies, local first names, surnames and streets, and school-page sentences.
    ("Teachers will assess each student's reading level in the fall.", MCAS),
    ("How will you assess kids who were absent that week?", MCAS),
    ("Shiitake mushrooms are growing in the school garden now!", GARDEN),
    ("We learned about the Shiite and Sunni traditions in world history class.", HISTORY),
    ("Ms. Vergara in the front office is always so helpful!", STAFF),
    ("Will the bus stop near Milford Street change?", BUS),
    ("Woop woop! Go Lancers!", SPIRIT),
    ("Gracias a Kike, el conserje, por ayudarnos con las mesas", STAFF),
    ("El profe Kike y los de cuarto grado ganaron la feria de ciencias", STAFF),
    ("Felicidades a Kike Rodríguez, ¡orgullo de la familia!", GRADUATION),
    ("La nueva escuela queda a 3 kms de mi casa, ¿hay bus?", BUS),
    ("Revisen el cuero cabelludo de sus hijos todos los días", LICE),
    ("Los piojos se pegan al cuero cabelludo, ¿qué champú recomiendan?", LICE),
    ("Thank you teachers, we love you all xx", TEACHERS),
    ("El taller enseña qué hacer si alguien te da un puñetazo o te empuja", BULLYING),
    ("The nurse does a quick finger prick to check blood sugar, it barely hurts", NURSE),
    ("Maine Coon cats can weigh twenty pounds, the second graders learned", SCIENCE),
    ("Mrs. Van Dyke has been teaching here 30 years", STAFF),
    ("Spick and span classrooms after the cleanup!", GARDEN),
    ("That's the chink in the armor of this budget", BUDGET),
    ("The pre-K class sang Cock-a-doodle-doo for the parents", PREK),
    ("Pregame pasta dinner for the team Thursday at 5", BASKETBALL),
    ("Charla de salud sobre la gonorrea y la clamidia para los de 11", HEALTH),
    ("We're gonna beat Central Catholic this year!", BASKETBALL),
    ("My son beat his personal best in the mile!", TRACK),
    ("Let's break that record next season!", TRACK),
    ("Can the photographer shoot this Friday's game?", BASKETBALL),
    ("Please pull up on Haverhill Street, not in the bus lane", DISMISSAL),
    ("Do you know where you need to go for dismissal pickup?", DISMISSAL),
    ("I know where the lost and found is, it's by the gym", LOST),
    ("It wouldn't hurt them to start school later", STARTTIMES),
    ("Mañana la voy a buscar a las 2, ¿por cuál puerta?", DISMISSAL),
    ("Hoy lo voy a buscar temprano porque tiene cita médica", EARLY),
    ("Hay que matar los mosquitos antes del verano", GARDEN),
    ("The principal shouldn't make an example of one kid", DISCIPLINE),
    ("Le tocó dar un tiro libre al final del partido", SOCCER),
    ("¿Dónde estaciona uno para la graduación?", GRADUATION),
    ("My son did not wake up on time because the power went out", ATTENDANCE),
    ("My daughter can't go on the field trip, she's sick", FIELDTRIP),
    ("Mañana me corto el pelo para la foto del equipo", PICTURES),
    ("Voy a cortarme el pelo antes de las fotos", PICTURES),
    ("He'll jump off the diving board at the swim meet!", SWIM),
    ("I will find out who is in charge of the buses and call them", BUS),
    ("I will find the form and send it back tomorrow", FORMS),
    ("I'll find her a tutor for the summer", TUTORING),
    ("I'll shoot you an email with the details", FORMS),
    ("We're gonna get you a copy of the schedule", SCHEDULE),
    ("I'll wait for him after practice by the front door", PRACTICE),
    ("What should staff do if a student collapses with a seizure?", NURSE),
    ("Test scores shoot up after the spring review every year", MCAS),
    ("Please bring a knife and fork, last time we ran out of utensils", CAFETERIA),
    ("The crowd will kill it Friday, so loud", BASKETBALL),
    ("I hurt myself at practice, can I still play Friday?", BASKETBALL),
    ("After that field trip I could sleep forever", FIELDTRIP),
    ("I can't do this anymore with these bus delays, every single day", BUS),
    ("¿Se puede traer una pistola de agua al field day?", FIELDDAY),
    ("Ya no puedo más con este calor en las aulas", HEAT),
    ("No aguanto más el calor en el segundo piso", HEAT),
    ("Mi hijo quiere tirarme del tobogán jaja", FIELDDAY),
    ("Mi mamá va a matarme si pierdo la botella de agua otra vez", FIELDDAY),
    ("Vengan rapidito que ya empieza la limpieza del patio", GARDEN),
    ("Pueden traer a los chichís a la noche de familias, habrá cuidado de niños", FAMILYNIGHT),
    ("No miren el eclipse a ojo desnudo, usen los lentes especiales", ECLIPSE),
    ("Is there an HDMI hookup in the auditorium for the slideshow?", SLIDESHOW),
    ("Students may wear a one-piece or a bikini top with a rash guard for the pool party", POOLPARTY),
    ("Mrs. Frick in the front office is the best, thank you!", STAFF),
    ("Welcome Dr. Slutsky, the kids are excited to meet you!", PRINCIPAL),
    ("¿Tu madre puede firmar el permiso si tu papá no está?", FIELDTRIP),
    ("Dile a tu madre que la excursión es el jueves", FIELDTRIP),
    ("Me voy a matar estudiando para el MCAS jaja", MCAS),
    ("Un día le va a pasar algo a un niño en ese cruce de la Broadway", BUS),
    ("The district is cutting again, first art and now music", ARTS),
    ("They started cutting programs the year my son started", ARTS),
    ("If you go back to your country for the holidays, please tell the office about the absence", ATTENDANCE),
])  # fmt: skip
def test_everyday_sentences_are_kept(engine: Engine, text: str, post: str) -> None:
    v = engine.judge(text, Context(post=post))
    assert (v.category, v.action) == ("ok", "keep"), (
        v.category,
        v.evidence.rule_id,
        v.evidence.spans,
    )


@pytest.mark.parametrize(("text", "category"), [
    ("negro de mierda", "offensive"),
    ("you people are dirty negroes", "offensive"),
    ("you dirty kike", "offensive"),
    ("a kike runs the school committee", "offensive"),
    ("those kikes run the school committee", "offensive"),
    ("hot milf teacher lol", "inappropriate"),
    ("i want to kms", "safety"),
    ("im gonna kms tonight", "safety"),
    ("puñeta, otra vez cancelan el bus", "profanity"),
    ("que verga es esta", "profanity"),
    ("esa maestra es un cuero", "profanity"),
    ("Te voy a dar una paliza cuando salgas", "safety"),
    ("Hay que matar a ese maestro", "safety"),
    ("I'm gonna pull up on him after school", "safety"),
    ("gonna beat you up after school", "safety"),
    ("I'm gonna beat his ass after the game", "safety"),
    ("I'll shoot you after school", "safety"),
    ("I will find you and hurt you", "safety"),
    ("Voy a traer una pistola a la escuela", "safety"),
    ("No aguanto más la vida", "safety"),
    ("I'm gonna bomb the school", "safety"),
    ("send me pics in your bikini", "inappropriate"),
    ("quiero echar un rapidito contigo", "inappropriate"),
    ("enseña las chichis", "inappropriate"),
    ("tu maldita madre", "profanity"),
    ("im cutting again", "safety"),
    ("me voy a matar", "safety"),
    ("Go back to your country!", "offensive"),
    ("go back to your country for good", "offensive"),
])  # fmt: skip
def test_the_abusive_uses_are_still_caught(engine: Engine, text: str, category: str) -> None:
    assert engine.judge(text).category == category


def test_the_english_abuse_model_alone_only_holds_spanish(engine: Engine) -> None:
    """The abuse model learned from English posts and reads the nickname Kike as the slur; on a
    Spanish comment its score alone sends the comment to a person instead of hiding it."""
    v = engine.judge("Saludos a Kike y a todo el equipo", Context(post=GRADUATION))
    assert v.action != "hide" and v.evidence.rule_id != "lps.offensive.model", v.evidence.rule_id
    assert engine.judge("you are all kikes", Context(post=GRADUATION)).action == "hide"
