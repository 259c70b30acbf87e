"""Signals computed from the comment and its context, besides the lexicon and the model.

- language (English or Spanish) from function words, unless the caller gives a hint;
- structural patterns: links, phone numbers, e-mail addresses, money amounts, street addresses;
- overlap with the post the comment replies to (off-topic is judged against the post), with a
  small English–Spanish folding so that a Spanish reply to an English post is judged the same way;
- whether the comment, or the post it answers, names an approved fundraiser of the account.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from .normalize import normalize
from .types import Fundraiser

__all__ = [
    "detect_language", "structural", "post_overlap", "fundraiser_match", "content_stems", "is_question",
]  # fmt: skip


def _words(s: str) -> frozenset[str]:
    return frozenset(s.split())


_ES = _words(
    "el la los las un una unos unas de del que y en por para con sin es son está están esta este "
    "estos estas mi mis su sus nuestro nuestra yo tu usted ustedes nosotros ellos ella pero porque "
    "como cuando donde muy más mas también tambien hay ser fue gracias hijo hija niños niño niña "
    "escuela maestra maestro qué que no sí si al lo le les se ya todo todos nada bien mal hoy "
    "mañana manana día dia "
    # frequent verbs and pronouns, so that a short comment such as "quiero desaparecer" is known
    "quiero quiere quieren puedo puede pueden voy vas va vamos van tengo tiene tienen estoy estas "
    "soy eres somos hace hacen nadie alguien algo nunca siempre ahora aqui ese esa eso esto vez "
    "ustedes mejor peor otra otro"
)  # fmt: skip
_EN = _words(  # not "a": it is Spanish too ("voy a")
    "the an of and to in is are was were be been for on with without my your our their his her "
    "this that these those it its they we you he she i but because how when where very more also "
    "there have has had not no yes thank thanks kids kid school teacher today tomorrow day all "
    "any what who why will would can could should do does did "
    "want wants am im going gonna get got know think just like so please nobody someone never "
    "always now here if or at from about"
)  # fmt: skip


def detect_language(tokens: Sequence[str], hint: str = "") -> str:
    """``"es"`` or ``"en"``: the hint when given, else the language with more function words."""
    if hint:
        h = hint.lower()[:2]
        if h in ("es", "en"):
            return h
    es = sum(map(_ES.__contains__, tokens))
    en = sum(map(_EN.__contains__, tokens))
    return "es" if es > en else "en"


_PATTERNS = {
    "url": r"(?:https?://|www\.)\S+|\b[a-z0-9-]+\.(?:com|net|org|ly|io|shop|store|biz|co|me|info)\b(?:/\S*)?",
    "phone": r"(?<!\d)(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)",
    "email": r"\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}\b",
    "money": r"\$\s?\d|\d\s?(?:dollars|dolares|dólares|usd)\b",
    "address": (
        r"\b\d{1,5}\s+(?:[a-z]+\s){1,2}(?:st|street|ave|avenue|rd|road|ln|lane|dr|drive|"
        r"blvd|terrace|ter)\b|\b(?:calle|avenida)\s+[a-z]+\s*#?\s*\d{1,5}\b|"
        r"\b\d{1,5}\s+de\s+la\s+calle\s+[a-z]+"
    ),
    "handle": r"(?<![\w.])@[a-z0-9_.]{3,}",
}
_COMPILED = {k: re.compile(v) for k, v in _PATTERNS.items()}
_SIG_NAMES = {k: f"sig.{k}" for k in _PATTERNS}
_NO_COUNTS = dict.fromkeys(_SIG_NAMES.values(), 0.0)
# Substrings without which the url / money patterns cannot match (a link is "http(s)://..." or
# has a dot and one of these; a cut-off "http://&#8230;" is a link too).
_URL_HINTS = ("http", "www.", ".co", ".net", ".org", ".ly", ".io", ".shop", ".store", ".biz", ".me",
              ".info")  # fmt: skip
_MONEY_HINTS = ("$", "dollars", "dolares", "dólares", "usd")
# What an e-mail address must contain from its "@" on, and what a street address needs (a digit
# then a space, or "calle"/"avenida"): searches that start with a fixed character, so the regex
# engine skips to it, unlike the full patterns (which try every position).
_EMAIL_HINT = re.compile(r"@[a-z0-9.-]+\.[a-z]{2}")
_DIGIT_SPACE = re.compile(r"\d\s")
_DISTRICT_MAIL = re.compile(r"@lawrence\.k12\.ma\.us\b")
_DIGITS = re.compile(r"\d")


def structural(light: str) -> tuple[dict[str, float], list[tuple[str, int, int]]]:
    """Counts of links, phones, e-mail addresses (not the district's), money, addresses, handles.

    ``light`` is lower case (see ``light_normalize``). Each pattern runs only when a cheap test
    says it could match, which keeps the common comment (no digits, no @, no dot-com) fast.
    """
    counts = dict(_NO_COUNTS)
    spans: list[tuple[str, int, int]] = []
    has_digit = _DIGITS.search(light) is not None
    has_at = "@" in light
    has_scheme = "://" in light
    if not (has_digit or has_at or has_scheme or "." in light):
        return counts, spans  # every pattern needs a digit, an "@", "://" or a dot
    # Exact pre-tests: each is implied by a match of its pattern.
    ndigits = 0  # a phone number has ten; other scripts have other digits: no pre-test there
    if has_digit:
        ndigits = sum(map(light.count, "0123456789")) if light.isascii() else 10
    checks = {
        "url": has_scheme or ("." in light and any(map(light.__contains__, _URL_HINTS))),
        "phone": ndigits >= 10,
        "email": has_at and _EMAIL_HINT.search(light) is not None,
        "money": has_digit and any(map(light.__contains__, _MONEY_HINTS)),
        "address": has_digit
        and (_DIGIT_SPACE.search(light) is not None or "calle" in light or "avenida" in light),
        "handle": has_at,
    }
    for kind, pat in _COMPILED.items():
        if not checks[kind]:
            continue
        for m in pat.finditer(light):
            if kind == "email" and _DISTRICT_MAIL.search(m.group(0)):
                continue  # the district's own help line is not private contact data
            counts[_SIG_NAMES[kind]] += 1.0
            spans.append((kind, m.start(), m.end()))
    return counts, spans


# English <- Spanish folding of school-page words, so overlap works across the two languages.
_FOLD = {
    "autobus": "bus", "autobuses": "bus", "guagua": "bus", "guaguas": "bus", "ruta": "route",
    "rutas": "route", "almuerzo": "lunch", "almuerzos": "lunch", "comida": "food",
    "desayuno": "breakfast", "juego": "game", "partido": "game", "partidos": "game",
    "equipo": "team", "escuela": "school", "escuelas": "school", "nieve": "snow",
    "tormenta": "storm", "cierre": "closed", "cerrada": "closed", "cerradas": "closed",
    "cerrado": "closed", "cerrados": "closed", "cancelada": "cancel", "cancelado": "cancel",
    "clases": "class", "clase": "class", "presupuesto": "budget", "maestro": "teacher",
    "maestra": "teacher", "maestros": "teacher", "maestras": "teacher", "profesores": "teacher",
    "padres": "parent", "familias": "family", "conferencia": "conference",
    "conferencias": "conference", "reunion": "meeting", "junta": "meeting",
    "recaudacion": "fundraiser", "fondos": "fundraiser", "estudiantes": "student",
    "alumnos": "student", "graduacion": "graduation", "horario": "schedule", "horarios": "schedule",
    "calendario": "calendar", "vacaciones": "vacation", "feria": "fair", "libros": "book",
    "biblioteca": "library", "musica": "music", "banda": "band", "arte": "art",
    "campeonato": "championship", "temporada": "season", "entrenador": "coach",
    "superintendente": "superintendent", "comite": "committee", "escolar": "school",
    "seguridad": "safety", "salud": "health", "vacuna": "vaccine", "inscripcion": "registration",
    "matricula": "registration", "verano": "summer", "programa": "program", "boletos": "ticket",
    "entradas": "ticket", "cena": "dinner", "baile": "dance", "ciencias": "science",
    "feriado": "holiday", "lluvia": "rain", "frio": "cold", "calefaccion": "heat",
    "estacionamiento": "parking", "tarde": "late", "retraso": "delay",
    "abrigo": "coat", "abrigos": "coat", "chaqueta": "jacket", "chaquetas": "jacket",
    "gimnasio": "gym", "mochila": "backpack", "mochilas": "backpack", "perdido": "lost",
    "perdida": "lost", "perdidos": "lost", "perdio": "lost", "uniforme": "uniform",
    "uniformes": "uniform", "zapatos": "shoes", "camisa": "shirt", "camisas": "shirt",
    "pantalon": "pants", "pantalones": "pants", "ropa": "clothes",
}  # fmt: skip
_STOP = _ES | _EN | _words(
    "just like get got so if then than from about into out up down over also really much many "
    "some been being am im its thats dont cant wont please lps lawrence everyone everybody "
    "people todos gente muchas muchos"
)  # fmt: skip


def content_stems(tokens: Sequence[str]) -> set[str]:
    """Content words of a text, folded to English and cut to five letters."""
    out = set()
    for t in tokens:
        if len(t) < 3 or t in _STOP or t.isdigit():
            continue
        t = _FOLD.get(t, t)
        out.add(t[:5])
    return out


def post_overlap(comment_tokens: Sequence[str], post_stems: set[str]) -> float:
    """Share of the comment's content words that also occur in the post (0 when none)."""
    c = content_stems(comment_tokens)
    if not c or not post_stems:
        return 0.0
    return len(c & post_stems) / len(c)


def _phrase_in(joined: str, phrase: str) -> bool:
    p = normalize(phrase).joined
    return bool(p) and f" {p} " in f" {joined} "


def fundraiser_match(
    joined: str, fundraisers: Sequence[Fundraiser], today: dt.date | None
) -> Fundraiser | None:
    """The active approved fundraiser named (by name or one of its phrases) in ``joined``."""
    day = today or dt.date.today()
    for f in fundraisers:
        if not f.active(day):
            continue
        if _phrase_in(joined, f.name) or any(_phrase_in(joined, p) for p in f.phrases):
            return f
    return None


# Two capitalized words in a row, as in a person's name ("Kevin Morales", "Yaritza Peña").
_NAME = re.compile(r"\b([A-ZÁÉÍÓÚÑ][a-záéíóúñ]+)\s+([A-ZÁÉÍÓÚÑ][a-záéíóúñ]+)\b")
_NOT_NAMES = _words(
    "lawrence high school public schools central catholic veterans stadium city hall market basket "
    "south north east west family resource center lady lancers lancers andover methuen boston "
    "merrimack valley conference museum science library general hospital class the this that "
    "our my your his her and but for with from monday tuesday wednesday thursday friday saturday "
    "sunday january february march april may june july august september october november "
    "december thanksgiving day dr ms mr mrs coach principal superintendent mayor councilor "
    "parthum oliver wetherbee guilmette frost leonard bruce hennessey lawlor arlington kane "
    "tarbox leahy phoenix academy street st ave avenue road rd sporting goods good morning "
    "happy birthday god bad bunny costco celtics pats patriots santo domingo new england "
    "united states spanish english dominican puerto rico rican fresh cutz auto spa ballhypez "
    "parentsquare chromebook mcas fy26 fy27 covid please yes thank thanks vote re-elect "
    "re elect share free lost tower hill school committee teachers union"
)  # fmt: skip
_MINE = re.compile(
    r"\b(?:my|mi|mis)\s+(?:\w+\s+)?(?:son|sons|daughter|daughters|child|children|kid|kids|boy|girl|"
    r"twins|nephew|niece|grandson|granddaughter|hijo|hija|hijos|hijas|niño|niña|nino|nina|niños|"
    r"nieto|nieta|sobrino|sobrina|esposa|esposo|wife|husband|mother|paycheck|pay|check|"
    r"step|job|cuenta|account)\b|\b(?:i|yo)\s+(?:work|trabajo|was laid off|fui|asked|called|"
    r"paid|owe|can't get|cannot get|need someone|need a meeting)\b"
)


_REQUEST = re.compile(
    r"\b(?:who (?:do|can|should) i|who handles|who can (?:help|fix|check|let)|i need|i want to "
    r"(?:file|talk|speak)|need (?:someone|a meeting|to (?:speak|talk))|please help|can someone|"
    r"can (?:you|anyone) (?:help|check|fix)|help me|call me|contact me|what am i supposed|"
    r"nobody (?:answers|answered|returns|picks up|called|can find)|no one (?:answers|returns|called)|"
    r"(?:never|hasn'?t|has not|haven'?t|have not|won'?t|still) (?:answered|returned|been|"
    r"received|picks up|meet|hear|scheduled|applied|paid)|still don'?t|no record|"
    r"(?:a|con) qui[eé]n|necesito|me pueden ayudar|ay[uú]denme|nadie me|nunca contesta|"
    r"no me (?:han|contestan|devuelven|dejan)|no le (?:están|estan)|pueden revisar|qu[eé] pas[oó]|"
    r"sin avisar(?:le|me)|siempre me dicen)\b"
)


def asks_for_help(text: str, *, lowered: bool = False) -> bool:
    """Whether ``text`` asks for help with, or reports an unanswered, individual matter."""
    return bool(_REQUEST.search(text if lowered else text.lower()))


# What may follow a comment's last question mark: spaces, closing quotes and brackets, emoji.
_TRAILING = re.compile(r"[!\s\"'’”»)\]\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200d]*\Z")


def is_question(text: str) -> bool:
    """Whether the comment as a whole is a question: it ends with "?" (then at most emoji or
    closing quotes). "Is the booster club still selling hoodies?" asks; "Need braids done? DM me"
    ends as an offer, and is not one."""
    i = text.rfind("?")
    return i >= 0 and _TRAILING.match(text, i + 1) is not None


def own_case(text: str, *, lowered: bool = False) -> bool:
    """Whether ``text`` speaks of the author's own child, job or account ("my son", "mi hija")."""
    return bool(_MINE.search(text if lowered else text.lower()))


# A capitalized word, space and a capital: what every match of _NAME holds. It starts with a
# character class, so the regex engine skips to it; _NAME (starting with \b) tries every position.
_NAME_HINT = re.compile(r"[A-ZÁÉÍÓÚÑ][a-záéíóúñ]+\s+[A-ZÁÉÍÓÚÑ]")


def looks_like_name(text: str) -> bool:
    """Whether ``text`` seems to name a person (two capitalized words that are not places)."""
    if _NAME_HINT.search(text) is None:
        return False
    for m in _NAME.finditer(text):
        a, b = m.group(1).lower(), m.group(2).lower()
        if a not in _NOT_NAMES and b not in _NOT_NAMES:
            return True
    return False


#: Signals for the rules only: the shipped model never learned them, so they are no feature tokens.
RULE_ONLY_SIGNALS = frozenset({"sig.question"})


def pseudo_tokens(
    original: str,
    lexicon_categories: set[str],
    struct_counts: dict[str, float],
    overlap: float | None,
    *,
    with_post: bool = True,
) -> tuple[str, ...]:
    """Feature tokens the model reads beside the words: lexicon categories hit, structure
    (links, phones...), a person's name, a first-person own case, and overlap with the post."""
    out = [f"__lex_{c}" for c in sorted(lexicon_categories)]
    out += [f"__{k.replace('.', '_')}" for k, v in struct_counts.items()
            if v and k not in RULE_ONLY_SIGNALS]  # fmt: skip
    if with_post:
        if overlap is None:
            out.append("__post_none")
        elif overlap == 0:
            out.append("__ovl_zero")
        elif overlap < 0.2:
            out.append("__ovl_low")
        else:
            out.append("__ovl_high")
    return tuple(out)
