"""Student-data redaction (PRR-5, FERPA-3)."""

from __future__ import annotations

from steward.archive.redaction import Redactor, RosterStudent

ROSTER = [
    RosterStudent(
        first_name="José",
        last_name="Peña Rodríguez",
        ref="p1",
        student_ids=("1002003004",),
        emails=("jpena@students.lawrence.k12.ma.us",),
        phones=("(978) 555-0142",),
        media_opt_out=True,
    ),
    RosterStudent(first_name="Alexander", last_name="Nguyen", ref="p2"),
    RosterStudent(first_name="Maria", last_name="Santos", ref="p3", nicknames=("Mari",)),
]


def redactor() -> Redactor:
    return Redactor(ROSTER, student_email_domains=("students.lawrence.k12.ma.us",))


def test_full_name_with_and_without_accents() -> None:
    r = redactor().redact("Congrats to Jose Pena and José Peña Rodríguez!")
    assert "Pena" not in r.text and "Peña" not in r.text
    assert r.text.count("[REDACTED: student name]") == 2
    assert all(x.student_ref == "p1" for x in r.redactions)
    assert all("media opt-out" in x.reason for x in r.redactions)


def test_nickname_misspelling_and_last_first() -> None:
    r = redactor().redact("Alex Nguyen scored; so did Alexandr Nguyen. Santos, Mari was MVP.")
    assert "Nguyen" not in r.text and "Santos" not in r.text
    assert len(r.redactions) == 3


def test_first_name_alone_is_only_a_candidate() -> None:
    r = redactor().redact("Maria did great today")
    assert r.text == "Maria did great today"
    assert [c.original for c in r.candidates] == ["Maria"]


def test_opt_out_surname_alone_is_redacted() -> None:
    r = redactor().redact("Great game by Peña tonight")
    assert "Peña" not in r.text
    r2 = redactor().redact("Great game by Santos tonight")
    assert r2.text == "Great game by Santos tonight"
    assert r2.candidates and r2.candidates[0].original == "Santos"


def test_student_ids() -> None:
    r = redactor().redact("Student ID 1002003004, also ID: 998877 and order 12345678.")
    assert "1002003004" not in r.text and "998877" not in r.text
    assert "12345678" in r.text
    assert [c.original for c in r.candidates] == ["12345678"]
    assert {x.kind for x in r.redactions} == {"student_id"}


def test_contacts() -> None:
    r = redactor().redact(
        "Email jpena@students.lawrence.k12.ma.us or call 978-555-0142; info@lawrence.k12.ma.us for questions"
    )
    assert "jpena@" not in r.text and "555-0142" not in r.text
    assert "info@lawrence.k12.ma.us" in r.text
    assert [c.original for c in r.candidates] == ["info@lawrence.k12.ma.us"]
    assert [c.reason for c in r.candidates] == ["e-mail address of unknown owner"]
    assert sorted(red.reason for red in r.redactions) == [
        "e-mail address of a student in the roster",
        "phone number of a student in the roster",
    ]


def test_contact_next_to_a_student_name_is_redacted() -> None:
    r = redactor().redact("Alexander Nguyen's mom: 978 555 0199, mom@example.com")
    assert "0199" not in r.text and "mom@example.com" not in r.text


def test_log_says_what_where_why() -> None:
    text = "Hi Alexander Nguyen"
    r = redactor().redact(text)
    (red,) = r.redactions
    assert text[red.start : red.end] == red.original == "Alexander Nguyen"
    assert red.kind == "student_name" and red.reason and "FERPA" in red.exemption


def test_no_false_positive_on_staff_and_common_words() -> None:
    r = redactor().redact("Principal Smith thanks the santos family choir and all families")
    assert r.text == "Principal Smith thanks the santos family choir and all families"
    assert not r.redactions
