"""Lookup by platform name: capabilities, client classes, webhook parsers.

The one place that knows all five sub-packages; everything else asks here by name
(``"facebook"``, ``"instagram"``, ``"x"``, ``"youtube"``, ``"tiktok"``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from steward.platforms.base import Action, BaseClient, Platform, PlatformCapabilities, PlatformEvent
from steward.platforms.facebook import capabilities as fb_caps
from steward.platforms.facebook import parsers as fb_parsers
from steward.platforms.facebook.client import FacebookClient
from steward.platforms.instagram import capabilities as ig_caps
from steward.platforms.instagram import parsers as ig_parsers
from steward.platforms.instagram.client import InstagramClient
from steward.platforms.tiktok import capabilities as tt_caps
from steward.platforms.tiktok import parsers as tt_parsers
from steward.platforms.tiktok.client import TikTokClient
from steward.platforms.x import capabilities as x_caps
from steward.platforms.x import parsers as x_parsers
from steward.platforms.x.client import XClient
from steward.platforms.youtube import capabilities as yt_caps
from steward.platforms.youtube.client import YouTubeClient

PLATFORMS: tuple[str, ...] = tuple(p.value for p in Platform)

CAPABILITIES: Mapping[str, PlatformCapabilities] = {
    "facebook": fb_caps.CAPABILITIES,
    "instagram": ig_caps.CAPABILITIES,
    "x": x_caps.CAPABILITIES,
    "youtube": yt_caps.CAPABILITIES,
    "tiktok": tt_caps.CAPABILITIES,
}

CLIENTS: Mapping[str, type[BaseClient]] = {
    "facebook": FacebookClient,
    "instagram": InstagramClient,
    "x": XClient,
    "youtube": YouTubeClient,
    "tiktok": TikTokClient,
}

WEBHOOK_PARSERS: Mapping[str, Callable[[bytes | str | Mapping[str, Any]], list[PlatformEvent]]] = {
    "facebook": fb_parsers.parse_webhook,
    "instagram": ig_parsers.parse_webhook,
    "x": x_parsers.parse_webhook,
    "tiktok": tt_parsers.parse_webhook,
}


def _known(platform: str) -> str:
    name = str(platform).lower()
    if name not in PLATFORMS:
        raise KeyError(f"unknown platform {platform!r}; expected one of {', '.join(PLATFORMS)}")
    return name


def capabilities_for(platform: str) -> PlatformCapabilities:
    return CAPABILITIES[_known(platform)]


def allows(platform: str, action: Action | str) -> bool:
    """Whether a page should offer ``action`` for a comment on ``platform``."""
    return capabilities_for(platform).allows(action)


def client_class(platform: str) -> type[BaseClient]:
    return CLIENTS[_known(platform)]


def client_for(platform: str, **kwargs: Any) -> BaseClient:
    """Build a client: ``access_token``, ``account_id``, optional ``base_url`` and per-platform
    extras (``app_secret`` for Meta, ``quota`` for YouTube, ``enterprise`` for X)."""
    return client_class(platform)(**kwargs)
