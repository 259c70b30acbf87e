"""A fake of the platform APIs Steward uses, on one local port, for tests, demos and fault drills.

It implements the endpoints the clients call (Graph API comments for Facebook and Instagram, X
hide-replies and search, YouTube ``commentThreads.list``/``comments.setModerationStatus``,
TikTok's business comment endpoints), keeps posts and comments in memory, answers with each
platform's rate-limit headers, can be told to misbehave (N throttling answers with proper headers,
N 5xx, latency, dropped connections), and *sends* signed webhooks (Meta feed / Instagram comments
with ``X-Hub-Signature-256``, X Account Activity with ``x-twitter-webhooks-signature``) to the
configured targets. Only the standard library and httpx; no Django.

::

    fake = FakePlatforms(port=0, webhook_targets={"facebook": "http://127.0.0.1:8000/platforms/webhooks/facebook/"})
    base = fake.start()                     # "http://127.0.0.1:<port>"
    client = FacebookClient(**fake.client_kwargs("facebook"))
    post = fake.add_post("facebook", "Snow day tomorrow")
    comment = fake.add_comment("facebook", post, "first!")   # also POSTs a signed webhook
    fake.inject_fault("rate_limit", count=3, platform="facebook", retry_after=120)
    fake.stop()

URL layout (pass ``fake.base_url(platform)`` to a client):
``/graph/v25.0/…`` (Facebook and Instagram), ``/x/2/…``, ``/youtube/v3/…``,
``/tiktok/open_api/v1.3/…``, and the control API under ``/_control/…`` (JSON; see
:meth:`FakePlatforms._control`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from steward.platforms.base import shared_ssl_context
from steward.platforms.fake.state import (
    FakeObject,
    IdFactory,
    render_fb_comment,
    render_fb_post,
    render_ig_comment,
    render_ig_media,
    render_tt_comment,
    render_x_v1,
    render_x_v2,
    render_yt_comment,
    render_yt_thread,
)
from steward.platforms.signatures import meta_signature, x_crc_response, x_signature

GRAPH_VERSION = "v25.0"
PLATFORMS = ("facebook", "instagram", "x", "youtube", "tiktok")
PREFIXES = {
    "graph": f"/graph/{GRAPH_VERSION}",
    "x": "/x/2",
    "youtube": "/youtube/v3",
    "tiktok": "/tiktok/open_api/v1.3",
}
#: Which URL namespace serves which platform (Facebook and Instagram share the Graph API).
NAMESPACE = {
    "facebook": "graph",
    "instagram": "graph",
    "x": "x",
    "youtube": "youtube",
    "tiktok": "tiktok",
}

DEFAULT_ACCOUNTS = {
    "facebook": ("1234567890321", "Lawrence Public Schools"),
    "instagram": ("17841452691600098", "lawrencepublicschools"),
    "x": ("2244994945", "LawrenceSchools"),
    "youtube": ("UCLawrencePublicSchools1", "Lawrence Public Schools"),
    "tiktok": ("7010000000000000001", "lawrenceschools"),
}
DEFAULT_AUTHORS = {
    "facebook": ("8423678347823", "Pat Public"),
    "instagram": ("1234536447", "patpublic"),
    "x": ("1102323333", "patpublic"),
    "youtube": ("UCpatpublic0000000000001", "Pat Public"),
    "tiktok": ("6900000000000000042", "patpublic"),
}
YOUTUBE_COSTS = {"list": 1, "write": 50}
#: The authorization and token endpoints of the three OAuth providers, on this fake (each one's
#: real URL is in :mod:`steward.platforms.oauth`). Meta's code exchange is a Graph API path, as on
#: the real Graph API; X's token endpoint sits under the API prefix, as ``api.x.com/2/oauth2/token``.
OAUTH_PATHS = {
    "/facebook/dialog/oauth": ("meta", "authorize"),
    f"/graph/{GRAPH_VERSION}/oauth/access_token": ("meta", "token"),
    "/google/o/oauth2/v2/auth": ("google", "authorize"),
    "/google/token": ("google", "token"),
    "/x/i/oauth2/authorize": ("x", "authorize"),
    "/x/2/oauth2/token": ("x", "token"),
}
X_DEFAULT_LIMITS = {"hidden": 50, "search": 450, "default": 300}
X_WINDOW = 900


class _Disconnect(Exception):
    """Close the connection without answering (a dropped connection fault)."""


@dataclass
class Fault:
    kind: str  # "rate_limit" | "error" | "latency" | "disconnect" | "quota"
    count: int
    platform: str | None = None
    path_contains: str = ""
    status: int | None = None
    retry_after: float = 60.0
    latency: float = 0.0

    def matches(self, namespace: str, path: str) -> bool:
        if self.count <= 0:
            return False
        if self.platform and NAMESPACE.get(self.platform, self.platform) != namespace:
            return False
        return self.path_contains in path


@dataclass
class Delivery:
    platform: str
    target: str
    body: bytes
    headers: dict[str, str]
    status: int | None = None
    error: str = ""
    retried: bool = False

    @property
    def payload(self) -> Any:
        return json.loads(self.body)


@dataclass
class Call:
    """One API call the fake received; ``params`` merges query, form and JSON body."""

    method: str
    path: str
    params: dict[str, Any]
    status: int = 0
    at: float = field(default_factory=time.time)


Response = tuple[int, dict[str, str], bytes]


def _json(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
    data = b"" if body is None else json.dumps(body).encode()
    out = {"Content-Type": "application/json; charset=UTF-8"} if body is not None else {}
    return status, {**out, **(headers or {})}, data


def _meta_envelope(obj: str, account_id: str, now: int, field: str, value: Any) -> dict[str, Any]:
    change = {"field": field, "value": value}
    return {"object": obj, "entry": [{"id": account_id, "time": now, "changes": [change]}]}


def _epoch(value: Any) -> float | None:
    if value in (None, ""):
        return None
    text = str(value)
    if text.lstrip("-").isdigit():
        return float(text)
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "1")


class FakePlatforms:
    """The fake platform server. Thread-safe; start it once per test (or per demo)."""

    def __init__(
        self,
        *,
        port: int = 0,
        host: str = "127.0.0.1",
        app_secret: str = "fake-meta-app-secret",  # noqa: S107 - a fake, never a real secret
        x_consumer_secret: str = "fake-x-consumer-secret",  # noqa: S107
        webhook_targets: Mapping[str, str] | None = None,
        require_appsecret_proof: bool = True,
        youtube_daily_units: int = 10_000,
        x_limits: Mapping[str, int] | None = None,
        x_enterprise: bool = False,
        echo_own_comments: bool = True,
        webhook_timeout: float = 5.0,
        history: int = 10_000,
        ig_hidden_unlisted: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.host = host
        self.port = port
        self.app_secret = app_secret
        self.x_consumer_secret = x_consumer_secret
        self.webhook_targets: dict[str, str] = dict(webhook_targets or {})
        self.require_appsecret_proof = require_appsecret_proof
        self.youtube_daily_units = youtube_daily_units
        self.x_limits = {**X_DEFAULT_LIMITS, **(x_limits or {})}
        self.x_enterprise = x_enterprise
        #: Meta and X notify the account of its *own* comments/replies too; the pipeline must skip them.
        self.echo_own_comments = echo_own_comments
        self.webhook_timeout = webhook_timeout
        #: how many recent calls and deliveries to keep for inspection
        self.history = history
        #: mimic Instagram dropping hidden comments from ``/{media}/comments`` listings
        self.ig_hidden_unlisted = ig_hidden_unlisted
        self.clock = clock
        self.accounts = {p: a for p, (a, _) in DEFAULT_ACCOUNTS.items()}
        self.account_names = {p: n for p, (_, n) in DEFAULT_ACCOUNTS.items()}
        self.tokens = {p: f"fake-{p}-token" for p in PLATFORMS}
        #: a Meta *User* token, for the account-connection calls (``/me/accounts``)
        self.user_token = "fake-meta-user-token"  # noqa: S105 - a fake
        #: X's app-only bearer token, for ``/2/webhooks``
        self.x_app_bearer = "fake-x-app-bearer"  # noqa: S105 - a fake
        #: a Meta *short-lived* User token, what the code exchange returns before the long-lived one
        self.short_user_token = "fake-meta-short-user-token"  # noqa: S105 - a fake
        #: the OAuth clients (client id, client secret) registered with each provider
        self.oauth_clients = {
            "meta": ("fake-meta-app-id", app_secret),
            "google": ("fake-google-client-id", "fake-google-client-secret"),
            "x": ("fake-x-client-id", "fake-x-client-secret"),
        }
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._http = httpx.Client(timeout=webhook_timeout, verify=shared_ssl_context())
        self.reset()

    # -- lifecycle --------------------------------------------------------------------------------
    def start(self) -> str:
        """Start serving in a daemon thread; return the base URL (``http://127.0.0.1:<port>``)."""
        if self._server is not None:
            return self.url
        server = ThreadingHTTPServer((self.host, self.port), _Handler)
        server.daemon_threads = True
        server.fake = self  # type: ignore[attr-defined]
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-platforms",
            daemon=True,
        )
        self._thread.start()
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._http.close()
        self._http = httpx.Client(timeout=self.webhook_timeout, verify=shared_ssl_context())

    def __enter__(self) -> FakePlatforms:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def base_url(self, platform: str) -> str:
        return self.url + PREFIXES[NAMESPACE[platform]]

    def client_kwargs(self, platform: str) -> dict[str, Any]:
        """Keyword arguments for the platform's client class, pointed at this fake."""
        kwargs: dict[str, Any] = {
            "base_url": self.base_url(platform),
            "access_token": self.tokens[platform],
            "account_id": self.accounts[platform],
        }
        if platform in ("facebook", "instagram"):
            kwargs["app_secret"] = self.app_secret
        return kwargs

    def secret_for(self, platform: str) -> str:
        """The secret a receiver verifies this fake's webhooks with."""
        return self.x_consumer_secret if platform == "x" else self.app_secret

    def reset(self) -> None:
        """Forget all posts, comments, faults, calls and deliveries (accounts and tokens stay)."""
        with self._lock:
            self.objects: dict[tuple[str, str], FakeObject] = {}
            self.faults: list[Fault] = []
            # Bounded so a long benchmark does not grow without limit; the counters keep the totals.
            self.calls: deque[Call] = deque(maxlen=self.history)
            self.deliveries: deque[Delivery] = deque(maxlen=self.history)
            self.call_count = 0
            self.delivery_count = 0
            self.blocked: dict[str, set[str]] = {p: set() for p in PLATFORMS}
            self.muted: set[str] = set()
            self.private_replies: list[dict[str, str]] = []
            self.subscribed_fields: dict[str, list[str]] = {}
            self.x_webhooks: dict[str, dict[str, Any]] = {}
            self.x_subscriptions: set[str] = set()
            self.youtube_units_spent = 0
            #: authorization codes not yet exchanged, and refresh tokens still valid
            self.oauth_codes: dict[str, dict[str, Any]] = {}
            self.refresh_tokens: dict[str, str] = {}
            #: the person at the consent screen says no (``error=access_denied``)
            self.oauth_deny = False
            self._x_windows: dict[str, tuple[float, int]] = {}
            self._ids = IdFactory()

    # -- state manipulation (also reachable over HTTP via /_control) -------------------------------
    def _get(self, platform: str, object_id: str) -> FakeObject:
        obj = self.objects.get((NAMESPACE[platform], object_id))
        if obj is None or obj.platform != platform:
            raise KeyError(f"no {platform} object {object_id!r}")
        return obj

    def add_post(
        self, platform: str, text: str = "A post from the district", *, post_id: str | None = None
    ) -> str:
        with self._lock:
            account = self.accounts[platform]
            if post_id is None:
                post_id = {
                    "facebook": lambda: self._ids.facebook_post(account),
                    "instagram": lambda: self._ids.numeric(17900000000000000),
                    "x": lambda: self._ids.numeric(1800000000000000000),
                    "youtube": lambda: f"vid{self._ids.next():08d}",
                    "tiktok": lambda: self._ids.numeric(7300000000000000000),
                }[platform]()
            obj = FakeObject(
                platform=platform,
                kind="post",
                id=post_id,
                account_id=account,
                text=text,
                author_id=account,
                author_name=self.account_names[platform],
                created=self.clock(),
            )
            self.objects[(NAMESPACE[platform], post_id)] = obj
            return post_id

    def add_comment(
        self,
        platform: str,
        post_id: str,
        text: str,
        *,
        author_id: str | None = None,
        author_name: str | None = None,
        parent_id: str | None = None,
        send_webhook: bool = True,
        legacy_sender: bool = False,
    ) -> str:
        """A member of the public comments (or replies to ``parent_id``); returns the comment id.

        Sends the platform's webhook when it has one (Facebook, Instagram, X); YouTube and TikTok
        comments are only visible by polling, as on the real platforms.
        """
        default_id, default_name = DEFAULT_AUTHORS[platform]
        with self._lock:
            obj = self._create_comment(
                platform,
                post_id,
                text,
                author_id=author_id or default_id,
                author_name=author_name or default_name,
                parent_id=parent_id or post_id,
            )
        if send_webhook:
            self._notify(obj, "add", legacy_sender=legacy_sender)
        return obj.id

    def _create_comment(
        self,
        platform: str,
        post_id: str,
        text: str,
        *,
        author_id: str,
        author_name: str,
        parent_id: str,
    ) -> FakeObject:
        post = self._get(platform, post_id)
        parent = self._get(platform, parent_id)
        if platform == "facebook":
            comment_id = self._ids.facebook_comment(post.id)
        elif platform == "youtube":
            comment_id = self._ids.youtube_comment(parent.id if parent.kind == "comment" else "")
        else:
            comment_id = self._ids.numeric(
                {"instagram": 17850000000000000, "x": 1810000000000000000}.get(
                    platform, 7310000000000000000
                )
            )
        obj = FakeObject(
            platform=platform,
            kind="comment",
            id=comment_id,
            account_id=post.account_id,
            text=text,
            author_id=author_id,
            author_name=author_name,
            post_id=post.id,
            parent_id=parent.id,
            created=self.clock(),
        )
        self.objects[(NAMESPACE[platform], comment_id)] = obj
        parent.children.append(comment_id)
        return obj

    def edit_comment(
        self,
        platform: str,
        comment_id: str,
        text: str,
        *,
        send_webhook: bool = True,
        verb: str = "edited",
    ) -> None:
        """The author edits. Meta sends ``edited`` (some payloads ``edit``); others send nothing."""
        with self._lock:
            obj = self._get(platform, comment_id)
            obj.text = text
            obj.updated = self.clock()
        if send_webhook:
            self._notify(obj, verb)

    def remove_comment(self, platform: str, comment_id: str, *, send_webhook: bool = True) -> None:
        """The author deletes their comment."""
        with self._lock:
            obj = self._get(platform, comment_id)
            obj.deleted = True
        if send_webhook:
            self._notify(obj, "remove")

    def comment(self, platform: str, comment_id: str) -> FakeObject:
        """A copy of the stored object, for assertions."""
        with self._lock:
            obj = self._get(platform, comment_id)
            return FakeObject(**{**asdict(obj), "children": list(obj.children)})

    def replies(self, platform: str, comment_id: str) -> list[FakeObject]:
        with self._lock:
            parent = self._get(platform, comment_id)
            return [
                self.comment(platform, c)
                for c in parent.children
                if not self._get(platform, c).deleted
            ]

    def inject_fault(
        self,
        kind: str,
        *,
        count: int = 1,
        platform: str | None = None,
        path_contains: str = "",
        status: int | None = None,
        retry_after: float = 60.0,
        latency: float = 0.0,
    ) -> Fault:
        """Make the next ``count`` matching API calls misbehave.

        * ``rate_limit``: the platform's throttling answer with proper headers — Meta: HTTP 429
          (or ``status=400``, Meta's usual) with error code 80001 and ``X-Business-Use-Case-Usage``
          at 100 % with ``estimated_time_to_regain_access``; X: 429 with ``x-rate-limit-remaining:
          0`` and ``x-rate-limit-reset``; YouTube: 403 ``rateLimitExceeded`` + ``Retry-After``;
          TikTok: 429 + ``Retry-After``.
        * ``quota``: YouTube 403 ``quotaExceeded``.
        * ``error``: HTTP ``status`` (default 500) with the platform's error body.
        * ``latency``: answer normally after ``latency`` seconds.
        * ``disconnect``: close the connection without answering.
        """
        if kind not in ("rate_limit", "quota", "error", "latency", "disconnect"):
            raise ValueError(f"unknown fault kind {kind!r}")
        fault = Fault(kind, count, platform, path_contains, status, retry_after, latency)
        with self._lock:
            self.faults.append(fault)
        return fault

    # -- webhooks ---------------------------------------------------------------------------------
    def sign(self, platform: str, body: bytes) -> dict[str, str]:
        if platform == "x":
            return {"x-twitter-webhooks-signature": x_signature(body, self.x_consumer_secret)}
        return {"X-Hub-Signature-256": meta_signature(body, self.app_secret)}

    def send_webhook(
        self,
        platform: str,
        payload: Mapping[str, Any] | bytes,
        *,
        target: str | None = None,
        signature: str | None = None,
        times: int = 1,
    ) -> list[Delivery]:
        """POST ``payload`` to the platform's target, signed (or with ``signature`` as given, to
        test refusals), ``times`` times (duplicate deliveries). Returns the deliveries.

        JSON is serialised with ``ensure_ascii=True``: Meta signs "an escaped unicode version of the
        payload", so receivers that re-serialise instead of hashing raw bytes fail here as there.
        """
        url = target or self.webhook_targets.get(platform)
        if not url:
            return []
        body = (
            payload
            if isinstance(payload, bytes)
            else json.dumps(payload, ensure_ascii=True).encode()
        )
        headers = {"Content-Type": "application/json", **self.sign(platform, body)}
        if signature is not None:
            name = next(iter(self.sign(platform, b"")))
            headers[name] = signature
        out = []
        for _ in range(times):
            delivery = Delivery(platform, url, body, headers)
            try:
                response = self._http.post(url, content=body, headers=headers)
                delivery.status = response.status_code
            except (httpx.HTTPError, RuntimeError) as exc:  # RuntimeError: stopped meanwhile
                delivery.error = f"{type(exc).__name__}: {exc}"
            with self._lock:
                self.deliveries.append(delivery)
                self.delivery_count += 1
            out.append(delivery)
        return out

    def webhook_payload(
        self, obj: FakeObject, verb: str, *, legacy_sender: bool = False
    ) -> dict[str, Any] | None:
        """The documented webhook body announcing ``verb`` on ``obj`` (None: the platform sends none)."""
        now = int(self.clock())
        if obj.platform == "facebook":
            value: dict[str, Any] = {
                "item": "comment",
                "verb": verb,
                "comment_id": obj.id,
                "post_id": obj.post_id,
                "parent_id": obj.parent_id,
                "created_time": int(obj.created),
            }
            if legacy_sender:
                value["sender_id"] = (
                    int(obj.author_id) if obj.author_id.isdigit() else obj.author_id
                )
                value["sender_name"] = obj.author_name
            else:
                value["from"] = {"id": obj.author_id, "name": obj.author_name}
            if verb != "remove":
                value["message"] = obj.text
            return _meta_envelope("page", obj.account_id, now, "feed", value)
        if obj.platform == "instagram":
            if verb != "add":
                return None  # Instagram documents no webhook for edits, deletions or hides
            value = {
                "id": obj.id,
                "text": obj.text,
                "from": {"id": obj.author_id, "username": obj.author_name},
                "media": {"id": obj.post_id, "media_product_type": "FEED"},
            }
            if obj.is_reply:
                value["parent_id"] = obj.parent_id
            return _meta_envelope("instagram", obj.account_id, now, "comments", value)
        if obj.platform == "x":
            if verb == "add":
                parent = self.objects.get(("x", obj.parent_id))
                tweet = render_x_v1(obj, parent.author_id if parent else "")
                return {"for_user_id": obj.account_id, "tweet_create_events": [tweet]}
            if verb == "remove":
                return {
                    "for_user_id": obj.account_id,
                    "tweet_delete_events": [
                        {
                            "status": {"id": obj.id, "user_id": obj.author_id},
                            "timestamp_ms": str(now * 1000),
                        }
                    ],
                }
        return None

    def webhook_payload_for(
        self, platform: str, object_id: str, verb: str
    ) -> dict[str, Any] | None:
        """The webhook body announcing ``verb`` on a stored object (for out-of-order and replay drills)."""
        with self._lock:
            return self.webhook_payload(self._get(platform, object_id), verb)

    def _notify(self, obj: FakeObject, verb: str, *, legacy_sender: bool = False) -> None:
        payload = self.webhook_payload(obj, verb, legacy_sender=legacy_sender)
        if payload is not None:
            self.send_webhook(obj.platform, payload)

    def redeliver_failed(self) -> list[Delivery]:
        """Send again every recorded delivery that got no 2xx (as Meta and X retry), once each.

        Returns the new deliveries; a delivery that failed again can be retried by calling again.
        """
        with self._lock:
            failed = [
                d
                for d in self.deliveries
                if not (d.status and 200 <= d.status < 300) and not d.retried
            ]
            for d in failed:
                d.retried = True
        out: list[Delivery] = []
        for d in failed:
            out += self.send_webhook(
                d.platform,
                d.body,
                target=d.target,
                signature=d.headers.get(next(iter(self.sign(d.platform, b"")))),
            )
        return out

    def wait_for_deliveries(self, count: int, *, timeout: float = 5.0) -> list[Delivery]:
        """Wait until at least ``count`` webhooks were attempted (some are sent from threads)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self.delivery_count >= count:
                    return list(self.deliveries)
            time.sleep(0.01)
        with self._lock:
            return list(self.deliveries)

    def verify_meta_subscription(self, target: str, verify_token: str) -> bool:
        """Do Meta's ``hub.challenge`` handshake against ``target``: True if it echoes the challenge."""
        challenge = str(secrets.randbelow(10**10))
        response = self._http.get(
            target,
            params={
                "hub.mode": "subscribe",
                "hub.challenge": challenge,
                "hub.verify_token": verify_token,
            },
        )
        return response.status_code == 200 and response.text == challenge

    def x_crc_check(self, target: str) -> bool:
        """Do X's CRC against ``target``: True if its ``response_token`` is right."""
        token = secrets.token_urlsafe(24)
        response = self._http.get(target, params={"crc_token": token})
        if response.status_code != 200:
            return False
        try:
            got = response.json().get("response_token", "")
        except ValueError:
            return False
        return hmac.compare_digest(
            got, x_crc_response(token, self.x_consumer_secret)["response_token"]
        )

    # -- HTTP dispatch ----------------------------------------------------------------------------
    def handle(
        self, method: str, raw_path: str, headers: Mapping[str, str], body: bytes
    ) -> Response:
        parts = urlsplit(raw_path)
        path = parts.path
        params: dict[str, Any] = {
            k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()
        }
        ctype = headers.get("content-type", "")
        if body:
            if "json" in ctype:
                try:
                    decoded = json.loads(body)
                except ValueError:
                    return _json(400, {"error": {"message": "invalid JSON body"}})
                if isinstance(decoded, dict):
                    params["__json__"] = decoded
            else:
                params.update(
                    {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
                )
        if path.startswith("/_control"):
            return self._control(method, path[len("/_control") :], params.get("__json__") or params)
        if path in OAUTH_PATHS:
            provider, step = OAUTH_PATHS[path]
            call = Call(method, path, {k: v for k, v in params.items() if k != "__json__"})
            with self._lock:
                self.calls.append(call)
                self.call_count += 1
                result = (
                    self._oauth_authorize(provider, params)
                    if step == "authorize"
                    else self._oauth_token(provider, method, params, headers)
                )
            call.status = result[0]
            return result
        namespace = next(
            (ns for ns, prefix in PREFIXES.items() if path.startswith(prefix + "/")), None
        )
        if namespace is None:
            return _json(404, {"error": {"message": f"no route {path}"}})
        rest = path[len(PREFIXES[namespace]) :]
        # What the call carried, query/form and JSON body alike (``{"hidden": true}`` for X).
        recorded = {k: v for k, v in params.items() if k != "__json__"}
        recorded.update(params.get("__json__") or {})
        call = Call(method, path, recorded)
        with self._lock:
            self.calls.append(call)
            self.call_count += 1
            fault = next((f for f in self.faults if f.matches(namespace, path)), None)
            if fault is not None:
                fault.count -= 1
        if fault is not None:
            if fault.kind == "latency":
                time.sleep(fault.latency)
            elif fault.kind == "disconnect":
                raise _Disconnect
            else:
                result = self._fault_response(namespace, fault)
                call.status = result[0]
                return result
        handler: Callable[[str, str, dict[str, Any], Mapping[str, str]], Response] = getattr(
            self, f"_{namespace}"
        )
        with self._lock:
            result = handler(method, rest, params, headers)
        call.status = result[0]
        return result

    def _fault_response(self, namespace: str, fault: Fault) -> Response:
        retry = fault.retry_after
        if fault.kind == "error":
            status = fault.status or 500
            if namespace == "graph":
                return _json(
                    status,
                    {
                        "error": {
                            "message": "An unexpected error has occurred. Please retry your request later.",
                            "type": "OAuthException",
                            "is_transient": True,
                            "code": 2,
                            "fbtrace_id": "FakeTrace",
                        }
                    },
                )
            if namespace == "youtube":
                return _json(
                    status,
                    {
                        "error": {
                            "code": status,
                            "message": "Backend Error",
                            "errors": [{"reason": "backendError", "domain": "global"}],
                        }
                    },
                )
            return _json(
                status, {"title": "Internal Server Error", "status": status, "detail": "fake fault"}
            )
        if namespace == "graph":
            minutes = max(1, math.ceil(retry / 60))
            buc = {
                self.accounts["facebook"]: [
                    {
                        "type": "pages",
                        "call_count": 100,
                        "total_cputime": 20,
                        "total_time": 30,
                        "estimated_time_to_regain_access": minutes,
                    }
                ]
            }
            body = {
                "error": {
                    "message": "(#80001) There have been too many calls to this Page account. Wait a bit and try again.",
                    "type": "OAuthException",
                    "code": 80001,
                    "fbtrace_id": "FakeTrace",
                }
            }
            return _json(
                fault.status or 429,
                body,
                {
                    "X-Business-Use-Case-Usage": json.dumps(buc),
                    "X-App-Usage": json.dumps(
                        {"call_count": 100, "total_cputime": 20, "total_time": 30}
                    ),
                },
            )
        if namespace == "x":
            reset = int(self.clock() + retry)
            headers = {
                "x-rate-limit-limit": "50",
                "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": str(reset),
            }
            return _json(
                fault.status or 429,
                {
                    "title": "Too Many Requests",
                    "detail": "Too Many Requests",
                    "type": "about:blank",
                    "status": 429,
                },
                headers,
            )
        if namespace == "youtube":
            if fault.kind == "quota":
                return _json(
                    403,
                    {
                        "error": {
                            "code": 403,
                            "message": "The request cannot be completed because you have exceeded your quota.",
                            "errors": [
                                {
                                    "message": "quota",
                                    "domain": "youtube.quota",
                                    "reason": "quotaExceeded",
                                }
                            ],
                        }
                    },
                )
            return _json(
                fault.status or 403,
                {
                    "error": {
                        "code": 403,
                        "message": "Rate limit exceeded",
                        "errors": [{"domain": "youtube", "reason": "rateLimitExceeded"}],
                    }
                },
                {"Retry-After": str(int(retry))},
            )
        return _json(
            fault.status or 429,
            {"code": 40100, "message": "Too many requests"},
            {"Retry-After": str(int(retry))},
        )

    # -- Graph API (Facebook + Instagram) -----------------------------------------------------------
    def _graph_error(
        self, message: str, code: int, subcode: int | None = None, status: int = 400
    ) -> Response:
        error: dict[str, Any] = {
            "message": message,
            "type": "OAuthException" if code == 190 else "GraphMethodException",
            "code": code,
            "fbtrace_id": "FakeTrace",
        }
        if subcode is not None:
            error["error_subcode"] = subcode
        return _json(status, {"error": error})

    def _graph(
        self, method: str, rest: str, params: dict[str, Any], headers: Mapping[str, str]
    ) -> Response:
        token = params.get("access_token", "")
        if token not in (self.tokens["facebook"], self.tokens["instagram"], self.user_token):
            return self._graph_error("Invalid OAuth access token - Cannot parse access token", 190)
        if self.require_appsecret_proof:
            expected = hmac.new(
                self.app_secret.encode(), token.encode(), hashlib.sha256
            ).hexdigest()
            if not hmac.compare_digest(params.get("appsecret_proof", ""), expected):
                return self._graph_error(
                    "Invalid appsecret_proof provided in the API argument", 100
                )
        # Usage creeps up with traffic but never reaches 100 % by itself (faults do that).
        usage = {"call_count": min(90, self.call_count // 100), "total_cputime": 1, "total_time": 1}
        buc = {
            self.accounts["facebook"]: [
                {"type": "pages", **usage, "estimated_time_to_regain_access": 0}
            ]
        }
        extra = {"X-App-Usage": json.dumps(usage), "X-Business-Use-Case-Usage": json.dumps(buc)}
        status, hdrs, body = self._graph_route(method, [s for s in rest.split("/") if s], params)
        return status, {**hdrs, **extra}, body

    def _graph_route(self, method: str, segs: list[str], params: dict[str, Any]) -> Response:
        body = params.get("__json__") or {}
        if not segs:
            return self._graph_error("Unknown path components", 2500)
        node_id = segs[0]
        fb_page, ig_user = self.accounts["facebook"], self.accounts["instagram"]
        if segs == ["me", "accounts"] and method == "GET":
            page = {
                "id": fb_page,
                "name": self.account_names["facebook"],
                "access_token": self.tokens["facebook"],
                "tasks": ["ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"],
                "instagram_business_account": {"id": ig_user},
            }
            return _json(200, {"data": [page]})
        if len(segs) == 2 and segs[1] == "subscribed_apps" and node_id in (fb_page, ig_user):
            if method == "POST":
                self.subscribed_fields[node_id] = str(params.get("subscribed_fields") or "").split(
                    ","
                )
                return _json(200, {"success": "true"})
            fields = self.subscribed_fields.get(node_id)
            return _json(
                200,
                {
                    "data": [{"name": "Steward", "id": "fake-app", "subscribed_fields": fields}]
                    if fields
                    else []
                },
            )
        if len(segs) == 1 and node_id in (fb_page, ig_user) and method == "GET":
            platform = "facebook" if node_id == fb_page else "instagram"
            return _json(200, {"id": node_id, "name": self.account_names[platform]})
        if len(segs) == 2 and node_id in (fb_page, ig_user):
            return self._graph_account_edge(method, node_id, segs[1], params, body)
        obj = self.objects.get(("graph", node_id))
        if obj is None or obj.deleted:
            return self._graph_error(
                f"Unsupported get request. Object with ID '{node_id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
                100,
                33,
            )
        if len(segs) == 1:
            return self._graph_node(method, obj, params)
        edge = segs[1]
        if edge in ("comments", "replies"):
            if method == "GET":
                return self._graph_list_comments(obj, params)
            if method == "POST":
                message = params.get("message") or body.get("message")
                if not message:
                    return self._graph_error("(#100) Missing message", 100)
                reply = self._create_comment(
                    obj.platform,
                    obj.post_id or obj.id,
                    str(message),
                    author_id=obj.account_id,
                    author_name=self.account_names[obj.platform],
                    parent_id=obj.id,
                )
                if self.echo_own_comments:
                    self._notify_later(reply, "add")
                return _json(200, {"id": reply.id})
        return self._graph_error(f"Unknown edge {edge}", 100)

    def _graph_node(self, method: str, obj: FakeObject, params: dict[str, Any]) -> Response:
        if method == "GET":
            if obj.platform == "facebook":
                return _json(
                    200, render_fb_comment(obj) if obj.kind == "comment" else render_fb_post(obj)
                )
            return _json(
                200, render_ig_comment(obj) if obj.kind == "comment" else render_ig_media(obj)
            )
        if method == "DELETE":
            obj.deleted = True
            if obj.platform == "facebook" and obj.kind == "comment":
                self._notify_later(obj, "remove")
            return _json(200, {"success": True})
        if method == "POST":
            key = "is_hidden" if obj.platform == "facebook" else "hide"
            if key in params and obj.kind == "comment":
                hidden = _truthy(params[key])
                if hidden and obj.author_id == obj.account_id:
                    return self._graph_error(
                        "(#100) The owner's own comments cannot be hidden", 100
                    )
                if hidden != obj.hidden:
                    obj.hidden = hidden
                    if obj.platform == "facebook":
                        # Only a change of state is announced: hiding twice hides once.
                        self._notify_later(obj, "hide" if hidden else "unhide")
                return _json(200, {"success": True})
            if "message" in params:
                obj.text = str(params["message"])
                obj.updated = self.clock()
                return _json(200, {"success": True})
            return _json(200, {"success": True})
        return self._graph_error(f"Unsupported method {method}", 100)

    def _page(
        self, items: list[dict[str, Any]], params: dict[str, Any], path: str
    ) -> dict[str, Any]:
        limit = max(1, min(int(params.get("limit") or 25), 100))
        after = params.get("after")
        start = int(base64.urlsafe_b64decode(after.encode()).decode()) if after else 0
        page = items[start : start + limit]
        out: dict[str, Any] = {"data": page}
        end = start + len(page)
        cursors = {
            "before": base64.urlsafe_b64encode(str(start).encode()).decode(),
            "after": base64.urlsafe_b64encode(str(end).encode()).decode(),
        }
        out["paging"] = {"cursors": cursors}
        if end < len(items):
            out["paging"]["next"] = (
                f"{self.url}{PREFIXES['graph']}/{path}?after={cursors['after']}&limit={limit}"
            )
        return out

    def _descendants(self, obj: FakeObject) -> list[FakeObject]:
        out: list[FakeObject] = []
        for child_id in obj.children:
            child = self.objects[(NAMESPACE[obj.platform], child_id)]
            if not child.deleted:
                out.append(child)
                out += self._descendants(child)
        return sorted(out, key=lambda o: (o.created, o.id))

    def _graph_list_comments(self, obj: FakeObject, params: dict[str, Any]) -> Response:
        if obj.platform == "facebook":
            if obj.kind == "post" and params.get("filter", "toplevel") == "stream":
                found = self._descendants(obj)
            else:
                found = [self.objects[("graph", c)] for c in obj.children]
            # ``since``: a Unix timestamp (or an ISO time), as the Graph API's time paging takes it.
            since = _epoch(params.get("since"))
            items = [
                render_fb_comment(o)
                for o in found
                if not o.deleted and (since is None or o.created >= since)
            ]
            edge = "comments"
        else:

            def listed(ids: list[str]) -> list[FakeObject]:
                # Instagram may leave hidden comments out of listings (platforms.md §2.2 [P]).
                found = (self.objects[("graph", i)] for i in ids)
                return [
                    o for o in found if not o.deleted and not (o.hidden and self.ig_hidden_unlisted)
                ]

            if obj.kind == "post":
                items = [render_ig_comment(c, listed(c.children)) for c in listed(obj.children)]
            else:
                items = [render_ig_comment(c) for c in listed(obj.children)]
            edge = "comments" if obj.kind == "post" else "replies"
        return _json(200, self._page(items, params, f"{obj.id}/{edge}"))

    def _graph_account_edge(
        self, method: str, account: str, edge: str, params: dict[str, Any], body: dict[str, Any]
    ) -> Response:
        platform = "facebook" if account == self.accounts["facebook"] else "instagram"
        if method == "GET" and edge in ("feed", "posts", "published_posts", "media"):
            posts = sorted(
                (
                    o
                    for o in self.objects.values()
                    if o.platform == platform and o.kind == "post" and not o.deleted
                ),
                key=lambda o: -o.created,
            )
            render = render_fb_post if platform == "facebook" else render_ig_media
            return _json(200, self._page([render(o) for o in posts], params, f"{account}/{edge}"))
        if edge == "blocked" and platform == "facebook":
            blocked = self.blocked["facebook"]
            if method == "POST":
                users = json.loads(params.get("user") or body.get("user") or "[]")
                if isinstance(users, str):
                    users = [users]
                blocked.update(str(u) for u in users)
                return _json(200, {str(u): True for u in users})
            if method == "DELETE":
                user = str(params.get("user") or "")
                blocked.discard(user)
                return _json(200, {"success": True})
            return _json(200, {"data": [{"id": u} for u in sorted(blocked)]})
        if edge == "messages" and method == "POST":
            recipient = body.get("recipient") or {}
            comment_id = str(recipient.get("comment_id") or "")
            if any(r["comment_id"] == comment_id for r in self.private_replies):
                return self._graph_error("(#10900) Activity already replied to", 10900)
            message_id = f"m_fake{self._ids.next()}"
            self.private_replies.append(
                {
                    "comment_id": comment_id,
                    "text": str((body.get("message") or {}).get("text") or ""),
                    "message_id": message_id,
                }
            )
            return _json(
                200, {"recipient_id": self._ids.numeric(5600000000000000), "message_id": message_id}
            )
        return self._graph_error(f"Unknown edge {edge}", 100)

    def _notify_later(self, obj: FakeObject, verb: str) -> None:
        """Send a webhook after the API answer (the platform does it asynchronously too), so a
        receiver that calls back into this fake never waits on a lock we hold."""
        payload = self.webhook_payload(obj, verb)
        if payload is not None and self.webhook_targets.get(obj.platform):
            threading.Thread(
                target=self.send_webhook, args=(obj.platform, payload), daemon=True
            ).start()

    # -- X API v2 -----------------------------------------------------------------------------------
    def _x_limit(self, key: str) -> tuple[bool, dict[str, str]]:
        limit = self.x_limits.get(key, self.x_limits["default"])
        now = self.clock()
        start, used = self._x_windows.get(key, (now, 0))
        if now - start >= X_WINDOW:
            start, used = now, 0
        allowed = used < limit
        used = used + 1 if allowed else used
        self._x_windows[key] = (start, used)
        return allowed, {
            "x-rate-limit-limit": str(limit),
            "x-rate-limit-remaining": str(max(0, limit - used)),
            "x-rate-limit-reset": str(int(start + X_WINDOW)),
        }

    def _x(
        self, method: str, rest: str, params: dict[str, Any], headers: Mapping[str, str]
    ) -> Response:
        segs = [s for s in rest.split("/") if s]
        if segs[:1] == ["webhooks"]:
            return self._x_webhooks(method, segs, params, headers)
        if headers.get("authorization", "") != f"Bearer {self.tokens['x']}":
            return _json(
                401,
                {
                    "title": "Unauthorized",
                    "type": "about:blank",
                    "status": 401,
                    "detail": "Unauthorized",
                },
            )
        key = (
            "hidden"
            if segs[-1:] == ["hidden"]
            else ("search" if segs[:2] == ["tweets", "search"] else "default")
        )
        allowed, rl = self._x_limit(key)
        if not allowed:
            return _json(
                429,
                {
                    "title": "Too Many Requests",
                    "detail": "Too Many Requests",
                    "type": "about:blank",
                    "status": 429,
                },
                rl,
            )
        status, hdrs, body = self._x_route(method, segs, params)
        return status, {**hdrs, **rl}, body

    def _x_webhooks(
        self, method: str, segs: list[str], params: dict[str, Any], headers: Mapping[str, str]
    ) -> Response:
        """``/2/webhooks`` (app-only bearer): registering a URL triggers the CRC, as on X; a valid
        URL becomes this fake's X webhook target."""
        if headers.get("authorization", "") != f"Bearer {self.x_app_bearer}":
            return _json(
                403,
                {
                    "title": "Unsupported Authentication",
                    "status": 403,
                    "detail": "app-only bearer required",
                },
            )
        if method == "GET" and len(segs) == 1:
            return _json(
                200,
                {
                    "data": list(self.x_webhooks.values()),
                    "meta": {"result_count": len(self.x_webhooks)},
                },
            )
        if method == "POST" and len(segs) == 1:
            url = str((params.get("__json__") or {}).get("url") or "")
            if not url or not self.x_crc_check(url):
                return _json(
                    400,
                    {
                        "title": "CrcValidationFailed",
                        "status": 400,
                        "detail": "CRC validation failed",
                    },
                )
            webhook_id = self._ids.numeric(1900000000000000000)
            self.x_webhooks[webhook_id] = {
                "id": webhook_id,
                "url": url,
                "valid": True,
                "created_at": "2026-01-01T00:00:00.000Z",
            }
            self.webhook_targets["x"] = url
            return _json(200, {"data": self.x_webhooks[webhook_id]})
        hook = self.x_webhooks.get(segs[1]) if len(segs) == 2 else None
        if hook is None:
            return _json(404, {"title": "Not Found", "status": 404, "detail": "webhook not found"})
        if method == "PUT":
            hook["valid"] = self.x_crc_check(str(hook["url"]))
            return _json(200, {"data": {"valid": hook["valid"]}})
        if method == "DELETE":
            del self.x_webhooks[segs[1]]
            return _json(200, {"data": {"deleted": True}})
        return _json(405, {"title": "Method Not Allowed", "status": 405})

    def _x_route(self, method: str, segs: list[str], params: dict[str, Any]) -> Response:
        body = params.get("__json__") or {}
        account = self.accounts["x"]
        not_found = _json(
            200,
            {
                "errors": [
                    {
                        "title": "Not Found Error",
                        "detail": "Could not find tweet.",
                        "type": "https://api.twitter.com/2/problems/resource-not-found",
                    }
                ]
            },
        )
        if segs == ["users", "me"] and method == "GET":
            return _json(
                200,
                {
                    "data": {
                        "id": account,
                        "name": self.account_names["x"],
                        "username": self.account_names["x"],
                    }
                },
            )
        if segs[:1] == ["tweets"] and len(segs) == 3 and segs[2] == "hidden" and method == "PUT":
            obj = self.objects.get(("x", segs[1]))
            if obj is None or obj.deleted:
                return _json(
                    404,
                    {"title": "Not Found Error", "status": 404, "detail": "Could not find tweet."},
                )
            root = self.objects.get(("x", obj.post_id))
            if obj.kind != "comment" or root is None or root.author_id != account:
                return _json(
                    403,
                    {
                        "title": "Forbidden",
                        "status": 403,
                        "detail": "You can only hide replies to conversations you started.",
                        "type": "about:blank",
                    },
                )
            obj.hidden = bool(body.get("hidden"))
            return _json(200, {"data": {"hidden": obj.hidden}})
        if segs == ["tweets", "search", "recent"] and method == "GET":
            query = str(params.get("query") or "")
            op, _, value = query.partition(":")
            found = [
                o
                for o in self.objects.values()
                if o.platform == "x"
                and o.kind == "comment"
                and not o.deleted
                and (
                    (op == "conversation_id" and o.post_id == value)
                    or (op == "in_reply_to_tweet_id" and o.parent_id == value)
                )
            ]
            found.sort(key=lambda o: (-o.created, o.id))
            limit = int(params.get("max_results") or 10)
            start = int(params.get("next_token") or 0)
            page = found[start : start + limit]
            users = {
                o.author_id: {"id": o.author_id, "name": o.author_name, "username": o.author_name}
                for o in page
            }
            meta: dict[str, Any] = {"result_count": len(page)}
            if start + limit < len(found):
                meta["next_token"] = str(start + limit)
            out: dict[str, Any] = {"data": [render_x_v2(o) for o in page], "meta": meta}
            if page:
                out["includes"] = {"users": list(users.values())}
            return _json(200, out)
        if segs == ["tweets"] and method == "POST":
            reply_to = str((body.get("reply") or {}).get("in_reply_to_tweet_id") or "")
            text = str(body.get("text") or "")
            if reply_to:
                parent = self.objects.get(("x", reply_to))
                if parent is None or parent.deleted:
                    return _json(
                        400,
                        {
                            "title": "Invalid Request",
                            "status": 400,
                            "detail": "reply target not found",
                        },
                    )
                obj = self._create_comment(
                    "x",
                    parent.post_id or parent.id,
                    text,
                    author_id=account,
                    author_name=self.account_names["x"],
                    parent_id=parent.id,
                )
                if self.echo_own_comments:
                    self._notify_later(obj, "add")
            else:
                obj = self.objects[("x", self.add_post("x", text))]
            return _json(
                201, {"data": {"id": obj.id, "text": obj.text, "edit_history_tweet_ids": [obj.id]}}
            )
        if segs[:1] == ["tweets"] and len(segs) == 2:
            obj = self.objects.get(("x", segs[1]))
            if obj is None or obj.deleted:
                return not_found
            if method == "GET":
                return _json(200, {"data": render_x_v2(obj)})
            if method == "DELETE":
                if obj.author_id != account:
                    return _json(
                        403,
                        {
                            "title": "Forbidden",
                            "status": 403,
                            "detail": "You are not allowed to delete this Tweet.",
                        },
                    )
                obj.deleted = True
                return _json(200, {"data": {"deleted": True}})
        if segs[:1] == ["users"] and len(segs) == 3 and segs[1] == account:
            if segs[2] == "tweets" and method == "GET":
                posts = sorted(
                    (
                        o
                        for o in self.objects.values()
                        if o.platform == "x" and o.author_id == account and not o.deleted
                    ),
                    key=lambda o: -o.created,
                )
                return _json(
                    200,
                    {"data": [render_x_v2(o) for o in posts], "meta": {"result_count": len(posts)}},
                )
            target = str(body.get("target_user_id") or "")
            if segs[2] == "muting" and method == "POST":
                self.muted.add(target)
                return _json(200, {"data": {"muting": True}})
            if segs[2] == "blocking" and method == "POST":
                if not self.x_enterprise:
                    return _json(
                        403,
                        {
                            "title": "Client Forbidden",
                            "status": 403,
                            "detail": "This endpoint is only available under the Enterprise plan.",
                        },
                    )
                self.blocked["x"].add(target)
                return _json(200, {"data": {"blocking": True}})
        if (
            segs[:2] == ["account_activity", "webhooks"]
            and segs[3:] == ["subscriptions", "all"]
            and method == "POST"
        ):
            if segs[2] not in self.x_webhooks:
                return _json(
                    404, {"title": "Not Found", "status": 404, "detail": "webhook not found"}
                )
            self.x_subscriptions.add(segs[2])
            return _json(200, {"data": {"subscribed": True}})
        return _json(404, {"title": "Not Found", "status": 404, "detail": "/".join(segs)})

    # -- YouTube Data API v3 ------------------------------------------------------------------------
    def _yt_error(self, status: int, reason: str, message: str) -> Response:
        return _json(
            status,
            {
                "error": {
                    "code": status,
                    "message": message,
                    "errors": [{"message": message, "domain": "youtube.comment", "reason": reason}],
                }
            },
        )

    def _youtube(
        self, method: str, rest: str, params: dict[str, Any], headers: Mapping[str, str]
    ) -> Response:
        if headers.get("authorization", "") != f"Bearer {self.tokens['youtube']}":
            return self._yt_error(401, "authError", "Invalid Credentials")
        cost = YOUTUBE_COSTS["list"] if method == "GET" else YOUTUBE_COSTS["write"]
        if self.youtube_units_spent + cost > self.youtube_daily_units:
            return _json(
                403,
                {
                    "error": {
                        "code": 403,
                        "message": "quota exceeded",
                        "errors": [{"domain": "youtube.quota", "reason": "quotaExceeded"}],
                    }
                },
            )
        self.youtube_units_spent += cost
        channel = self.accounts["youtube"]
        body = params.get("__json__") or {}
        if rest == "/channels" and method == "GET" and _truthy(params.get("mine")):
            snippet = {"title": self.account_names["youtube"]}
            return _json(200, {"kind": "youtube#channelListResponse",
                               "items": [{"kind": "youtube#channel", "id": channel, "snippet": snippet}]})  # fmt: skip
        if rest == "/commentThreads" and method == "GET":
            wanted = params.get("moderationStatus") or "published"
            video = params.get("videoId")
            tops = sorted(
                (
                    o
                    for o in self.objects.values()
                    if o.platform == "youtube"
                    and o.kind == "comment"
                    and not o.is_reply
                    and not o.deleted
                    and o.status == wanted
                    and (not video or o.post_id == video)
                ),
                key=lambda o: (-o.created, o.id),
            )
            limit = int(params.get("maxResults") or 20)
            start = int(params.get("pageToken") or 0)
            page = tops[start : start + limit]
            items = []
            for top in page:
                replies = [self.objects[("youtube", r)] for r in top.children]
                items.append(
                    render_yt_thread(
                        top,
                        [r for r in replies if not r.deleted and r.status == "published"],
                        channel,
                    )
                )
            out: dict[str, Any] = {
                "kind": "youtube#commentThreadListResponse",
                "pageInfo": {"totalResults": len(tops), "resultsPerPage": limit},
                "items": items,
            }
            if start + limit < len(tops):
                out["nextPageToken"] = str(start + limit)
            return _json(200, out)
        if rest == "/comments" and method == "GET":
            parent = self.objects.get(("youtube", str(params.get("parentId") or "")))
            if parent is None:
                return self._yt_error(
                    404,
                    "commentNotFound",
                    "The comment identified by the parentId parameter could not be found.",
                )
            replies = [self.objects[("youtube", r)] for r in parent.children]
            return _json(
                200,
                {
                    "kind": "youtube#commentListResponse",
                    "items": [render_yt_comment(r, channel) for r in replies if not r.deleted],
                },
            )
        if rest == "/comments/setModerationStatus" and method == "POST":
            status = str(params.get("moderationStatus") or "")
            ban = _truthy(params.get("banAuthor", "false"))
            if status not in ("heldForReview", "published", "rejected"):
                return self._yt_error(400, "invalidModerationStatus", "bad moderationStatus")
            if ban and status != "rejected":
                return self._yt_error(
                    400, "banWithoutReject", "banAuthor can only be used with rejected"
                )
            ids = [i for i in str(params.get("id") or "").split(",") if i]
            objs = []
            for comment_id in ids:
                obj = self.objects.get(("youtube", comment_id))
                if obj is None:
                    return self._yt_error(404, "commentNotFound", f"comment {comment_id} not found")
                if obj.deleted:
                    return self._yt_error(
                        400,
                        "processingFailure",
                        "The API server failed to successfully process the request.",
                    )
                if obj.status == "rejected" and status == "published":
                    return self._yt_error(
                        400, "operationNotSupported", "A rejected comment cannot be published."
                    )
                objs.append(obj)
            for obj in objs:
                obj.status = status
                obj.hidden = status != "published"
                if ban:
                    self.blocked["youtube"].add(obj.author_id)
            return 204, {}, b""
        if rest == "/comments" and method == "POST":
            snippet = body.get("snippet") or {}
            parent = self.objects.get(("youtube", str(snippet.get("parentId") or "")))
            if parent is None or parent.deleted:
                return self._yt_error(404, "commentNotFound", "parent comment not found")
            obj = self._create_comment(
                "youtube",
                parent.post_id,
                str(snippet.get("textOriginal") or ""),
                author_id=channel,
                author_name=self.account_names["youtube"],
                parent_id=parent.id,
            )
            return _json(200, render_yt_comment(obj, channel))
        return self._yt_error(404, "notFound", rest)

    # -- TikTok API for Business ------------------------------------------------------------------
    def _tiktok(
        self, method: str, rest: str, params: dict[str, Any], headers: Mapping[str, str]
    ) -> Response:
        def ok(data: dict[str, Any]) -> Response:
            return _json(
                200,
                {"code": 0, "message": "OK", "request_id": f"fake{self._ids.next()}", "data": data},
            )

        def fail(code: int, message: str) -> Response:
            return _json(
                200,
                {
                    "code": code,
                    "message": message,
                    "request_id": f"fake{self._ids.next()}",
                    "data": {},
                },
            )

        if headers.get("access-token", "") != self.tokens["tiktok"]:
            return fail(40105, "The access token is invalid or has expired.")
        args = {
            **{k: v for k, v in params.items() if k != "__json__"},
            **(params.get("__json__") or {}),
        }
        if str(args.get("business_id") or "") != self.accounts["tiktok"]:
            return fail(40002, "business_id is invalid")
        comment = self.objects.get(("tiktok", str(args.get("comment_id") or "")))
        if rest in ("/business/comment/list/", "/business/comment/reply/list/") and method == "GET":
            if rest.endswith("/reply/list/"):
                if comment is None:
                    return fail(40002, "comment not found")
                found = [self.objects[("tiktok", c)] for c in comment.children]
            else:
                video = self.objects.get(("tiktok", str(args.get("video_id") or "")))
                if video is None:
                    return fail(40002, "video not found")
                found = [self.objects[("tiktok", c)] for c in video.children]
            found = [o for o in found if not o.deleted]
            start = int(args.get("cursor") or 0)
            limit = int(args.get("max_count") or 20)
            page = found[start : start + limit]
            return ok(
                {
                    "comments": [render_tt_comment(o) for o in page],
                    "cursor": start + len(page),
                    "has_more": start + limit < len(found),
                }
            )
        if rest == "/business/comment/hide/" and method == "POST":
            if comment is None or comment.deleted:
                return fail(40002, "comment not found")
            comment.hidden = str(args.get("action")) == "HIDE"
            return ok({})
        if rest == "/business/comment/delete/" and method == "POST":
            if comment is None or comment.deleted:
                return fail(40002, "comment not found")
            if comment.author_id != self.accounts["tiktok"]:
                return fail(40001, "Only comments created by the business account can be deleted.")
            comment.deleted = True
            return ok({})
        if rest == "/business/comment/reply/create/" and method == "POST":
            if comment is None or comment.deleted:
                return fail(40002, "comment not found")
            obj = self._create_comment(
                "tiktok",
                comment.post_id,
                str(args.get("text") or ""),
                author_id=self.accounts["tiktok"],
                author_name=self.account_names["tiktok"],
                parent_id=comment.id,
            )
            return ok({"comment_id": obj.id, "video_id": obj.post_id, "text": obj.text})
        return fail(40400, f"no route {rest}")

    # -- control API ----------------------------------------------------------------------------
    # -- OAuth: connecting an account (Facebook Login, Google OAuth 2.0, X OAuth 2.0 with PKCE) -------
    def oauth_settings(self) -> dict[str, str]:
        """Django settings that point Steward's "Connect with …" flow at this fake."""
        meta_id, meta_secret = self.oauth_clients["meta"]
        google_id, google_secret = self.oauth_clients["google"]
        x_id, x_secret = self.oauth_clients["x"]
        return {
            "META_APP_ID": meta_id,
            "META_APP_SECRET": meta_secret,
            "META_OAUTH_DIALOG_URL": f"{self.url}/facebook/dialog/oauth",
            "META_GRAPH_URL": self.base_url("facebook"),
            "GOOGLE_OAUTH_CLIENT_ID": google_id,
            "GOOGLE_OAUTH_CLIENT_SECRET": google_secret,
            "GOOGLE_OAUTH_AUTHORIZE_URL": f"{self.url}/google/o/oauth2/v2/auth",
            "GOOGLE_OAUTH_TOKEN_URL": f"{self.url}/google/token",
            "YOUTUBE_API_URL": self.base_url("youtube"),
            "X_OAUTH_CLIENT_ID": x_id,
            "X_OAUTH_CLIENT_SECRET": x_secret,
            "X_OAUTH_AUTHORIZE_URL": f"{self.url}/x/i/oauth2/authorize",
            "X_OAUTH_TOKEN_URL": f"{self.url}/x/2/oauth2/token",
            "X_API_URL": self.base_url("x"),
        }

    def expire_access_token(self, platform: str) -> str:
        """The platform's current access token stops working (it expired); a refresh gets the new one."""
        with self._lock:
            self.tokens[platform] = f"fake-{platform}-token-{self._ids.next()}"
            return self.tokens[platform]

    def _oauth_authorize(self, provider: str, params: dict[str, Any]) -> Response:
        """The consent screen, already agreed to (or refused, with ``oauth_deny``): redirect back
        with ``code`` and ``state``. An unknown client or a missing redirect URI is an error page,
        never a redirect, as on the real providers."""
        client_id = str(params.get("client_id") or "")
        redirect_uri = str(params.get("redirect_uri") or "")
        if client_id != self.oauth_clients[provider][0] or not redirect_uri:
            return 400, {"Content-Type": "text/plain"}, b"invalid client_id or redirect_uri"
        if provider != "meta" and params.get("response_type") != "code":
            return 400, {"Content-Type": "text/plain"}, b"unsupported response_type"
        challenge = str(params.get("code_challenge") or "")
        method = str(params.get("code_challenge_method") or "plain")
        if provider == "x" and (not challenge or method != "S256"):
            return 400, {"Content-Type": "text/plain"}, b"X requires PKCE with S256"
        state = str(params.get("state") or "")
        if self.oauth_deny:
            back: dict[str, str] = {"error": "access_denied", "state": state}
            if provider == "meta":
                back.update(error_reason="user_denied", error_description="Permissions error")
        else:
            code = secrets.token_urlsafe(24)
            self.oauth_codes[code] = {
                "provider": provider, "client_id": client_id, "redirect_uri": redirect_uri,
                "challenge": challenge, "method": method, "scope": str(params.get("scope") or ""),
            }  # fmt: skip
            back = {"code": code, "state": state}
        sep = "&" if "?" in redirect_uri else "?"
        return 302, {"Location": f"{redirect_uri}{sep}{urlencode(back)}"}, b""

    def _oauth_error(self, provider: str, error: str, description: str) -> Response:
        if provider == "meta":
            return self._graph_error(description, 100, 36009 if error == "invalid_grant" else None)
        return _json(400, {"error": error, "error_description": description})

    def _oauth_token(
        self, provider: str, method: str, params: dict[str, Any], headers: Mapping[str, str]
    ) -> Response:
        client_id, client_secret = self.oauth_clients[provider]
        if provider == "meta":
            if method != "GET":
                return self._graph_error("Unsupported post request.", 100)
            if params.get("client_id") != client_id or params.get("client_secret") != client_secret:
                return self._graph_error("Error validating client secret.", 1)
            if params.get("grant_type") == "fb_exchange_token":
                if params.get("fb_exchange_token") not in (self.short_user_token, self.user_token):
                    return self._graph_error(
                        "Invalid OAuth access token - Cannot parse access token", 190
                    )
                return _json(
                    200,
                    {
                        "access_token": self.user_token,
                        "token_type": "bearer",
                        "expires_in": 5183944,
                    },
                )
            grant_type = "authorization_code"
        else:
            if method != "POST":
                return _json(405, {"error": "invalid_request", "error_description": "POST only"})
            basic = headers.get("authorization", "")
            if basic.startswith("Basic "):
                sent_id, _, sent_secret = base64.b64decode(basic[6:]).decode().partition(":")
            else:
                sent_id, sent_secret = (
                    str(params.get("client_id") or ""),
                    str(params.get("client_secret") or ""),
                )
            if sent_id != client_id or sent_secret != client_secret:
                return _json(
                    401,
                    {
                        "error": "invalid_client",
                        "error_description": "client authentication failed",
                    },
                )
            grant_type = str(params.get("grant_type") or "")
        platform = {"meta": "facebook", "google": "youtube", "x": "x"}[provider]
        if grant_type == "refresh_token":
            refresh = str(params.get("refresh_token") or "")
            if self.refresh_tokens.get(refresh) != provider:
                return self._oauth_error(
                    provider, "invalid_grant", "refresh token is invalid or revoked"
                )
            answer: dict[str, Any] = {
                "access_token": self.tokens[platform], "token_type": "bearer",
                "expires_in": 3599 if provider == "google" else 7200,
            }  # fmt: skip
            if provider == "x":
                # X rotates refresh tokens: the old one stops working once used.
                del self.refresh_tokens[refresh]
                answer["refresh_token"] = self._new_refresh(provider)
            return _json(200, answer)
        if grant_type != "authorization_code":
            return self._oauth_error(
                provider, "unsupported_grant_type", f"grant_type {grant_type!r}"
            )
        grant = self.oauth_codes.pop(str(params.get("code") or ""), None)
        if grant is None or grant["provider"] != provider:
            return self._oauth_error(
                provider, "invalid_grant", "authorization code is invalid or already used"
            )
        if grant["redirect_uri"] != params.get("redirect_uri"):
            return self._oauth_error(
                provider, "invalid_grant", "redirect_uri does not match the authorization request"
            )
        if grant["challenge"]:
            verifier = str(params.get("code_verifier") or "")
            digest = hashlib.sha256(verifier.encode()).digest()
            computed = (
                base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
                if grant["method"] == "S256"
                else verifier
            )
            if not verifier or not hmac.compare_digest(computed, grant["challenge"]):
                return self._oauth_error(
                    provider, "invalid_grant", "code_verifier does not match the code_challenge"
                )
        if provider == "meta":
            return _json(
                200,
                {"access_token": self.short_user_token, "token_type": "bearer", "expires_in": 5400},
            )
        return _json(
            200,
            {
                "access_token": self.tokens[platform], "token_type": "bearer",
                "expires_in": 3599 if provider == "google" else 7200,
                "refresh_token": self._new_refresh(provider), "scope": grant["scope"],
            },
        )  # fmt: skip

    def _new_refresh(self, provider: str) -> str:
        token = f"fake-{provider}-refresh-{secrets.token_urlsafe(12)}"
        self.refresh_tokens[token] = provider
        return token

    def _control(self, method: str, path: str, data: Mapping[str, Any]) -> Response:
        """JSON control endpoints for demos, the browser test and other processes.

        ``GET /_control/state``; ``POST /_control/posts {platform, text}``;
        ``POST /_control/comments {platform, post_id, text, author_id?, author_name?, parent_id?,
        send_webhook?}``; ``POST /_control/comments/edit {platform, id, text}``;
        ``POST /_control/comments/remove {platform, id}``; ``POST /_control/faults {kind, count,
        platform?, path_contains?, status?, retry_after?, latency?}``; ``POST /_control/webhook-targets
        {platform: url}``; ``POST /_control/oauth {deny}`` (the consent screen refuses);
        ``POST /_control/reset``.
        """
        try:
            if method == "GET" and path == "/state":
                with self._lock:
                    return _json(
                        200,
                        {
                            "accounts": self.accounts,
                            "base_urls": {p: self.base_url(p) for p in PLATFORMS},
                            "objects": [asdict(o) for o in self.objects.values()],
                            "faults": [asdict(f) for f in self.faults if f.count > 0],
                            "calls": self.call_count,
                            "deliveries": [
                                {"platform": d.platform, "status": d.status, "error": d.error}
                                for d in self.deliveries
                            ],
                            "youtube_units_spent": self.youtube_units_spent,
                        },
                    )
            if method != "POST":
                return _json(405, {"error": "POST only"})
            if path == "/posts":
                return _json(
                    201,
                    {
                        "id": self.add_post(
                            str(data["platform"]),
                            str(data.get("text") or "A post from the district"),
                        )
                    },
                )
            if path == "/comments":
                comment_id = self.add_comment(
                    str(data["platform"]),
                    str(data["post_id"]),
                    str(data.get("text") or ""),
                    author_id=data.get("author_id"),
                    author_name=data.get("author_name"),
                    parent_id=data.get("parent_id"),
                    send_webhook=_truthy(data.get("send_webhook", True)),
                )
                return _json(201, {"id": comment_id})
            if path == "/comments/edit":
                self.edit_comment(str(data["platform"]), str(data["id"]), str(data["text"]))
                return _json(200, {"ok": True})
            if path == "/comments/remove":
                self.remove_comment(str(data["platform"]), str(data["id"]))
                return _json(200, {"ok": True})
            if path == "/faults":
                fault = self.inject_fault(
                    str(data["kind"]),
                    count=int(data.get("count", 1)),
                    platform=data.get("platform"),
                    path_contains=str(data.get("path_contains") or ""),
                    status=int(data["status"]) if data.get("status") else None,
                    retry_after=float(data.get("retry_after", 60)),
                    latency=float(data.get("latency", 0)),
                )
                return _json(201, asdict(fault))
            if path == "/webhook-targets":
                self.webhook_targets.update({str(k): str(v) for k, v in data.items()})
                return _json(200, self.webhook_targets)
            if path == "/oauth":
                self.oauth_deny = _truthy(data.get("deny"))
                return _json(200, {"deny": self.oauth_deny})
            if path == "/reset":
                self.reset()
                return _json(200, {"ok": True})
        except (KeyError, ValueError) as exc:
            return _json(400, {"error": f"{type(exc).__name__}: {exc}"})
        return _json(404, {"error": f"no control route {path}"})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the clients reuse connections
    # Headers and body go out in two writes; with Nagle on, the body waits for the client's
    # delayed ACK (~40 ms per request on keep-alive connections).
    disable_nagle_algorithm = True
    server_version = "FakePlatforms/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Quiet: the fake records calls in ``FakePlatforms.calls`` instead."""

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        fake: FakePlatforms = self.server.fake  # type: ignore[attr-defined]
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            status, out_headers, data = fake.handle(self.command, self.path, headers, body)
        except _Disconnect:
            self.close_connection = True
            return
        except Exception as exc:  # a bug in the fake must not hang the client
            status, out_headers, data = _json(
                500, {"error": f"fake server bug: {type(exc).__name__}: {exc}"}
            )
        self.send_response(status)
        for key, value in out_headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _dispatch
