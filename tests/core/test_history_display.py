"""The history on account, authorization, person and unit pages reads as words: references by name,
lists joined, the action described (with its code kept for the audit trail)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from steward.core.templatetags.audit_display import audit_action, audit_value
from steward.registry.models import Account
from steward.registry.services import account_create


def test_values_read_as_a_person_reads_them() -> None:
    translation.activate("en")  # an earlier request in this thread may have left Spanish on
    assert audit_value({"id": 29, "label": "Kiara Féliz"}) == "Kiara Féliz"
    assert audit_value([{"id": 1, "label": "A"}, {"id": 2, "label": "B"}]) == "A, B"
    assert audit_value(["Kiara Féliz"]) == "Kiara Féliz"
    assert audit_value(None) == audit_value("") == audit_value([]) == "—"
    assert audit_value({"until": "2027-01-31", "unit": {"id": 3, "label": "LHS"}}) == "until: 2027-01-31, unit: LHS"
    assert audit_value(True) == "yes"
    # Times are stored in UTC and read in the district's time zone (America/New_York in tests).
    assert audit_value("2026-11-29T00:18:44.592113+00:00") == "2026-11-28 19:18"
    assert audit_value("2027-01-31") == "2027-01-31"
    assert audit_action("registry.account_registered") == "Account registered"
    assert audit_action("something.new") == "something.new"


def test_account_history_names_people_and_units(client_as, lps) -> None:
    account = account_create(
        actor=lps.user("media_officer"),
        platform="instagram", handle="lhs_robots", display_name="LHS Robots", owning_unit=lps.club_a,
        kind="club", purpose="Robots", responsible_administrator=lps.principal_a, advisor=lps.teacher_a,
        managers=[lps.teacher_a],
    )  # fmt: skip
    assert isinstance(account, Account)
    body = client_as("media_officer").get(reverse("registry:account_detail", args=[account.pk])).content.decode()
    history = body[body.index('id="history-h"'):]
    assert "{&#x27;id&#x27;" not in history and "{'id'" not in history
    assert f"<strong>advisor</strong>: — → {lps.teacher_a}" in history
    assert f"<strong>owning unit</strong>: — → {lps.club_a}" in history
    assert "Account requested" in history and "registry.account_requested" in history


def registered_account_page(client_as, lps) -> str:  # type: ignore[no-untyped-def]
    """The page of a club account requested and registered by the communications office."""
    account = account_create(
        actor=lps.user("media_officer"), register=True,
        platform="instagram", handle="lhs_robots", display_name="LHS Robots", owning_unit=lps.club_a,
        kind="club", purpose="Robots", responsible_administrator=lps.principal_a, advisor=lps.teacher_a,
    )  # fmt: skip
    return client_as("media_officer").get(reverse("registry:account_detail", args=[account.pk])).content.decode()


def test_status_history_reads_in_words(client_as, lps) -> None:
    body = registered_account_page(client_as, lps)
    status = body[body.index('id="status-h"'):body.index('id="history-h"')]
    assert "<td>— → Requested</td>" in status and "<td>Requested → Registered</td>" in status


def test_history_shows_choices_by_their_labels(client_as, lps) -> None:
    body = registered_account_page(client_as, lps)
    history = body[body.index('id="history-h"'):]
    assert "<strong>platform</strong>: — → Instagram" in history
    assert "<strong>status</strong>: Requested → Registered" in history
    assert "→ instagram<" not in history and "→ registered<" not in history
