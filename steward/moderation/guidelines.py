"""The published community guidelines in the words a member of the public reads them, by the
clause id a decision cites (CLAUSES.md). Shown on the public appeal page, so that "clause 1.8.c"
says what it means."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _


def guideline_text(clause: str) -> str:
    """The guideline behind ``clause``, or "" for a clause without a public wording."""
    help_email = getattr(settings, "DISTRICT_HELP_EMAIL", "")
    texts = {
        "1.8.a": _("Comments and posts must be appropriate for an educational environment and for all ages."),
        "1.8.b": _("Offensive comments, inappropriate remarks and profanity are removed."),
        "1.8.c": _(
            "These pages do not replace the regular channels for an individual issue with the district, "
            "a school or a staff member: please contact the school or %(email)s."
        ) % {"email": help_email},
        "1.8.d": _("Comments must relate to the news and stories the account shared."),
        "1.8.e": _("Sales and promotions are limited to LPS-affiliated fundraisers approved by the district."),
        "0.2": _(
            "The district's Code of Conduct, Non-Discrimination and Acceptable Use policies and "
            "confidentiality laws apply (threats, harassment, private information about students)."
        ),
    }
    return texts.get(clause, "")
