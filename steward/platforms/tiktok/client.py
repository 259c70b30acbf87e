"""TikTok Accounts (Organic) API client: endpoints from platforms.md §5 [P].

``account_id`` is the ``business_id`` (the ``open_id`` from the token call); the token goes in the
``Access-Token`` header. TikTok answers HTTP 200 with ``{"code": <non-zero>, "message"}`` on
failure, so the body's ``code`` is checked on every answer. The rate-limit code (40100) and the
server-error codes (5xxxx) are [U].
"""

from __future__ import annotations

from typing import Any, ClassVar

import httpx

from steward.platforms.base import Action, ActionResult, BaseClient, Page, Platform, PlatformComment
from steward.platforms.errors import AuthError, PermanentError, RateLimited, TransientError
from steward.platforms.tiktok.capabilities import CAPABILITIES
from steward.platforms.tiktok.parsers import parse_comment

RATE_LIMIT_CODES = frozenset({40100})
AUTH_CODES = frozenset({40104, 40105})


class TikTokClient(BaseClient):
    platform: ClassVar[Platform] = Platform.TIKTOK
    capabilities = CAPABILITIES
    default_base_url: ClassVar[str] = "https://business-api.tiktok.com/open_api/v1.3"

    def auth_headers(self) -> dict[str, str]:
        return {"Access-Token": self.access_token}

    def request_json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        body = super().request_json(method, path, **kwargs)
        code = body.get("code", 0)
        if code in (0, None):
            data = body.get("data")
            return data if isinstance(data, dict) else {}
        message = str(body.get("message") or "TikTok API error")
        kw: dict[str, Any] = {
            "platform": self.platform,
            "status_code": 200,
            "code": code,
            "response": body,
        }
        if code in RATE_LIMIT_CODES:
            self.throttle.block_for(self.default_retry_after)
            raise RateLimited(message, retry_after=self.default_retry_after, **kw)
        if code in AUTH_CODES:
            raise AuthError(message, **kw)
        if isinstance(code, int) and code >= 50000:
            raise TransientError(message, **kw)
        raise PermanentError(message, **kw)

    def _video_id(self, post_id: str | None) -> str:
        if not post_id:
            raise PermanentError(
                "TikTok comment calls need the video id (post_id)", platform=self.platform
            )
        return post_id

    def list_comments(
        self, post_id: str, *, cursor: str | None = None, limit: int = 50
    ) -> Page[PlatformComment]:
        params: dict[str, Any] = {
            "business_id": self.account_id,
            "video_id": post_id,
            "max_count": min(limit, 30),
        }
        if cursor:
            params["cursor"] = cursor
        data = self.request_json("GET", "/business/comment/list/", params=params)
        items = [
            parse_comment(c, video_id=post_id, path=f"data.comments[{i}]")
            for i, c in enumerate(data.get("comments") or [])
        ]
        return Page(
            items,
            str(data["cursor"])
            if data.get("has_more") and data.get("cursor") is not None
            else None,
        )

    def list_replies(self, comment_id: str, *, post_id: str | None = None) -> list[PlatformComment]:
        params = {
            "business_id": self.account_id,
            "video_id": self._video_id(post_id),
            "comment_id": comment_id,
        }
        data = self.request_json("GET", "/business/comment/reply/list/", params=params)
        return [
            parse_comment(c, video_id=post_id or "", path=f"data.comments[{i}]")
            for i, c in enumerate(data.get("comments") or [])
        ]

    def _hide(self, comment_id: str, post_id: str | None, hidden: bool) -> ActionResult:
        payload = {
            "business_id": self.account_id,
            "video_id": self._video_id(post_id),
            "comment_id": comment_id,
            "action": "HIDE" if hidden else "UNHIDE",
        }
        data = self.request_json("POST", "/business/comment/hide/", json_body=payload)
        return ActionResult(
            self.platform, Action.HIDE if hidden else Action.UNHIDE, comment_id, 200, data
        )

    def hide_comment(self, comment_id: str, *, post_id: str | None = None) -> ActionResult:
        return self._hide(comment_id, post_id, True)

    def unhide_comment(self, comment_id: str, *, post_id: str | None = None) -> ActionResult:
        return self._hide(comment_id, post_id, False)

    def reply(self, comment_id: str, text: str, *, post_id: str | None = None) -> ActionResult:
        payload = {
            "business_id": self.account_id,
            "video_id": self._video_id(post_id),
            "comment_id": comment_id,
            "text": text,
        }
        data = self.request_json("POST", "/business/comment/reply/create/", json_body=payload)
        created = data.get("comment_id")
        return ActionResult(
            self.platform,
            Action.REPLY,
            comment_id,
            200,
            data,
            created_id=str(created) if created else None,
        )

    def is_own(self, comment: PlatformComment) -> bool:
        """TikTok flags the account's own comments with ``owner: true`` rather than an author id."""
        return comment.raw.get("owner") is True

    def observe(self, response: httpx.Response) -> None:
        """No documented usage headers [U]; throttling is signalled in the body (see request_json)."""
