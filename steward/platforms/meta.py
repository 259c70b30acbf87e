"""What Facebook Pages and Instagram share: the Graph API client base and the webhook envelope.

Both are Meta's Graph API (platforms.md §1, §2): the same host, ``access_token`` +
``appsecret_proof`` on every call, the same usage headers and throttling error codes, the same
webhook envelope ``{"object": ..., "entry": [{"id", "time", "changes": [...] | "messaging": [...]}]}``
signed with ``X-Hub-Signature-256``. ``facebook/`` and ``instagram/`` subclass and reuse these.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import httpx

from steward.platforms.base import (
    Action,
    ActionResult,
    BaseClient,
    PlatformAuthor,
    PlatformEvent,
    Verb,
    as_id,
    get_list,
    get_obj,
    opt_id,
    opt_text,
    parse_time,
)
from steward.platforms.errors import (
    AuthError,
    MalformedPayload,
    NotFound,
    PermanentError,
    PlatformError,
    RateLimited,
    TransientError,
)
from steward.platforms.ratelimit import META_THROTTLE_CODES, parse_meta_usage

GRAPH_URL = "https://graph.facebook.com/v25.0"

#: Meta's feed verbs, including both spellings of an edit seen in real payloads.
META_VERBS: Mapping[str, Verb] = {
    "add": Verb.ADD,
    "edited": Verb.EDIT,
    "edit": Verb.EDIT,
    "remove": Verb.REMOVE,
    "hide": Verb.HIDE,
    "unhide": Verb.UNHIDE,
    "block": Verb.BLOCK,
    "unblock": Verb.UNBLOCK,
    "mute": Verb.MUTE,
}


def appsecret_proof(access_token: str, app_secret: str) -> str:
    """``HMAC-SHA256(key=app_secret, msg=access_token)`` in hex (platforms.md §1.1)."""
    return hmac.new(app_secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()


def meta_verb(value: Any, path: str, platform: str) -> Verb:
    """A missing or non-text verb is malformed; an unknown word is ``Verb.OTHER`` so one new verb
    from Meta does not make the other changes in the same delivery unreadable."""
    if not isinstance(value, str) or not value:
        raise MalformedPayload(f"expected a verb, got {value!r}", field=path, platform=platform)
    return META_VERBS.get(value, Verb.OTHER)


def meta_author(value: Mapping[str, Any], path: str, platform: str) -> PlatformAuthor | None:
    """The author of a change: new payloads carry ``from: {id, name}``, old ones
    ``sender_id``/``sender_name``; ``from.id`` may be a number."""
    sender = value.get("from")
    if isinstance(sender, Mapping) and sender.get("id") not in (None, ""):
        return PlatformAuthor(
            id=as_id(sender.get("id"), f"{path}.from.id", platform=platform),
            name=str(sender.get("name") or ""),
            username=str(sender.get("username") or ""),
        )
    if value.get("sender_id") not in (None, ""):
        return PlatformAuthor(
            id=as_id(value.get("sender_id"), f"{path}.sender_id", platform=platform),
            name=str(value.get("sender_name") or ""),
        )
    return None


def iter_entries(
    payload: Mapping[str, Any], expected_object: str, platform: str
) -> Iterator[tuple[str, int, Mapping[str, Any]]]:
    """Yield ``(account_id, index, entry)`` for each entry; one POST may carry several."""
    obj = payload.get("object")
    if obj != expected_object:
        raise MalformedPayload(
            f"expected {expected_object!r}, got {obj!r}", field="object", platform=platform
        )
    for i, entry in enumerate(get_list(payload, "entry", "", platform=platform)):
        if not isinstance(entry, Mapping):
            raise MalformedPayload("expected an object", field=f"entry[{i}]", platform=platform)
        yield as_id(entry.get("id"), f"entry[{i}].id", platform=platform), i, entry


def parse_messaging(
    platform: str, account_id: str, items: list[Any], path: str
) -> list[PlatformEvent]:
    """``entry[].messaging[]`` (Messenger and Instagram DMs, platforms.md §1.6, §2.3).

    Events only, no content model: the DM archive is the preservation service's business.
    """
    events: list[PlatformEvent] = []
    for j, item in enumerate(items):
        here = f"{path}[{j}]"
        if not isinstance(item, Mapping):
            raise MalformedPayload("expected an object", field=here, platform=platform)
        sender = item.get("sender")
        actor = (
            PlatformAuthor(id=as_id(sender.get("id"), f"{here}.sender.id", platform=platform))
            if isinstance(sender, Mapping)
            else None
        )
        when = parse_time(item.get("timestamp"), f"{here}.timestamp", platform=platform)
        verb, key = Verb.OTHER, ""
        if isinstance(item.get("message"), Mapping):
            message = item["message"]
            key = "message"
            verb = Verb.REMOVE if message.get("is_deleted") else Verb.ADD
        elif isinstance(item.get("message_edit"), Mapping):
            key, verb = "message_edit", Verb.EDIT
        elif isinstance(item.get("read"), Mapping):
            key, verb = "read", Verb.READ
        mid = ""
        if key:
            mid = opt_id(item[key].get("mid"), f"{here}.{key}.mid", platform=platform)
        events.append(
            PlatformEvent(
                platform=platform,
                account_id=account_id,
                item="message",
                verb=verb,
                object_id=mid,
                occurred_at=when,
                actor=actor,
                raw=item,
            )
        )
    return events


@dataclass(frozen=True)
class ManagedPage:
    """A Page the connecting person manages, from ``GET /me/accounts``."""

    id: str
    name: str
    access_token: str
    tasks: tuple[str, ...]
    instagram_account_id: str = ""

    @property
    def can_moderate(self) -> bool:
        """Comments need the Page task ``MODERATE`` (or ``MANAGE``, which includes it)."""
        return bool({"MODERATE", "MANAGE"} & set(self.tasks))


class GraphClient(BaseClient):
    """Graph API calls with ``access_token`` and ``appsecret_proof``, and Meta's throttling rules."""

    default_base_url: ClassVar[str] = GRAPH_URL

    def __init__(self, *, app_secret: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.app_secret = app_secret

    def auth_headers(self) -> dict[str, str]:
        return {}

    def auth_params(self) -> dict[str, str]:
        params = {"access_token": self.access_token}
        if self.app_secret:
            params["appsecret_proof"] = appsecret_proof(self.access_token, self.app_secret)
        return params

    def observe(self, response: httpx.Response) -> None:
        usage = parse_meta_usage(response.headers)
        if usage is None:
            return
        self.throttle.last_usage_percent = usage.percent
        if usage.percent >= 100:
            self.throttle.block_for(usage.regain_seconds or self.default_retry_after)

    def error_for(self, response: httpx.Response) -> PlatformError:
        body = self.safe_json(response) or {}
        error = body.get("error") if isinstance(body.get("error"), Mapping) else None
        if error is None:
            return super().error_for(response)
        code = error.get("code")
        subcode = error.get("error_subcode")
        message = str(error.get("message") or "Graph API error")
        kw: dict[str, Any] = {
            "platform": self.platform,
            "status_code": response.status_code,
            "code": code,
            "response": body,
        }
        if code in META_THROTTLE_CODES or response.status_code == 429:
            usage = parse_meta_usage(response.headers)
            retry = (
                usage.regain_seconds if usage and usage.regain_seconds else self.default_retry_after
            )
            self.throttle.block_for(retry)
            return RateLimited(message, retry_after=retry, **kw)
        if response.status_code >= 500 or code in (1, 2) or error.get("is_transient"):
            return TransientError(message, **kw)
        if code in (102, 190):
            # The token itself is invalid or expired: only reconnecting helps.
            return AuthError(message, **kw)
        # Permission errors (10, 200-299) are often about one object (a comment the Page may not
        # hide); they are permanent for this call but not proof that the token is bad.
        if (code == 100 and subcode == 33) or response.status_code == 404:
            return NotFound(message, **kw)
        return PermanentError(message, **kw)

    # -- moderation: the same calls on both, with two names that differ (platforms.md §1.5, §2.2)
    #: ``POST /{comment-id}`` parameter: Facebook ``is_hidden``, Instagram ``hide``
    hide_param: ClassVar[str]
    #: edge a public reply is posted to: Facebook ``comments``, Instagram ``replies``
    reply_edge: ClassVar[str]

    def _set_hidden(self, comment_id: str, hidden: bool) -> ActionResult:
        response = self.request(
            "POST", f"/{comment_id}", data={self.hide_param: "true" if hidden else "false"}
        )
        action = Action.HIDE if hidden else Action.UNHIDE
        return ActionResult(
            self.platform, action, comment_id, response.status_code, self.safe_json(response) or {}
        )

    def hide_comment(self, comment_id: str, *, post_id: str | None = None) -> ActionResult:
        return self._set_hidden(comment_id, True)

    def unhide_comment(self, comment_id: str, *, post_id: str | None = None) -> ActionResult:
        return self._set_hidden(comment_id, False)

    def delete_comment(self, comment_id: str, *, post_id: str | None = None) -> ActionResult:
        response = self.request("DELETE", f"/{comment_id}")
        return ActionResult(
            self.platform,
            Action.DELETE,
            comment_id,
            response.status_code,
            self.safe_json(response) or {},
        )

    def reply(self, comment_id: str, text: str, *, post_id: str | None = None) -> ActionResult:
        body = self.request_json("POST", f"/{comment_id}/{self.reply_edge}", data={"message": text})
        created = body.get("id")
        return ActionResult(
            self.platform,
            Action.REPLY,
            comment_id,
            200,
            body,
            created_id=str(created) if created else None,
        )

    def private_reply(self, comment_id: str, text: str) -> ActionResult:
        """One private message to a commenter (``recipient.comment_id``), within 7 days."""
        body = self.request_json(
            "POST",
            f"/{self.account_id}/messages",
            json_body={"recipient": {"comment_id": comment_id}, "message": {"text": text}},
        )
        created = body.get("message_id")
        return ActionResult(
            self.platform,
            Action.PRIVATE_REPLY,
            comment_id,
            200,
            body,
            created_id=str(created) if created else None,
        )

    # -- account connection (platforms.md §1.1, §1.4, §2.1) -----------------------------------------
    def managed_pages(self) -> list[ManagedPage]:
        """``GET /me/accounts`` with a *User* token: the Pages this person manages, each with its
        own Page token, tasks, and linked Instagram professional account."""
        body = self.request_json(
            "GET",
            "/me/accounts",
            params={
                "fields": "id,name,access_token,tasks,instagram_business_account",
                "limit": 100,
            },
        )
        pages = []
        for i, item in enumerate(body.get("data") or []):
            path = f"data[{i}]"
            ig = item.get("instagram_business_account")
            pages.append(
                ManagedPage(
                    id=as_id(item.get("id"), f"{path}.id", platform=self.platform),
                    name=str(item.get("name") or ""),
                    access_token=str(item.get("access_token") or ""),
                    tasks=tuple(str(t) for t in item.get("tasks") or []),
                    instagram_account_id=opt_id(
                        ig.get("id") if isinstance(ig, Mapping) else None,
                        f"{path}.instagram_business_account.id",
                        platform=self.platform,
                    ),
                )
            )
        return pages

    def exchange_long_lived(self, *, app_id: str) -> tuple[str, int | None]:
        """Exchange this short-lived User token for a long-lived one [U]:
        ``GET /oauth/access_token?grant_type=fb_exchange_token``. Returns (token, expires_in)."""
        body = self.request_json(
            "GET",
            "/oauth/access_token",
            params={
                "grant_type": "fb_exchange_token",
                "client_id": app_id,
                "client_secret": self.app_secret,
                "fb_exchange_token": self.access_token,
            },
        )
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise MalformedPayload(
                "no access_token in answer", field="access_token", platform=self.platform
            )
        expires = body.get("expires_in")
        return token, int(expires) if isinstance(expires, int | float) else None

    def subscribe_webhooks(self, fields: tuple[str, ...]) -> bool:
        """Install the app on this account so its webhooks arrive:
        ``POST /{id}/subscribed_apps?subscribed_fields=...`` (a Page token; for Instagram the Page
        behind the account, or ``/me`` with Instagram Login)."""
        body = self.request_json(
            "POST",
            f"/{self.account_id}/subscribed_apps",
            data={"subscribed_fields": ",".join(fields)},
        )
        return body.get("success") in (True, "true")  # Meta answers {"success": "true"}

    def subscribed_fields(self) -> list[str]:
        """``GET /{id}/subscribed_apps``: the fields this app is subscribed to on the account."""
        body = self.request_json("GET", f"/{self.account_id}/subscribed_apps")
        fields: list[str] = []
        for app in body.get("data") or []:
            if isinstance(app, Mapping):
                fields += [str(f) for f in app.get("subscribed_fields") or []]
        return fields

    @staticmethod
    def next_cursor(body: Mapping[str, Any]) -> str | None:
        """Cursor paging: follow while ``paging.next`` exists (a page may be empty and still have one)."""
        paging = body.get("paging")
        if not isinstance(paging, Mapping) or not paging.get("next"):
            return None
        cursors = paging.get("cursors")
        after = cursors.get("after") if isinstance(cursors, Mapping) else None
        return str(after) if after else None


def parse_changes(
    payload: Mapping[str, Any],
    *,
    expected_object: str,
    platform: str,
    change_parsers: Mapping[str, Callable[[str, Mapping[str, Any], str], list[PlatformEvent]]],
) -> list[PlatformEvent]:
    """Walk the envelope; dispatch ``changes[]`` by ``field`` and ``messaging[]`` to DMs.

    A change whose ``field`` we do not model becomes one ``Verb.OTHER`` event (kept, not dropped),
    so the pipeline can log it; the raw delivery is stored anyway.
    """
    events: list[PlatformEvent] = []
    for account_id, i, entry in iter_entries(payload, expected_object, platform):
        if "messaging" in entry:
            events += parse_messaging(
                platform,
                account_id,
                get_list(entry, "messaging", f"entry[{i}]", platform=platform),
                f"entry[{i}].messaging",
            )
        if "changes" not in entry:
            continue
        for j, change in enumerate(get_list(entry, "changes", f"entry[{i}]", platform=platform)):
            here = f"entry[{i}].changes[{j}]"
            if not isinstance(change, Mapping):
                raise MalformedPayload("expected an object", field=here, platform=platform)
            name = opt_text(change.get("field"), f"{here}.field", platform=platform)
            value = get_obj(change, "value", here, platform=platform)
            parser = change_parsers.get(name or "")
            if parser is not None:
                # Instagram comment values carry no time of their own: the entry's time stands in.
                sent = parse_time(entry.get("time"), f"entry[{i}].time", platform=platform)
                events += [
                    e if e.occurred_at is not None else replace(e, occurred_at=sent)
                    for e in parser(account_id, value, f"{here}.value")
                ]
            else:
                events.append(
                    PlatformEvent(
                        platform=platform,
                        account_id=account_id,
                        item=name or "unknown",
                        verb=Verb.OTHER,
                        object_id=str(value.get("id") or ""),
                        raw=value,
                    )
                )
    return events
