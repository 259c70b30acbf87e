"""Reads of the live path, narrowed to the accounts the acting user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from steward.core.errors import NotPermitted
from steward.core.permissions import scope_for
from steward.platforms.models import Comment, PlatformConnection, WebhookEvent, WebhookRejection
from steward.registry.selectors import accounts_for


def can_operate(user: Any) -> bool:
    """District-wide staff (the communications office) run the live path: retries, connections."""
    return bool(getattr(user, "is_superuser", False) or scope_for(user).district_wide)


#: Who may hold the keys of a district account (connect it, paste or renew its token): the
#: communications office and the superintendent's office, not every district-wide role.
CONNECTING_ROLES = frozenset({"communications", "superintendent", "superintendent_designee"})


def can_connect(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False) or scope_for(user).roles & CONNECTING_ROLES)


def events_for(user: Any) -> QuerySet[WebhookEvent]:
    """Events of the user's accounts; events not yet tied to an account only for district-wide staff."""
    qs = WebhookEvent.objects.select_related("account").defer("body")
    if can_operate(user):
        return qs
    return qs.filter(account__in=accounts_for(user))


def event_get(*, user: Any, pk: int) -> WebhookEvent:
    event = WebhookEvent.objects.filter(pk=pk).select_related("account").first()
    if event is None or not events_for(user).filter(pk=pk).exists():
        raise NotPermitted("No such event.")
    return event


def actions_for(user: Any) -> QuerySet[Any]:
    from steward.moderation.models import PlatformAction

    return PlatformAction.objects.filter(account__in=accounts_for(user)).select_related("account")


def action_get(*, user: Any, pk: int) -> Any:
    action = actions_for(user).filter(pk=pk).first()
    if action is None:
        raise NotPermitted("No such action.")
    return action


def comments_for(user: Any) -> QuerySet[Comment]:
    return Comment.objects.filter(account__in=accounts_for(user)).select_related("account", "account__owning_unit")


def connections_for(user: Any) -> QuerySet[PlatformConnection]:
    return PlatformConnection.objects.filter(account__in=accounts_for(user)).select_related("account")


def live_overview(*, user: Any) -> dict[str, Any]:
    from steward.moderation.models import PlatformAction

    events = events_for(user)
    actions = actions_for(user)
    now = timezone.now()
    by_state = dict(events.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    action_states = dict(actions.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    open_actions = actions.filter(state__in=[PlatformAction.State.PENDING, PlatformAction.State.RUNNING])
    return {
        "event_counts": by_state,
        "action_counts": action_states,
        "queue_depth": by_state.get(WebhookEvent.State.RECEIVED, 0) + by_state.get(WebhookEvent.State.PROCESSING, 0),
        "actions_waiting": open_actions.count(),
        "throttled_actions": open_actions.filter(next_attempt_at__gt=now).count(),
        "failed_events": events.filter(state=WebhookEvent.State.FAILED).order_by("-received_at")[:50],
        "stuck_events": events.filter(
            Q(state=WebhookEvent.State.RECEIVED, attempts__gt=0)
            | Q(state=WebhookEvent.State.PROCESSING, lease_until__lt=now)
        ).order_by("received_at")[:50],
        "failed_actions": actions.filter(
            Q(state__in=[PlatformAction.State.FAILED, PlatformAction.State.UNSUPPORTED])
            | Q(state=PlatformAction.State.PENDING, attempts__gt=0)
        ).select_related("account", "decision").order_by("-created_at")[:50],
        "recent_events": events.order_by("-received_at")[:20],
        "rejections": WebhookRejection.objects.all()[:20] if can_operate(user) else [],
        "connections": connections_for(user),
        "can_operate": can_operate(user),
        "broker_depth": broker_depth(),
    }


def broker_depth() -> int | None:
    """Messages waiting in the Redis broker's default queue; None in-process or if unreachable."""
    from django.conf import settings

    url = getattr(settings, "CELERY_BROKER_URL", "")
    if not url.startswith("redis"):
        return None
    try:
        import redis

        return int(redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5).llen("celery"))
    except Exception:
        return None


def capabilities(platform: str) -> Any:
    """The platform's row of the capability table (platforms.md §0), or None if unknown."""
    import importlib

    try:
        return importlib.import_module(f"steward.platforms.{platform}.capabilities").CAPABILITIES
    except ModuleNotFoundError:
        return None


def offered_actions(platform: str) -> dict[str, Any]:
    """What the pages may offer for a comment on ``platform``: action → Capability (with its note)."""
    caps = capabilities(platform)
    if caps is None:
        return {}
    return {str(action): caps.get(action) for action in caps.actions}
