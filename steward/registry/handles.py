"""Handles and profile URLs, checked per platform. Plain Python, no Django import.

``check_account_address(platform, handle, url)`` takes what a person typed (a handle with or without
"@", a profile URL, or both), and returns the handle as stored and the canonical profile URL, or
raises ``HandleProblem`` naming the field ("handle" or "url") and the reason.

Messages are marked with ``_`` for extraction but translated by the Django side
(``gettext(problem.message) % problem.params``), so this module stays importable without Django.

The charset and length rules are the platforms' own published limits (checked 2026):
Facebook usernames 5–50 of letters, digits and "."; Instagram 1–30 of letters, digits, "." and "_",
no leading, trailing or doubled "."; X 1–15 of letters, digits and "_" (4 is the minimum for new
accounts, but older accounts with shorter names exist); YouTube handles 3–30 of letters, digits,
"_", "-" and ".", or a channel id "UC" + 22 characters; TikTok 2–24 of letters, digits, "_" and ".",
not ending in "."; Snapchat 3–15, starting with a letter, letters, digits, "-", "_" and ".", ending
with a letter or digit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit


def _(message: str) -> str:  # marker for makemessages; translated where shown
    return message


class HandleProblem(ValueError):
    """What is wrong with a handle or URL, and which field to show it on."""

    def __init__(self, field_name: str, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.field = field_name
        self.message = message
        self.params = params


@dataclass(frozen=True)
class PlatformRule:
    """How one platform spells handles and profile URLs."""

    label: str
    handle_re: re.Pattern[str] | None
    handle_help: str
    hosts: frozenset[str]
    url_template: str
    # Alternative accepted handle shapes (e.g. YouTube channel ids), checked before ``handle_re``.
    alt_res: tuple[re.Pattern[str], ...] = field(default_factory=tuple)


_FACEBOOK = re.compile(r"[A-Za-z0-9.]{5,50}")
_INSTAGRAM = re.compile(r"(?!\.)(?!.*\.\.)(?!.*\.$)[A-Za-z0-9._]{1,30}")
_X = re.compile(r"[A-Za-z0-9_]{1,15}")
_YOUTUBE_HANDLE = re.compile(r"[A-Za-z0-9._-]{3,30}")
_YOUTUBE_CHANNEL = re.compile(r"UC[A-Za-z0-9_-]{22}")
_TIKTOK = re.compile(r"(?!.*\.$)[A-Za-z0-9._]{2,24}")
_SNAPCHAT = re.compile(r"[A-Za-z][A-Za-z0-9._-]{1,13}[A-Za-z0-9]")
_FACEBOOK_ID = re.compile(r"[0-9]{5,20}")

RULES: dict[str, PlatformRule] = {
    "facebook": PlatformRule(
        "Facebook",
        _FACEBOOK,
        _("5 to 50 letters, digits or periods"),
        frozenset(
            {"facebook.com", "www.facebook.com", "m.facebook.com", "web.facebook.com", "fb.com"}
        ),
        "https://www.facebook.com/{handle}",
        (_FACEBOOK_ID,),
    ),
    "instagram": PlatformRule(
        "Instagram",
        _INSTAGRAM,
        _(
            "1 to 30 letters, digits, periods or underscores, not starting or ending with a period and with no two periods together"
        ),
        frozenset({"instagram.com", "www.instagram.com"}),
        "https://www.instagram.com/{handle}/",
    ),
    "x": PlatformRule(
        "X",
        _X,
        _("1 to 15 letters, digits or underscores"),
        frozenset({"x.com", "www.x.com", "twitter.com", "www.twitter.com", "mobile.twitter.com"}),
        "https://x.com/{handle}",
    ),
    "youtube": PlatformRule(
        "YouTube",
        _YOUTUBE_HANDLE,
        _(
            'a handle of 3 to 30 letters, digits, periods, hyphens or underscores, or a channel id starting "UC"'
        ),
        frozenset({"youtube.com", "www.youtube.com", "m.youtube.com"}),
        "https://www.youtube.com/@{handle}",
        (_YOUTUBE_CHANNEL,),
    ),
    "tiktok": PlatformRule(
        "TikTok",
        _TIKTOK,
        _("2 to 24 letters, digits, periods or underscores, not ending with a period"),
        frozenset({"tiktok.com", "www.tiktok.com", "m.tiktok.com"}),
        "https://www.tiktok.com/@{handle}",
    ),
    "snapchat": PlatformRule(
        "Snapchat",
        _SNAPCHAT,
        _(
            "3 to 15 letters, digits, hyphens, periods or underscores, starting with a letter and ending with a letter or digit"
        ),
        frozenset({"snapchat.com", "www.snapchat.com"}),
        "https://www.snapchat.com/add/{handle}",
    ),
    "other": PlatformRule("Other", None, _("up to 255 characters without spaces"), frozenset(), ""),
}

# Facebook paths that are not a page's username.
_FACEBOOK_RESERVED = frozenset(
    {"pages", "groups", "events", "watch", "profile.php", "people", "share", "sharer"}
)


def normalize_handle(handle: str) -> str:
    """What people type around a handle: spaces and a leading "@"."""
    return handle.strip().lstrip("@").strip()


def handle_key(handle: str) -> str:
    """The key that makes platform + handle unique (the model computes the same)."""
    return normalize_handle(handle).lower()


def validate_handle(platform: str, handle: str) -> str:
    """The handle as stored, or ``HandleProblem`` on field "handle"."""
    rule = RULES.get(platform)
    if rule is None:
        raise HandleProblem("platform", _("Unknown platform %(platform)s."), platform=platform)
    value = normalize_handle(handle)
    if not value:
        raise HandleProblem("handle", _("Enter the account's handle."))
    if rule.handle_re is None:
        if len(value) > 255 or any(c.isspace() for c in value):
            raise HandleProblem("handle", _("A handle is %(rule)s."), rule=rule.handle_help)
        return value
    if any(p.fullmatch(value) for p in rule.alt_res) or rule.handle_re.fullmatch(value):
        return value
    raise HandleProblem(
        "handle",
        _("“%(handle)s” is not a valid %(platform)s handle: %(rule)s."),
        handle=value,
        platform=rule.label,
        rule=rule.handle_help,
    )


def handle_from_url(platform: str, url: str) -> str:
    """The handle a profile URL points at, or ``HandleProblem`` on field "url"."""
    rule = RULES[platform]
    raw = url.strip()
    if "://" not in raw:
        raw = "https://" + raw
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise HandleProblem("url", _("Enter a web address starting with https://."))
    if platform == "other":
        return ""
    host = parts.hostname.lower()
    if host not in rule.hosts:
        raise HandleProblem(
            "url",
            _("A %(platform)s address is on %(hosts)s, not %(host)s."),
            platform=rule.label,
            hosts=", ".join(
                sorted(h for h in rule.hosts if not h.startswith(("www.", "m.", "web.", "mobile.")))
            ),
            host=host,
        )
    segments = [s for s in parts.path.split("/") if s]
    handle = ""
    if platform == "facebook":
        if segments[:1] == ["profile.php"]:
            handle = (parse_qs(parts.query).get("id") or [""])[0]
        elif segments[:1] == ["pages"] and len(segments) >= 3:
            handle = segments[2]  # /pages/<name>/<numeric id>
        elif segments and segments[0] not in _FACEBOOK_RESERVED:
            handle = segments[0]
    elif platform in ("instagram", "x"):
        handle = segments[0] if segments else ""
    elif platform == "youtube":
        if segments and segments[0].startswith("@"):
            handle = segments[0][1:]
        elif segments[:1] == ["channel"] and len(segments) >= 2:
            handle = segments[1]
            if not _YOUTUBE_CHANNEL.fullmatch(handle):
                raise HandleProblem(
                    "url", _('A YouTube channel id starts with "UC" and has 24 characters.')
                )
    elif platform == "tiktok":
        handle = segments[0][1:] if segments and segments[0].startswith("@") else ""
    elif platform == "snapchat":
        handle = segments[1] if segments[:1] == ["add"] and len(segments) >= 2 else ""
    if not handle:
        raise HandleProblem(
            "url",
            _("This is not the address of a %(platform)s profile; it looks like %(example)s."),
            platform=rule.label,
            example=rule.url_template.format(handle="handle"),
        )
    try:
        return validate_handle(platform, handle)
    except HandleProblem as exc:
        raise HandleProblem("url", exc.message, **exc.params) from exc


def canonical_url(platform: str, handle: str) -> str:
    """The profile address for a handle, or "" when the platform has no fixed shape."""
    rule = RULES[platform]
    if not rule.url_template:
        return ""
    if platform == "youtube" and _YOUTUBE_CHANNEL.fullmatch(handle):
        return f"https://www.youtube.com/channel/{handle}"
    if platform == "facebook" and _FACEBOOK_ID.fullmatch(handle):
        return f"https://www.facebook.com/profile.php?id={handle}"
    return rule.url_template.format(handle=handle)


def check_account_address(platform: str, handle: str, url: str) -> tuple[str, str]:
    """(handle, url) to store. Either may be left empty if the other is given; when both are given
    they must name the same account. "Other" platforms need a URL, since there is no fixed shape."""
    handle, url = (handle or "").strip(), (url or "").strip()
    if platform not in RULES:
        raise HandleProblem("platform", _("Unknown platform %(platform)s."), platform=platform)
    if not handle and not url:
        raise HandleProblem("handle", _("Enter the account's handle or its web address."))
    if platform == "other":
        if not url:
            raise HandleProblem("url", _("For other platforms, enter the account's web address."))
        handle_from_url(platform, url)  # scheme and host
        return validate_handle(platform, handle or url.rstrip("/").rsplit("/", 1)[-1]), url
    from_url = handle_from_url(platform, url) if url else ""
    if handle:
        handle = validate_handle(platform, handle)
        if from_url and from_url.lower() != handle.lower():
            raise HandleProblem(
                "url",
                _("The address points at “%(found)s”, not at the handle “%(handle)s”."),
                found=from_url,
                handle=handle,
            )
    else:
        handle = from_url
    return handle, canonical_url(platform, handle)
