"""The REST API (django-ninja): OpenAPI schema at /api/openapi.json, docs at /api/docs.

Token auth: ``Authorization: Bearer <token>``; the token acts with its user's permissions, through
the same selectors and services as the pages.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import NinjaAPI
from ninja.security import HttpBearer

from steward.core.errors import NotPermitted, PolicyViolation


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from steward.core.models import ApiToken

        digest = hashlib.sha256(token.encode()).hexdigest()
        row = ApiToken.objects.select_related("user").filter(token_hash=digest, revoked_at=None).first()
        if row is None or not row.user.is_active:
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        request.user = row.user
        return row.user


api = NinjaAPI(title="Steward API", version="1", auth=TokenAuth(), urls_namespace="api")


@api.exception_handler(PolicyViolation)
def _policy_violation(request: HttpRequest, exc: PolicyViolation) -> Any:
    return api.create_response(
        request, {"detail": exc.message, "clause": exc.clause, "field": exc.field}, status=422
    )


@api.exception_handler(NotPermitted)
def _not_permitted(request: HttpRequest, exc: NotPermitted) -> Any:
    return api.create_response(request, {"detail": str(exc) or "Not found."}, status=404)


def _mount() -> None:
    """Each app contributes a Router in its api.py."""
    from importlib import import_module

    for app, prefix in [
        ("people", "/"),
        ("registry", "/"),
        ("authorizations", "/"),
        ("moderation", "/moderation"),
        ("archive", "/archive"),
        ("platforms", "/platforms"),
    ]:
        try:
            module = import_module(f"steward.{app}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"steward.{app}.api":
                raise
            continue
        api.add_router(prefix, module.router, tags=[app])


_mount()
