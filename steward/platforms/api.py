"""REST API for the live path: queue depth, failed events and actions, retries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from steward.core.errors import NotPermitted
from steward.platforms import selectors, services

router = Router()


def _user(request: HttpRequest) -> Any:
    """The user the token authenticated (ninja sets ``request.auth``)."""
    return request.auth  # type: ignore[attr-defined]


class EventOut(Schema):
    id: int
    platform: str
    source: str
    state: str
    attempts: int
    last_error: str
    received_at: dt.datetime
    processed_at: dt.datetime | None
    next_attempt_at: dt.datetime | None
    account_id: int | None
    body_sha256: str
    items: int


class StatusOut(Schema):
    queue_depth: int
    actions_waiting: int
    throttled_actions: int
    event_counts: dict[str, int]
    action_counts: dict[str, int]


@router.get("/status", response=StatusOut)
def status(request: HttpRequest) -> Any:
    return selectors.live_overview(user=_user(request))


@router.get("/events", response=list[EventOut])
def events(request: HttpRequest, state: str = "") -> Any:
    qs = selectors.events_for(_user(request))
    if state:
        qs = qs.filter(state=state)
    return list(qs[:500])


@router.post("/events/{pk}/retry", response=EventOut)
def event_retry(request: HttpRequest, pk: int) -> Any:
    event = selectors.event_get(user=_user(request), pk=pk)
    if not selectors.can_operate(_user(request)):
        raise NotPermitted("Only the communications office retries events.")
    services.event_retry(actor=_user(request), event=event)
    event.refresh_from_db()
    return event


@router.post("/actions/{pk}/retry", response=dict[str, Any])
def action_retry(request: HttpRequest, pk: int) -> Any:
    from steward.moderation.services import action_retry as retry

    action = selectors.action_get(user=_user(request), pk=pk)
    if not selectors.can_operate(_user(request)):
        raise NotPermitted("Only the communications office retries actions.")
    action = retry(actor=_user(request), action=action)
    return {"id": action.pk, "state": action.state}
