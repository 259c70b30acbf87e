"""Texts that reach pages as data (from other apps' selectors) and are translated where shown,
e.g. ``{% translate problem %}`` on the dashboard. Listed here so that makemessages finds them."""

from django.utils.translation import gettext_noop

DASHBOARD_PROBLEMS = (
    gettext_noop("no responsible administrator"),
    gettext_noop("no coach, teacher or faculty advisor"),
    gettext_noop("responsible administrator has left"),
)
