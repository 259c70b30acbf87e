"""Student-data redaction for records-request exports (PRR-5, FERPA-3, 603 CMR 23).

Pure Python: text and a roster in, redacted text and a log out. The archived original is never
touched (PRR-5): redaction runs on export copies, and every span it removes is logged with what
kind of data it was, where it was, why, and the exemption cited. What is only *likely* student data
(a first name alone, an unlabelled number, an e-mail address of unknown owner) is returned as a
*candidate* for a person to decide (FERPA-3: "redaction decisions stay with a person").

Name matching is accent- and case-insensitive and tolerates small misspellings (rapidfuzz ratio),
knows common English/Spanish nicknames, and matches "First Last", "First Middle Last" and
"Last, First". Students with a media opt-out (FERPA-1) also have their surname redacted when it
appears alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

EXEMPTION_STUDENT = "G.L. c.4 §7(26)(a); FERPA 20 U.S.C. §1232g; 603 CMR 23.00"

NAME_SCORE = 86  # rapidfuzz ratio; "Jonathon"/"Jonathan" = 87.5, "Maria"/"Mario" = 80
ID_CONTEXT = re.compile(
    r"(?:\b(?:student|estudiante|sasid|lasid|id|no|número|numero)\b|#)\W{0,3}(?:\w+\W{0,3}){0,2}$",
    re.IGNORECASE,
)
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
PHONE = re.compile(r"(?<![\w])(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?![\w])")
NUMBER = re.compile(r"(?<![\w.-])\d{6,10}(?![\w-])")
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")

# Common diminutives, both directions applied. Not exhaustive: the roster's own preferred names
# and nicknames fields matter more.
NICKNAMES: dict[str, tuple[str, ...]] = {
    "alexander": ("alex", "xander", "sasha"),
    "alexandra": ("alex", "sasha", "lexi"),
    "alejandro": ("alex", "ale", "jandro"),
    "alejandra": ("ale", "aleja"),
    "anthony": ("tony", "ant"),
    "antonio": ("tony", "toño", "tono"),
    "benjamin": ("ben", "benny"),
    "catherine": ("cathy", "kate", "katie"),
    "christopher": ("chris",),
    "daniel": ("dan", "danny"),
    "david": ("dave",),
    "elizabeth": ("liz", "beth", "lizzie", "eli"),
    "emily": ("em", "emmy"),
    "francisco": ("paco", "pancho", "frank", "cisco"),
    "guadalupe": ("lupe", "lupita"),
    "isabella": ("bella", "isa"),
    "jacob": ("jake",),
    "james": ("jim", "jimmy", "jamie"),
    "jennifer": ("jen", "jenny"),
    "jessica": ("jess", "jessie"),
    "jonathan": ("jon", "johnny"),
    "jose": ("pepe", "joe"),
    "joseph": ("joe", "joey"),
    "josefina": ("fina", "josie"),
    "katherine": ("kate", "katie", "kathy"),
    "manuel": ("manny", "manolo"),
    "margaret": ("maggie", "meg", "peggy"),
    "maria": ("mari", "mary"),
    "matthew": ("matt",),
    "michael": ("mike", "mikey"),
    "nicholas": ("nick", "nico"),
    "rafael": ("rafa",),
    "ricardo": ("ricky", "rick"),
    "robert": ("rob", "bob", "bobby"),
    "samantha": ("sam",),
    "samuel": ("sam", "sammy"),
    "stephanie": ("steph",),
    "william": ("will", "bill", "billy", "liam"),
}


def normalize(text: str) -> str:
    """Lower-case, strip accents (Peña → pena) and fold curly apostrophes."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


@dataclass(frozen=True)
class RosterStudent:
    """What redaction needs to know about one student (FERPA-5: nothing more)."""

    first_name: str
    last_name: str
    ref: str = ""  # the person's id in Steward, for the log
    preferred_name: str = ""
    nicknames: tuple[str, ...] = ()
    student_ids: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    media_opt_out: bool = False

    def first_variants(self) -> set[str]:
        names = {self.first_name, self.preferred_name, *self.nicknames}
        out = {normalize(n) for n in names if n}
        for name in list(out):
            out.update(normalize(n) for n in NICKNAMES.get(name, ()))
            out.update(full for full, nicks in NICKNAMES.items() if name in nicks)
        # Compound first names ("María José") also match on their first part.
        out.update(v.split()[0] for v in list(out) if " " in v)
        return out

    def last_variants(self) -> set[str]:
        last = normalize(self.last_name)
        out = {last}
        # Hispanic compound surnames: "Peña Rodríguez", "Peña-Rodríguez" match on either part.
        out.update(p for p in re.split(r"[\s-]+", last) if len(p) > 1)
        return out


@dataclass(frozen=True)
class Redaction:
    """One span removed (or proposed for removal) from a text."""

    kind: str  # student_name | student_id | student_contact
    start: int
    end: int
    original: str
    replacement: str
    reason: str
    exemption: str = EXEMPTION_STUDENT
    student_ref: str = ""
    score: int = 100


@dataclass
class RedactionResult:
    text: str
    redactions: list[Redaction] = field(default_factory=list)
    candidates: list[Redaction] = field(default_factory=list)


def _label(kind: str) -> str:
    return {
        "student_name": "[REDACTED: student name]",
        "student_id": "[REDACTED: student ID]",
        "student_contact": "[REDACTED: student contact]",
    }[kind]


def _similar(a: str, b: str) -> int:
    if a == b:
        return 100
    if min(len(a), len(b)) <= 4:  # "Ana"/"Ann": too short to trust fuzzy matching
        return 0
    return int(fuzz.ratio(a, b))


class Redactor:
    """Redacts one roster's students from many texts. Build once per export."""

    def __init__(
        self,
        roster: Iterable[RosterStudent],
        *,
        student_email_domains: Sequence[str] = (),
        id_pattern: str | None = None,
    ) -> None:
        self.students = list(roster)
        self.by_last: dict[str, list[tuple[RosterStudent, set[str]]]] = {}
        for s in self.students:
            firsts = s.first_variants()
            for last in s.last_variants():
                self.by_last.setdefault(last, []).append((s, firsts))
        self.last_names = list(self.by_last)
        self.ids = {i.strip(): s for s in self.students for i in s.student_ids if i.strip()}
        self.emails = {e.casefold(): s for s in self.students for e in s.emails}
        self.phones = {_digits(p)[-10:]: s for s in self.students for p in s.phones if _digits(p)}
        self.domains = tuple(d.casefold().lstrip("@") for d in student_email_domains)
        self.id_re = re.compile(id_pattern) if id_pattern else NUMBER

    # -- names -------------------------------------------------------------------------

    def _last_hits(self, token: str) -> list[tuple[str, int]]:
        if len(token) < 2:
            return []
        if len(token) <= 4:
            return [(token, 100)] if token in self.by_last else []
        found = process.extract(
            token, self.last_names, scorer=fuzz.ratio, score_cutoff=NAME_SCORE, limit=20
        )
        return [(name, int(score)) for name, score, _ in found]

    def _names(self, text: str) -> tuple[list[Redaction], list[Redaction]]:
        tokens = [
            (m.start(), m.end(), re.sub(r"'s$", "", normalize(m.group())))
            for m in WORD.finditer(text)
        ]
        hits: list[Redaction] = []
        maybe: list[Redaction] = []
        for j, (start, end, tok) in enumerate(tokens):
            for last, score in self._last_hits(tok):
                for student, firsts in self.by_last[last]:
                    span = self._full_name_span(text, tokens, j, firsts)
                    if span is not None:
                        s0, e0 = span
                        why = "student named in the district roster"
                        if student.media_opt_out:
                            why += " (media opt-out)"
                        hits.append(self._red("student_name", text, s0, e0, why, student, score))
                    elif text[start].isupper():
                        red = self._red(
                            "student_name",
                            text,
                            start,
                            end,
                            "surname of a student with a media opt-out"
                            if student.media_opt_out
                            else "surname matches a student in the roster",
                            student,
                            score,
                        )
                        (hits if student.media_opt_out else maybe).append(red)
        # A capitalised first name on its own is only a candidate: "Maria" is too common to
        # redact on sight, but a person should look.
        taken = [(r.start, r.end) for r in hits]
        for start, end, tok in tokens:
            if not text[start].isupper() or any(s <= start < e for s, e in taken):
                continue
            for student in self.students:
                if tok in student.first_variants():
                    maybe.append(
                        self._red(
                            "student_name",
                            text,
                            start,
                            end,
                            "first name of a student in the roster",
                            student,
                            100,
                        )
                    )
                    break
        return hits, maybe

    def _full_name_span(
        self, text: str, tokens: list[tuple[int, int, str]], j: int, firsts: set[str]
    ) -> tuple[int, int] | None:
        def first_ok(k: int) -> bool:
            return 0 <= k < len(tokens) and any(
                _similar(tokens[k][2], f) >= NAME_SCORE for f in firsts
            )

        # First Last, First Middle Last
        for back in (1, 2):
            if first_ok(j - back):
                return tokens[j - back][0], tokens[j][1]
        # Last, First
        if j + 1 < len(tokens) and "," in text[tokens[j][1] : tokens[j + 1][0]] and first_ok(j + 1):
            return tokens[j][0], tokens[j + 1][1]
        return None

    # -- ids and contacts --------------------------------------------------------------

    def _ids(self, text: str) -> tuple[list[Redaction], list[Redaction]]:
        hits: list[Redaction] = []
        maybe: list[Redaction] = []
        for m in self.id_re.finditer(text):
            student = self.ids.get(m.group())
            if student is not None:
                hits.append(
                    self._red(
                        "student_id",
                        text,
                        m.start(),
                        m.end(),
                        "student ID number in the roster",
                        student,
                    )
                )
            elif ID_CONTEXT.search(text[max(0, m.start() - 30) : m.start()]):
                hits.append(
                    self._red(
                        "student_id",
                        text,
                        m.start(),
                        m.end(),
                        "number labelled as a student ID",
                        None,
                    )
                )
            else:
                maybe.append(
                    self._red(
                        "student_id",
                        text,
                        m.start(),
                        m.end(),
                        "number in a student ID format",
                        None,
                    )
                )
        return hits, maybe

    def _contacts(self, text: str, names_found: bool) -> tuple[list[Redaction], list[Redaction]]:
        """E-mail addresses and phone numbers: certain when the roster knows them as a student's (or
        the address is in a student domain, or a student is named beside it); otherwise held for a
        person to decide."""
        hits: list[Redaction] = []
        maybe: list[Redaction] = []

        def found(
            m: re.Match[str], what: str, student: RosterStudent | None, *, domain: bool = False
        ) -> None:
            if student is not None:
                bucket, reason = hits, f"{what} of a student in the roster"
            elif domain:
                bucket, reason = hits, "student e-mail domain"
            elif names_found:
                bucket, reason = hits, f"{what} given with a student's name"
            else:
                bucket, reason = maybe, f"{what} of unknown owner"
            bucket.append(self._red("student_contact", text, m.start(), m.end(), reason, student))

        for m in EMAIL.finditer(text):
            addr = m.group().casefold()
            in_domain = bool(self.domains) and addr.rsplit("@", 1)[1].endswith(self.domains)
            found(m, "e-mail address", self.emails.get(addr), domain=in_domain)
        for m in PHONE.finditer(text):
            found(m, "phone number", self.phones.get(_digits(m.group())[-10:]))
        return hits, maybe

    @staticmethod
    def _red(
        kind: str,
        text: str,
        start: int,
        end: int,
        reason: str,
        student: RosterStudent | None,
        score: int = 100,
    ) -> Redaction:
        return Redaction(
            kind=kind,
            start=start,
            end=end,
            original=text[start:end],
            replacement=_label(kind),
            reason=reason,
            student_ref=student.ref if student else "",
            score=score,
        )

    # -- public ------------------------------------------------------------------------

    def redact(self, text: str) -> RedactionResult:
        if not text:
            return RedactionResult(text=text)
        names, maybe_names = self._names(text)
        ids, maybe_ids = self._ids(text)
        contacts, maybe_contacts = self._contacts(text, bool(names))
        # A ten-digit SASID looks like a phone number: a known or labelled ID wins, otherwise
        # the phone reading wins over the bare-number candidate.
        id_spans = [(r.start, r.end) for r in ids]
        contacts = [
            r for r in contacts if r.kind != "student_contact" or not _overlaps(r, id_spans)
        ]
        maybe_contacts = [r for r in maybe_contacts if not _overlaps(r, id_spans)]
        phone_spans = [(r.start, r.end) for r in contacts + maybe_contacts]
        maybe_ids = [r for r in maybe_ids if not _overlaps(r, phone_spans)]
        applied = _merge(names + contacts + ids)
        out = []
        pos = 0
        for r in applied:
            out.append(text[pos : r.start])
            out.append(r.replacement)
            pos = r.end
        out.append(text[pos:])
        spans = [(r.start, r.end) for r in applied]
        candidates = [
            c
            for c in _dedupe(maybe_names + maybe_contacts + maybe_ids)
            if not any(s <= c.start < e or s < c.end <= e for s, e in spans)
        ]
        return RedactionResult(text="".join(out), redactions=applied, candidates=candidates)


def _overlaps(r: Redaction, spans: list[tuple[int, int]]) -> bool:
    return any(r.start < e and s < r.end for s, e in spans)


def _dedupe(items: list[Redaction]) -> list[Redaction]:
    seen: set[tuple[int, int]] = set()
    out = []
    for r in sorted(items, key=lambda r: (r.start, -r.end)):
        if (r.start, r.end) not in seen:
            seen.add((r.start, r.end))
            out.append(r)
    return out


def _merge(items: list[Redaction]) -> list[Redaction]:
    """Keep the widest of overlapping spans, in text order."""
    out: list[Redaction] = []
    for r in sorted(items, key=lambda r: (r.start, -(r.end - r.start))):
        if out and r.start < out[-1].end:
            continue
        out.append(r)
    return out


def redact(text: str, roster: Iterable[RosterStudent], **options: object) -> RedactionResult:
    """Convenience for one text; build a :class:`Redactor` for many."""
    return Redactor(roster, **options).redact(text)  # type: ignore[arg-type]
