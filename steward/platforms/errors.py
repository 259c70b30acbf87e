"""The one error family every platform connector raises.

Like healthchecks' integrations, a caller (a Celery task, a view) only needs one question answered:
*is it worth trying again?* ``PlatformError.permanent`` says so. ``RateLimited`` additionally says
*when*: ``retry_after`` seconds, read from the platform's own headers where it sends them.

No Django import here: the pipeline decides what to do with these, the connectors only classify.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class PlatformError(Exception):
    """A failure talking to, or understanding, a platform.

    ``permanent`` is True when repeating the same call cannot succeed (bad token, comment gone,
    action not offered by the platform); False when a retry later may succeed (5xx, timeouts,
    throttling).
    """

    permanent: bool = True

    def __init__(
        self,
        message: str,
        *,
        platform: str = "",
        status_code: int | None = None,
        code: str | int | None = None,
        response: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.platform = platform
        self.status_code = status_code
        self.code = code
        self.response = response

    def __str__(self) -> str:
        parts = [self.message]
        if self.platform:
            parts.insert(0, f"[{self.platform}]")
        if self.status_code is not None:
            parts.append(f"(HTTP {self.status_code})")
        if self.code is not None:
            parts.append(f"code={self.code}")
        return " ".join(parts)


class TransientError(PlatformError):
    """Worth retrying with back-off: 5xx, connection errors, timeouts."""

    permanent = False


class PermanentError(PlatformError):
    """Repeating the call will not help: 4xx other than throttling, or a refusal by the platform."""

    permanent = True


class AuthError(PermanentError):
    """The access token is invalid, expired or lacks a permission; an admin must reconnect."""


class NotFound(PermanentError):
    """The object is gone on the platform (deleted by its author, or never existed)."""


class Unsupported(PermanentError):
    """The platform offers no API for this action (see the capability table, platforms.md §0)."""


class RateLimited(TransientError):
    """The platform throttled us. Retry no sooner than ``retry_after`` seconds from now.

    Raised both on a real throttling answer and *pre-emptively*, without a network call, when the
    last answer's usage headers said the budget was spent (``X-App-Usage`` at 100 %,
    ``x-rate-limit-remaining: 0``, YouTube's daily units used up).
    """

    def __init__(self, message: str, *, retry_after: float, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = max(0.0, float(retry_after))

    def __str__(self) -> str:
        return f"{super().__str__()} retry_after={self.retry_after:.0f}s"


class MalformedPayload(PermanentError):
    """A webhook or API payload does not have the documented shape.

    ``field`` names the dotted path of the offending field (``entry[0].changes[1].value.verb``),
    so the stored raw event can be inspected and the parser fixed; re-parsing later will give the
    same answer, hence permanent.
    """

    def __init__(self, message: str, *, field: str, platform: str = "") -> None:
        super().__init__(f"{field}: {message}", platform=platform)
        self.field = field


class SignatureInvalid(PermanentError):
    """A webhook delivery whose signature does not match: refuse it (HTTP 403) and log it."""
