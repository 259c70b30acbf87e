"""Records requests: deadlines, redaction review, export bundle, disclosure log (PRR-1..5, FERPA-4)."""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
import zipfile
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command

from steward.archive import services
from steward.archive.bundle import bundle_verify
from steward.archive.business_days import EASTERN
from steward.archive.models import DisclosureLog, Record, Redaction
from steward.archive.selectors import request_deadline
from steward.core.errors import PolicyViolation
from steward.registry.models import Account
from tests.personas import District


def comment(account: Account, pid: str, text: str) -> Record:
    return services.record_append(
        kind="comment",
        platform="facebook",
        source="webhook",
        account=account,
        platform_id=pid,
        text=text,
        author_name="A Parent",
        created_at=dt.datetime(2026, 1, 10, tzinfo=dt.UTC),
        raw_payload={"message": text},
    )


def make_request(lps: District, fb_account: Account) -> object:
    officer = lps.user("records_officer")
    req = services.request_create(
        actor=officer,
        requester="Eagle-Tribune",
        received_at=dt.datetime(2026, 1, 16, 10, tzinfo=EASTERN),
        description="All removed comments about buses in January 2026",
        officer=lps.records_officer,
    )
    ss = services.saved_search_create(
        actor=officer, name="bus comments", query="bus", filters={"account": fb_account.pk}
    )
    services.request_attach_search(actor=officer, request=req, saved_search=ss)
    return req


def test_deadline_friday_before_mlk_day(lps: District, fb_account: Account) -> None:
    req = make_request(lps, fb_account)
    assert req.reference == "PRR-2026-001"
    assert req.due_date == dt.date(2026, 2, 2)
    with time_machine.travel(dt.datetime(2026, 1, 30, 12, tzinfo=EASTERN)):
        d = request_deadline(req, dt.date.today())
        assert d["days_left"] == 1 and d["warn"] and not d["overdue"]
    with time_machine.travel(dt.datetime(2026, 2, 4, 12, tzinfo=EASTERN)):
        d = request_deadline(req, dt.date.today())
        assert d["days_left"] == -2 and d["overdue"]
    services.request_set_status(actor=lps.user("records_officer"), request=req, status="responded")
    assert not request_deadline(req, dt.date(2026, 2, 4))["overdue"]


def test_redact_review_export_verify(lps: District, fb_account: Account) -> None:
    officer = lps.user("records_officer")
    comment(fb_account, "c1", "The bus left Kevin Nguyen behind, call 978-555-0100")
    comment(fb_account, "c2", "Bus was late again")
    comment(fb_account, "c3", "Yamilet missed the bus")  # first name alone: a candidate
    comment(fb_account, "c4", "Nothing about transport")
    req = make_request(lps, fb_account)
    assert len(services.request_records(req)) == 3
    services.request_redactions_propose(actor=officer, request=req)
    applied = list(req.redactions.filter(status="applied"))
    proposed = list(req.redactions.filter(status="proposed"))
    assert {r.original for r in applied} == {"Kevin Nguyen", "978-555-0100"}
    assert [r.original for r in proposed] == ["Yamilet"]
    assert applied[0].student == lps.student_b or applied[1].student == lps.student_b

    with pytest.raises(PolicyViolation):
        services.request_export(
            actor=officer, request=req, recipient="Eagle-Tribune", purpose="c.66 §10 request"
        )
    services.redaction_decide(actor=officer, redaction=proposed[0], apply=True)

    log = services.request_export(
        actor=officer,
        request=req,
        recipient="Eagle-Tribune",
        purpose="c.66 §10 request",
        position="Records Access Officer",
        include_warc=True,
    )
    assert isinstance(log, DisclosureLog) and log.record_count == 3 and log.redacted_count == 2
    data = log.bundle_file.read()
    path = Path(tempfile.mkdtemp()) / "b.zip"
    path.write_bytes(data)
    report = bundle_verify(path)
    assert report.ok, report.problems
    with zipfile.ZipFile(path) as zf:
        jsonl = zf.read("records.jsonl").decode()
        assert "Kevin" not in jsonl and "555-0100" not in jsonl and "Yamilet" not in jsonl
        assert "Bus was late again" in jsonl
        table = zf.read("redactions.csv").decode()
        assert "student_name" in table and "Kevin" not in table
    # The originals are untouched and still verify (PRR-5).
    assert Record.objects.get(platform_id="c1").text.startswith("The bus left Kevin Nguyen")
    assert services.archive_verify().ok
    out = io.StringIO()
    call_command("records_verify", str(path), stdout=out)  # no SystemExit: success
    assert out.getvalue().startswith("OK: ")


def test_records_verify_finds_tampering(
    lps: District, fb_account: Account, tmp_path: object
) -> None:
    officer = lps.user("records_officer")
    comment(fb_account, "c2", "Bus was late again")
    req = make_request(lps, fb_account)
    log = services.request_export(actor=officer, request=req, recipient="X", purpose="test")
    src = io.BytesIO(log.bundle_file.read())
    path = Path(str(tmp_path)) / "t.zip"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w") as zout:
        for name in zin.namelist():
            body = zin.read(name)
            if name == "records.jsonl":
                line = json.loads(body)
                line["record"]["text"] = "Bus was on time"
                body = json.dumps(line).encode()
            zout.writestr(name, body)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("records_verify", str(path), stdout=out, stderr=err)
    assert exit_.value.code == 1 and "records.jsonl" in err.getvalue()


def test_manual_redaction_span_checked(lps: District, fb_account: Account) -> None:
    rec = comment(fb_account, "c1", "bus note")
    req = make_request(lps, fb_account)
    with pytest.raises(PolicyViolation):
        services.redaction_add(
            actor=lps.user("records_officer"),
            request=req,
            record=rec,
            start=2,
            end=99,
            reason="x",
            exemption="(c)",
        )
    red = services.redaction_add(
        actor=lps.user("records_officer"),
        request=req,
        record=rec,
        start=0,
        end=3,
        reason="privacy",
        exemption="c.4 §7(26)(c)",
    )
    assert red.original == "bus" and red.status == Redaction.Status.APPLIED


def test_fee_estimate_prr6() -> None:
    from decimal import Decimal

    # 3 hours at $30 with no approval: 1 billable hour at the $25 cap.
    assert services.fee_estimate_cents(hours=Decimal(3), hourly_rate_cents=3000) == 2500
    assert (
        services.fee_estimate_cents(
            hours=Decimal(3), hourly_rate_cents=3000, approval_reference="SPR-1"
        )
        == 3000
    )
    assert services.fee_estimate_cents(hours=Decimal("1.5"), hourly_rate_cents=2000) == 0


def test_fee_blocked_after_missed_deadline_prr2(lps: District, fb_account: Account) -> None:
    from decimal import Decimal

    req = make_request(lps, fb_account)  # due 2026-02-02
    officer = lps.user("records_officer")
    with time_machine.travel(dt.datetime(2026, 2, 5, 12, tzinfo=EASTERN)):
        with pytest.raises(PolicyViolation):
            services.request_set_fee(
                actor=officer,
                request=req,
                hours_search=Decimal(3),
                hours_redaction=Decimal(1),
                hourly_rate_cents=2000,
            )
        req = services.request_set_fee(
            actor=officer,
            request=req,
            hours_search=Decimal(3),
            hours_redaction=Decimal(1),
            hourly_rate_cents=2000,
            override_reason="Requester agreed in writing (ref 12)",
        )
        assert req.fee_cents == 4000
    with time_machine.travel(dt.datetime(2026, 1, 20, 12, tzinfo=EASTERN)):
        req2 = make_request(lps, fb_account)
        services.request_set_fee(
            actor=officer,
            request=req2,
            hours_search=Decimal(3),
            hours_redaction=Decimal(0),
            hourly_rate_cents=2000,
        )
        assert req2.fee_cents == 2000


def test_day_7_and_day_9_reminders_prr1(
    lps: District,
    fb_account: Account,
    client_as,  # type: ignore[no-untyped-def]
    mailoutbox,  # type: ignore[no-untyped-def]
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    """Received Friday 16 January 2026 (MLK Day follows): day 7 of 10 is Wednesday the 28th,
    day 9 Friday the 30th, due Monday 2 February. Each reminder goes out once."""
    from django.urls import reverse

    req = make_request(lps, fb_account)
    answered = make_request(lps, fb_account)
    services.request_set_status(
        actor=lps.user("records_officer"), request=answered, status="responded"
    )

    def run(day: dt.date) -> str:
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("records_deadline_alerts", "--today", day.isoformat(), stdout=out)
        return out.getvalue()

    assert "0 reminder(s)" in run(dt.date(2026, 1, 27))
    dry = io.StringIO()
    call_command("records_deadline_alerts", "--today", "2026-01-28", "--dry-run", stdout=dry)
    assert "would send" in dry.getvalue() and not mailoutbox
    output = run(dt.date(2026, 1, 28))
    assert f"{req.reference}: day 7 of 10, due 2026-02-02" in output
    assert answered.reference not in output
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["records_officer@lawrence.k12.ma.us"]
    assert "day 7 of 10" in mailoutbox[0].subject
    assert "0 reminder(s)" in run(dt.date(2026, 1, 28))  # once only
    assert "0 reminder(s)" in run(dt.date(2026, 1, 29))  # day 8: the day-7 one was sent
    assert f"{req.reference}: day 9 of 10" in run(dt.date(2026, 1, 30))
    assert [a.day for a in req.deadline_alerts.all()] == [7, 9]

    with time_machine.travel(dt.datetime(2026, 1, 30, 12, tzinfo=EASTERN)):
        page = client_as("records_officer").get(reverse("archive:request_detail", args=[req.pk]))
    body = page.content.decode()
    assert "Business day 9 of 10" in body and "Reminders sent" in body and "Day 7 of 10" in body


def test_a_missed_day_7_reminder_is_not_sent_late(lps: District, fb_account: Account) -> None:
    req = make_request(lps, fb_account)
    sent = services.deadline_alerts_send(today=dt.date(2026, 2, 2))  # the due date itself
    assert [(a.request_id, a.day) for a in sent] == [(req.pk, 9)]
    assert (
        services.deadline_alerts_send(today=dt.date(2026, 2, 3)) == []
    )  # overdue: the list shows it


def test_extension_petition_within_20_business_days_prr1(lps: District, fb_account: Account) -> None:
    """Received Friday 16 January 2026: MLK Day and Presidents' Day are not business days, so the
    20th business day — the last day to petition the Supervisor of Records — is Tuesday 17 February."""
    from steward.core.models import AuditEvent

    req = make_request(lps, fb_account)
    officer = lps.user("records_officer")
    assert services.petition_deadline(req) == dt.date(2026, 2, 17)
    with pytest.raises(PolicyViolation) as late:
        services.request_petition_file(actor=officer, request=req, filed_on=dt.date(2026, 2, 18))
    assert "2026-02-17" in str(late.value) and late.value.field == "filed_on"
    with pytest.raises(PolicyViolation):
        services.request_petition_file(actor=officer, request=req, filed_on=dt.date(2026, 1, 15))
    req.refresh_from_db()
    assert req.petition_filed_on is None and req.status == "open"  # a refusal writes nothing

    services.request_petition_file(actor=officer, request=req, filed_on=dt.date(2026, 2, 17), note="2,000 items")
    req.refresh_from_db()
    assert (req.petition_filed_on, req.petition_decision, req.status) == (dt.date(2026, 2, 17), "pending", "extended")
    with pytest.raises(PolicyViolation) as no_date:
        services.request_petition_decide(actor=officer, request=req, decision="granted",
                                         decided_on=dt.date(2026, 2, 20))  # fmt: skip
    assert no_date.value.field == "extended_to"
    services.request_petition_decide(actor=officer, request=req, decision="granted",
                                     decided_on=dt.date(2026, 2, 20), extended_to=dt.date(2026, 3, 31))  # fmt: skip
    req.refresh_from_db()
    assert (req.petition_decision, req.extended_due_date) == ("granted", dt.date(2026, 3, 31))
    assert list(AuditEvent.objects.filter(action__startswith="archive.request_petition").values_list(
        "action", flat=True).order_by("pk")) == ["archive.request_petition_filed", "archive.request_petition_decided"]


def test_extension_petition_from_the_request_page(
    lps: District,
    fb_account: Account,
    client_as,  # type: ignore[no-untyped-def]
) -> None:
    from django.urls import reverse

    req = make_request(lps, fb_account)
    client = client_as("records_officer")
    page = reverse("archive:request_detail", args=[req.pk])
    assert "can be filed until Tuesday 2026-02-17" in client.get(page).content.decode()
    action = reverse("archive:request_action", args=[req.pk, "petition"])
    late = client.post(action, {"filed_on": "2026-02-18", "note": ""}, follow=True).content.decode()
    assert "Too late to petition" in late
    done = client.post(action, {"filed_on": "2026-02-10", "note": "large request"}, follow=True).content.decode()
    assert "Petition for more time filed with the Supervisor of Records on Tuesday 2026-02-10" in done
    decide = reverse("archive:request_action", args=[req.pk, "petition_decision"])
    granted = client.post(decide, {"decision": "granted", "decided_on": "2026-02-12",
                                   "extended_to": "2026-03-20"}, follow=True).content.decode()  # fmt: skip
    assert "extended to Friday 2026-03-20" in granted


def test_beat_schedules_the_archive_work() -> None:
    """The reminders, the checkpoints and the verification run by themselves under beat, the
    reminders at 7 am in the district's time."""
    from steward.archive.tasks import SCHEDULE
    from steward.celery import app

    app.finalize()
    for name, (task, _when) in SCHEDULE.items():
        entry = app.conf.beat_schedule[name]
        assert entry["task"] == task and task in app.tasks
    reminders = app.conf.beat_schedule["steward records-request reminders"]["schedule"]
    assert reminders.hour == {7} and str(app.conf.timezone) == "America/New_York"
