from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from steward.core.permissions import scope_for


def steward(request: HttpRequest) -> dict[str, Any]:
    return {
        "DISTRICT_NAME": settings.DISTRICT_NAME,
        "DISTRICT_HELP_EMAIL": settings.DISTRICT_HELP_EMAIL,
        "scope": scope_for(getattr(request, "user", None)),
    }
