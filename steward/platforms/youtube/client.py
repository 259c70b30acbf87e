"""YouTube Data API v3 client: endpoints from platforms.md §4.

``account_id`` is the channel id; ``access_token`` an OAuth token with
``https://www.googleapis.com/auth/youtube.force-ssl`` from the channel owner (only the owner sees
``moderationStatus`` and may call ``setModerationStatus``).

Every call first spends its units from a :class:`QuotaLedger` (share one per Google Cloud
project): a list costs 1, a moderation call or a reply 50, and the day ends at midnight Pacific.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import httpx

from steward.platforms.base import Action, ActionResult, BaseClient, Page, Platform, PlatformComment
from steward.platforms.errors import (
    AuthError,
    MalformedPayload,
    NotFound,
    PermanentError,
    PlatformError,
    RateLimited,
)
from steward.platforms.ratelimit import QuotaLedger, seconds_until_pacific_midnight
from steward.platforms.youtube.capabilities import CAPABILITIES
from steward.platforms.youtube.parsers import parse_comment, parse_comment_thread

MODERATION_STATUSES = frozenset({"heldForReview", "published", "rejected"})
COST_LIST = 1
COST_WRITE = 50


class YouTubeClient(BaseClient):
    platform: ClassVar[Platform] = Platform.YOUTUBE
    capabilities = CAPABILITIES
    default_base_url: ClassVar[str] = "https://www.googleapis.com/youtube/v3"

    def __init__(self, *, quota: QuotaLedger | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.quota = quota if quota is not None else QuotaLedger(clock=self.clock)

    def before_request(self, cost: int) -> None:
        # "Every request costs at least 1 unit, including invalid ones": spend before calling.
        self.quota.spend(cost, self.platform)

    def error_for(self, response: httpx.Response) -> PlatformError:
        body = self.safe_json(response) or {}
        found = body.get("error")
        error: dict[str, Any] = found if isinstance(found, dict) else {}
        reasons = {str(e.get("reason")) for e in error.get("errors") or [] if isinstance(e, dict)}
        message = str(error.get("message") or "YouTube API error")
        kw: dict[str, Any] = {
            "platform": self.platform,
            "status_code": response.status_code,
            "response": body,
        }
        if reasons & {"quotaExceeded", "dailyLimitExceeded"}:
            self.quota.exhaust()
            return RateLimited(
                message,
                retry_after=seconds_until_pacific_midnight(self.clock()),
                code="quotaExceeded",
                **kw,
            )
        if reasons & {"rateLimitExceeded", "userRateLimitExceeded"}:
            retry = self.retry_after_from(response)
            self.throttle.block_for(retry)
            return RateLimited(message, retry_after=retry, code=sorted(reasons)[0], **kw)
        if reasons & {"authError", "insufficientPermissions"}:
            return AuthError(message, code=sorted(reasons)[0], **kw)
        if "commentNotFound" in reasons:
            return NotFound(message, code="commentNotFound", **kw)
        if reasons & {"processingFailure", "operationNotSupported", "banWithoutReject"}:
            # processingFailure is also what a comment already deleted by its author gives.
            return PermanentError(message, code=sorted(reasons)[0], **kw)
        return super().error_for(response)

    def my_channel(self) -> tuple[str, str]:
        """``channels.list?mine=true`` (1 unit): the id and title of the channel the token belongs to."""
        body = self.request_json(
            "GET", "/channels", params={"part": "id,snippet", "mine": "true"}, cost=COST_LIST
        )
        items = [i for i in body.get("items") or [] if isinstance(i, dict)]
        if not items or not items[0].get("id"):
            raise MalformedPayload(
                "the signed-in Google account has no YouTube channel",
                field="items",
                platform=self.platform,
            )
        snippet = items[0].get("snippet")
        title = snippet.get("title") if isinstance(snippet, dict) else ""
        return str(items[0]["id"]), str(title or "")

    def list_comment_threads(
        self,
        *,
        video_id: str | None = None,
        cursor: str | None = None,
        limit: int = 100,
        moderation_status: str | None = None,
    ) -> Page[PlatformComment]:
        """``commentThreads.list`` for one video, or the whole channel when ``video_id`` is None.

        ``moderation_status`` (``heldForReview``/``likelySpam``/``published``) lists the owner's
        review queue; the default lists published threads only.
        """
        params: dict[str, Any] = {
            "part": "id,snippet,replies",
            "maxResults": max(1, min(limit, 100)),
            "textFormat": "plainText",
            "order": "time",
        }
        if video_id:
            params["videoId"] = video_id
        else:
            params["allThreadsRelatedToChannelId"] = self.account_id
        if moderation_status:
            params["moderationStatus"] = moderation_status
        if cursor:
            params["pageToken"] = cursor
        body = self.request_json("GET", "/commentThreads", params=params, cost=COST_LIST)
        items: list[PlatformComment] = []
        for i, thread in enumerate(body.get("items") or []):
            items += parse_comment_thread(thread, path=f"items[{i}]")
        return Page(items, body.get("nextPageToken") or None)

    def list_comments(
        self, post_id: str, *, cursor: str | None = None, limit: int = 100
    ) -> Page[PlatformComment]:
        return self.list_comment_threads(video_id=post_id, cursor=cursor, limit=limit)

    def list_replies(self, comment_id: str, *, post_id: str | None = None) -> list[PlatformComment]:
        """``comments.list?parentId=``: all replies (a thread carries only some)."""
        out: list[PlatformComment] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {
                "part": "id,snippet",
                "parentId": comment_id,
                "maxResults": 100,
                "textFormat": "plainText",
            }
            if cursor:
                params["pageToken"] = cursor
            body = self.request_json("GET", "/comments", params=params, cost=COST_LIST)
            out += [
                parse_comment(c, path=f"items[{i}]") for i, c in enumerate(body.get("items") or [])
            ]
            cursor = body.get("nextPageToken") or None
            if not cursor:
                return out

    def set_moderation_status(
        self, comment_ids: Sequence[str], status: str, *, ban_author: bool = False
    ) -> ActionResult:
        """``comments.setModerationStatus`` for up to 50 ids; 204 No Content on success.

        ``published`` cannot bring back a ``rejected`` comment; ``ban_author`` is only valid with
        ``rejected`` (YouTube answers ``400 banWithoutReject``; we refuse before spending 50 units).
        """
        ids = [str(c) for c in comment_ids]
        if not ids or len(ids) > 50:
            raise PermanentError("setModerationStatus takes 1 to 50 ids", platform=self.platform)
        if status not in MODERATION_STATUSES:
            raise PermanentError(f"unknown moderation status {status!r}", platform=self.platform)
        if ban_author and status != "rejected":
            raise PermanentError(
                "banAuthor is only valid with rejected",
                platform=self.platform,
                code="banWithoutReject",
            )
        params: dict[str, Any] = {"id": ",".join(ids), "moderationStatus": status}
        if ban_author:
            params["banAuthor"] = "true"
        response = self.request(
            "POST", "/comments/setModerationStatus", params=params, cost=COST_WRITE
        )
        action = {
            "heldForReview": Action.HIDE,
            "published": Action.UNHIDE,
            "rejected": Action.DELETE,
        }[status]
        if ban_author:
            action = Action.BLOCK
        return ActionResult(
            self.platform, action, ",".join(ids), response.status_code, {"moderationStatus": status}
        )

    def hide_comment(self, comment_id: str, *, post_id: str | None = None) -> ActionResult:
        return self.set_moderation_status([comment_id], "heldForReview")

    def unhide_comment(self, comment_id: str, *, post_id: str | None = None) -> ActionResult:
        return self.set_moderation_status([comment_id], "published")

    def delete_comment(self, comment_id: str, *, post_id: str | None = None) -> ActionResult:
        """Other people's comments are "deleted" by rejecting them (``comments.delete`` is author-only)."""
        return self.set_moderation_status([comment_id], "rejected")

    def block_author(self, author_id: str, *, comment_id: str | None = None) -> ActionResult:
        if not comment_id:
            raise PermanentError(
                "YouTube bans an author by rejecting one of their comments: pass comment_id",
                platform=self.platform,
            )
        return self.set_moderation_status([comment_id], "rejected", ban_author=True)

    def reply(self, comment_id: str, text: str, *, post_id: str | None = None) -> ActionResult:
        body = self.request_json(
            "POST",
            "/comments",
            params={"part": "snippet"},
            json_body={"snippet": {"parentId": comment_id, "textOriginal": text}},
            cost=COST_WRITE,
        )
        return ActionResult(
            self.platform,
            Action.REPLY,
            comment_id,
            200,
            body,
            created_id=str(body.get("id") or "") or None,
        )
