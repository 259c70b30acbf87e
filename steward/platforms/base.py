"""What every platform connector shares: the plain data it produces and the HTTP client base.

Each platform sub-package (``facebook``, ``instagram``, ``x``, ``youtube``, ``tiktok``) has the same
shape: ``client.py`` (a :class:`BaseClient` subclass), ``parsers.py`` (payload → the dataclasses
below) and ``capabilities.py`` (its row of the §0 table in platforms.md). No Django import anywhere
in this layer: a Django view verifies and stores the raw bytes, and the pipeline calls the parsers
and clients later.

Ids are *always* strings. Meta's own fixtures mix ``"from": {"id": 1234}`` and ``"id": "1234"``,
X has ``id`` and ``id_str``; normalising once here means no comparison downstream ever fails
because ``1234 != "1234"``.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import json
import ssl
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar, Generic, TypeVar

import httpx

from steward.platforms.errors import (
    AuthError,
    MalformedPayload,
    NotFound,
    PermanentError,
    PlatformError,
    RateLimited,
    TransientError,
    Unsupported,
)
from steward.platforms.ratelimit import Throttle


class Platform(enum.StrEnum):
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    X = "x"
    YOUTUBE = "youtube"
    TIKTOK = "tiktok"


class Verb(enum.StrEnum):
    """What happened to an item. Meta sends both ``edit`` and ``edited``; both become ``EDIT``."""

    ADD = "add"
    EDIT = "edit"
    REMOVE = "remove"
    HIDE = "hide"
    UNHIDE = "unhide"
    BLOCK = "block"
    UNBLOCK = "unblock"
    MUTE = "mute"
    READ = "read"
    OTHER = "other"


class Action(enum.StrEnum):
    """Moderation actions a page may offer; which ones a platform allows is in its capabilities."""

    HIDE = "hide"
    UNHIDE = "unhide"
    DELETE = "delete"
    BLOCK = "block"
    UNBLOCK = "unblock"
    REPLY = "reply"
    PRIVATE_REPLY = "private_reply"


# ---------------------------------------------------------------------------------------------
# Plain data produced by parsers and clients
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlatformAuthor:
    id: str
    name: str = ""
    username: str = ""


@dataclass(frozen=True)
class PlatformComment:
    """One version of a comment (or reply) as the platform showed it.

    ``parent_id`` follows Meta's convention for every platform: the immediate parent, which is the
    post itself for a top-level comment (``parent_id == post_id``) and the parent comment for a
    reply. ``text``/``is_hidden`` are None when the payload did not say (a ``remove`` webhook has
    no message).
    """

    platform: str
    id: str
    post_id: str
    parent_id: str
    author: PlatformAuthor | None
    text: str | None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    is_hidden: bool | None = None
    status: str = ""
    permalink: str = ""
    media_url: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_reply(self) -> bool:
        return bool(self.parent_id) and self.parent_id != self.post_id


@dataclass(frozen=True)
class PlatformPost:
    platform: str
    id: str
    account_id: str
    text: str | None
    created_at: datetime | None = None
    permalink: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class PlatformEvent:
    """One thing that happened, parsed from a webhook delivery (or derived by a poller).

    ``raw`` is this event's own slice of the delivery (a Meta ``changes[].value``, one X tweet
    object), not the whole body; the whole body is what the webhook view stores.
    """

    platform: str
    account_id: str
    item: str
    verb: Verb
    object_id: str
    occurred_at: datetime | None = None
    comment: PlatformComment | None = None
    actor: PlatformAuthor | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def dedupe_key(self) -> str:
        """Stable key for "have we seen this already?".

        platforms.md §9 suggests ``(platform, object_id, verb, created_time)``, but Meta's
        ``edited`` webhooks carry the comment's *original* ``created_time``, so two different edits
        would collide. A digest of the event's canonical raw slice keeps byte-identical redeliveries
        equal and distinct edits distinct.
        """
        canonical = json.dumps(self.raw, sort_keys=True, separators=(",", ":"), default=str)
        digest = hashlib.sha256(canonical.encode()).hexdigest()[:16]
        return (
            f"{self.platform}:{self.account_id}:{self.item}:{self.verb}:{self.object_id}:{digest}"
        )


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing. ``next_cursor`` is None on the last page.

    Meta warns not to *store* cursors (one becomes invalid when its item is deleted): a poller
    keeps its own high-water mark (time or id) and uses cursors only within one pass.
    """

    items: list[T]
    next_cursor: str | None = None


@dataclass(frozen=True)
class ActionResult:
    """What a moderation call did, including the platform's answer to record in the archive."""

    platform: str
    action: Action
    object_id: str
    status_code: int
    response: Mapping[str, Any] = field(default_factory=dict)
    created_id: str | None = None


# ---------------------------------------------------------------------------------------------
# Capabilities
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Capability:
    """One cell of the §0 table.

    ``source`` is the reference's mark: ``V`` verified, ``P`` partly, ``U`` unverified. ``note``
    is what a page should tell the moderator (the restriction, or the manual alternative).
    """

    supported: bool
    via: str = ""
    note: str = ""
    source: str = "V"


NO = Capability(False)


@dataclass(frozen=True)
class PlatformCapabilities:
    platform: str
    actions: Mapping[Action, Capability]
    push_comments: bool
    """Whether new comments arrive by webhook; False means the poller must fetch them."""
    push_edits_and_removals: bool
    """Whether edits/removals arrive by webhook; False means reconcile by polling."""
    notes: str = ""

    def allows(self, action: Action | str) -> bool:
        return self.get(action).supported

    def get(self, action: Action | str) -> Capability:
        """The cell for ``action``; an action name no platform knows is simply not supported."""
        try:
            return self.actions.get(Action(action), NO)
        except ValueError:
            return NO

    def offered(self) -> list[Action]:
        """The actions a page should offer for this platform, in a stable order."""
        return [a for a in Action if self.allows(a)]


# ---------------------------------------------------------------------------------------------
# Parsing helpers shared by the parsers
# ---------------------------------------------------------------------------------------------


def as_id(value: Any, path: str, *, platform: str = "") -> str:
    """Normalise a platform id (int or str) to str; refuse missing, empty, bool or nested values."""
    if isinstance(value, bool) or value is None or isinstance(value, dict | list | float):
        raise MalformedPayload(f"expected an id, got {value!r}", field=path, platform=platform)
    text = str(value).strip()
    if not text:
        raise MalformedPayload("empty id", field=path, platform=platform)
    return text


def opt_id(value: Any, path: str, *, platform: str = "") -> str:
    return "" if value is None or value == "" else as_id(value, path, platform=platform)


def get_obj(data: Any, key: str, path: str, *, platform: str = "") -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise MalformedPayload("expected an object", field=path, platform=platform)
    value = data.get(key)
    if not isinstance(value, Mapping):
        raise MalformedPayload(
            "missing or not an object", field=f"{path}.{key}".lstrip("."), platform=platform
        )
    return value


def get_list(data: Mapping[str, Any], key: str, path: str, *, platform: str = "") -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        raise MalformedPayload(
            "missing or not a list", field=f"{path}.{key}".lstrip("."), platform=platform
        )
    return value


def opt_text(value: Any, path: str, *, platform: str = "") -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedPayload(
            f"expected text, got {type(value).__name__}", field=path, platform=platform
        )
    return value


_X_V1_TIME = "%a %b %d %H:%M:%S %z %Y"


def parse_time(value: Any, path: str, *, platform: str = "") -> datetime | None:
    """Parse the time formats the platforms use into an aware UTC datetime.

    Unix seconds (Meta webhooks ``created_time``), Unix milliseconds (Meta ``messaging``
    timestamps, X ``timestamp_ms``), ISO 8601 with ``+0000`` (Graph API) or ``Z`` (X v2, YouTube),
    and X v1.1's ``"Mon Mar 17 12:00:00 +0000 2026"``.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise MalformedPayload("expected a time", field=path, platform=platform)
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        number = float(value)
        if number > 10**11:  # milliseconds: 10**11 s is the year 5138
            number /= 1000
        return datetime.fromtimestamp(number, tz=UTC)
    if isinstance(value, str):
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            try:
                parsed = datetime.strptime(text, _X_V1_TIME)
            except ValueError:
                raise MalformedPayload(
                    f"unrecognised time {value!r}", field=path, platform=platform
                ) from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    raise MalformedPayload(f"unrecognised time {value!r}", field=path, platform=platform)


def load_json(body: bytes | str | Mapping[str, Any], *, platform: str = "") -> Mapping[str, Any]:
    """Decode a webhook body; the caller already verified the signature over these raw bytes."""
    if isinstance(body, Mapping):
        return body
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedPayload(f"not JSON: {exc}", field="<body>", platform=platform) from None
    if not isinstance(data, dict):
        raise MalformedPayload("expected a JSON object", field="<body>", platform=platform)
    return data


# ---------------------------------------------------------------------------------------------
# HTTP client base
# ---------------------------------------------------------------------------------------------


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """One verified TLS context for every client: building one reads the CA bundle (~0.1 s), too
    slow to repeat for each short-lived client a task creates."""
    return httpx.create_ssl_context()


class BaseClient:
    """httpx client base: one instance per (platform account, token).

    Subclasses implement the uniform action methods below for the endpoints their platform
    documents, and raise :class:`Unsupported` (permanent) for the rest, driven by
    ``capabilities``. Every method raises only :class:`PlatformError` subclasses:
    :class:`RateLimited` (with ``retry_after``) and :class:`TransientError` are worth retrying;
    anything else is permanent.

    ``base_url`` is a parameter so tests and demos point the client at
    :class:`steward.platforms.fake.FakePlatforms`.
    """

    platform: ClassVar[Platform]
    capabilities: ClassVar[PlatformCapabilities]
    default_base_url: ClassVar[str]
    #: seconds to wait after a throttling answer that carried no usable reset time
    default_retry_after: ClassVar[float] = 60.0

    def __init__(
        self,
        *,
        access_token: str,
        account_id: str,
        base_url: str | None = None,
        throttle: Throttle | None = None,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.access_token = access_token
        self.account_id = str(account_id)
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.clock = clock
        self.throttle = throttle if throttle is not None else Throttle(clock=clock)
        self.http = httpx.Client(timeout=timeout, transport=transport, verify=shared_ssl_context())

    # -- lifecycle ------------------------------------------------------------------------------
    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> BaseClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- hooks for subclasses -----------------------------------------------------------------
    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}

    def auth_params(self) -> dict[str, str]:
        return {}

    def observe(self, response: httpx.Response) -> None:
        """Read the platform's rate-limit headers into ``self.throttle`` (per platform)."""

    def before_request(self, cost: int) -> None:
        """Refuse early when the budget is known to be spent (YouTube's daily units)."""

    def error_for(self, response: httpx.Response) -> PlatformError:
        """Classify a non-2xx answer. Subclasses refine with the platform's error body."""
        status = response.status_code
        body = self.safe_json(response)
        message = f"{response.request.method} {response.request.url.path} failed"
        if status == 429:
            retry = self.retry_after_from(response)
            self.throttle.block_for(retry)
            return RateLimited(
                message,
                retry_after=retry,
                platform=self.platform,
                status_code=status,
                response=body,
            )
        if status >= 500:
            return TransientError(
                message, platform=self.platform, status_code=status, response=body
            )
        if status == 401:
            return AuthError(message, platform=self.platform, status_code=status, response=body)
        if status == 403:
            # Forbidden for *this object* (X: not our conversation) is not a bad token: a caller
            # that marks the connection for reconnecting on AuthError must not do so here.
            return PermanentError(
                message, platform=self.platform, status_code=status, code="forbidden", response=body
            )
        if status == 404:
            return NotFound(message, platform=self.platform, status_code=status, response=body)
        return PermanentError(message, platform=self.platform, status_code=status, response=body)

    def retry_after_from(self, response: httpx.Response) -> float:
        """``Retry-After`` (seconds or HTTP date) if present, else ``default_retry_after``."""
        header = response.headers.get("retry-after")
        if header:
            if header.strip().isdigit():
                return float(header)
            try:
                return max(0.0, parsedate_to_datetime(header).timestamp() - self.clock())
            except (TypeError, ValueError):
                pass
        return self.default_retry_after

    # -- the one request path -------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        data: Mapping[str, Any] | None = None,
        cost: int = 1,
    ) -> httpx.Response:
        self.throttle.check(self.platform)
        self.before_request(cost)
        url = path if path.startswith("http") else f"{self.base_url}/{path.lstrip('/')}"
        query = {**self.auth_params(), **(params or {})}
        try:
            response = self.http.request(
                method,
                url,
                params=query,
                json=json_body,
                data=data,
                headers=self.auth_headers(),
            )
        except httpx.TimeoutException as exc:
            raise TransientError(f"timeout: {exc}", platform=self.platform) from exc
        except httpx.TransportError as exc:
            raise TransientError(f"transport error: {exc}", platform=self.platform) from exc
        self.observe(response)
        if response.is_success:
            return response
        raise self.error_for(response)

    def request_json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = self.request(method, path, **kwargs)
        if response.status_code == 204 or not response.content:
            return {}
        body = self.safe_json(response)
        if body is None:
            raise MalformedPayload(
                "answer is not a JSON object", field="<response>", platform=self.platform
            )
        return body

    @staticmethod
    def safe_json(response: httpx.Response) -> dict[str, Any] | None:
        try:
            data = response.json()
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    # -- uniform action API (subclasses override what their platform documents) ------------------
    def unsupported(self, action: Action) -> Unsupported:
        cap = self.capabilities.get(action)
        return Unsupported(
            f"{action} is not available on {self.platform}" + (f": {cap.note}" if cap.note else ""),
            platform=self.platform,
        )

    def list_posts(self, *, cursor: str | None = None, limit: int = 25) -> Page[PlatformPost]:
        raise Unsupported("listing posts is not implemented", platform=self.platform)

    def list_comments(
        self, post_id: str, *, cursor: str | None = None, limit: int = 50
    ) -> Page[PlatformComment]:
        raise Unsupported("listing comments is not implemented", platform=self.platform)

    def iter_comments(self, post_id: str, *, limit: int = 50) -> Iterator[PlatformComment]:
        """Follow cursors until the platform stops giving one (an empty page may still have one)."""
        cursor: str | None = None
        while True:
            page = self.list_comments(post_id, cursor=cursor, limit=limit)
            yield from page.items
            if not page.next_cursor or page.next_cursor == cursor:
                return
            cursor = page.next_cursor

    def list_replies(self, comment_id: str, *, post_id: str | None = None) -> list[PlatformComment]:
        raise Unsupported("listing replies is not implemented", platform=self.platform)

    def hide_comment(self, comment_id: str, *, post_id: str | None = None) -> ActionResult:
        raise self.unsupported(Action.HIDE)

    def unhide_comment(self, comment_id: str, *, post_id: str | None = None) -> ActionResult:
        raise self.unsupported(Action.UNHIDE)

    def delete_comment(self, comment_id: str, *, post_id: str | None = None) -> ActionResult:
        raise self.unsupported(Action.DELETE)

    def reply(self, comment_id: str, text: str, *, post_id: str | None = None) -> ActionResult:
        raise self.unsupported(Action.REPLY)

    def block_author(self, author_id: str, *, comment_id: str | None = None) -> ActionResult:
        """Block (ban) an author. YouTube needs ``comment_id``: its ban rides on a rejection."""
        raise self.unsupported(Action.BLOCK)

    def unblock_author(self, author_id: str) -> ActionResult:
        raise self.unsupported(Action.UNBLOCK)

    def private_reply(self, comment_id: str, text: str) -> ActionResult:
        raise self.unsupported(Action.PRIVATE_REPLY)

    def find_own_reply(
        self, comment_id: str, text: str, *, post_id: str | None = None
    ) -> PlatformComment | None:
        """A reply by this account with exactly ``text`` under ``comment_id``, if one exists.

        Used by :func:`steward.platforms.idempotency.reply_once` to notice a reply that was
        posted but whose id was never recorded (the worker died after the POST).
        """
        for reply in self.list_replies(comment_id, post_id=post_id):
            if self.is_own(reply) and reply.text == text:
                return reply
        return None

    def is_own(self, comment: PlatformComment) -> bool:
        """Whether this account wrote ``comment``."""
        return comment.author is not None and comment.author.id == self.account_id
