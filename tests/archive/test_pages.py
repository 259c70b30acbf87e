"""Archive pages and API: permission matrix and the main flows."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.urls import reverse

from steward.archive import services
from steward.archive.bundle import bundle_verify
from steward.archive.models import Record, RecordsRequest
from steward.registry.models import Account
from tests.archive.conftest import make_account
from tests.personas import District

STAFF_PAGES = ["archive:request_list", "archive:hold_list", "archive:retention"]


def seed(lps: District) -> tuple[Account, Record]:
    acct = make_account(lps, "facebook", "LHSLancers", unit="school_a")
    rec = services.record_append(
        kind="comment",
        platform="facebook",
        source="webhook",
        account=acct,
        platform_id="c1",
        text="The <bus> was late, Kevin Nguyen waited",
        author_name="Parent",
        raw_payload={"m": 1},
    )
    services.record_version_append(
        previous=rec,
        version="removed_by_district",
        state="removed",
        moderation_category="privacy",
        actor="media_officer",
        clause="0.2",
    )
    return acct, rec


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("records_officer", 2),
        ("media_officer", 2),
        ("principal_a", 2),
        ("principal_b", 0),
        ("teacher_a", 0),
        ("outsider", 0),
    ],
)
def test_search_permission_matrix(lps: District, client_as, persona: str, sees: int) -> None:  # type: ignore[no-untyped-def]
    seed(lps)
    resp = client_as(persona).get(reverse("archive:search"), {"q": "bus"})
    assert resp.status_code == 200
    assert resp.content.decode().count("/archive/records/") == sees


def test_search_highlights_and_escapes(lps: District, client_as) -> None:  # type: ignore[no-untyped-def]
    seed(lps)
    body = (
        client_as("records_officer")
        .get(reverse("archive:search"), {"q": "bus", "state": "removed"})
        .content.decode()
    )
    assert "&lt;<mark>bus</mark>&gt;" in body
    assert body.count("/archive/records/") == 1


def test_record_page_versions_side_by_side(lps: District, client_as) -> None:  # type: ignore[no-untyped-def]
    _, rec = seed(lps)
    resp = client_as("principal_a").get(reverse("archive:record_detail", args=[rec.pk]))
    body = resp.content.decode()
    assert resp.status_code == 200 and "Removed by the district" in body and "Created" in body
    assert "<del>published</del>" in body and "<ins>removed</ins>" in body
    assert (
        client_as("principal_b").get(reverse("archive:record_detail", args=[rec.pk])).status_code
        == 404
    )


@pytest.mark.parametrize("name", STAFF_PAGES)
@pytest.mark.parametrize(
    ("persona", "status"), [("records_officer", 200), ("principal_a", 404), ("teacher_a", 404)]
)
def test_staff_pages_matrix(lps: District, client_as, name: str, persona: str, status: int) -> None:  # type: ignore[no-untyped-def]
    assert client_as(persona).get(reverse(name)).status_code == status


def test_request_workspace_flow(lps: District, client_as, tmp_path) -> None:  # type: ignore[no-untyped-def]
    acct, _ = seed(lps)
    c = client_as("records_officer")
    resp = c.post(
        reverse("archive:request_list"),
        {
            "requester": "Eagle-Tribune",
            "received_at": "2026-01-16T10:00",
            "channel": "email",
            "description": "bus comments",
            "requester_contact": "",
            "notes": "",
        },
    )
    req = RecordsRequest.objects.get()
    assert resp.status_code == 302 and req.due_date == dt.date(2026, 2, 2)
    resp = c.post(
        reverse("archive:search_save") + f"?q=bus&account={acct.pk}",
        {"name": "bus", "request": req.pk},
    )
    assert resp.status_code == 302 and req.saved_searches.count() == 1
    c.post(reverse("archive:request_action", args=[req.pk, "propose"]))
    assert req.redactions.filter(status="applied").exists()
    page = c.get(reverse("archive:request_detail", args=[req.pk])).content.decode()
    assert "Kevin Nguyen" in page and "business days" in page
    c.post(
        reverse("archive:request_action", args=[req.pk, "fee"]),
        {"hours_search": "3", "hours_redaction": "0", "hourly_rate_cents": "3000"},
    )
    req.refresh_from_db()
    assert req.fee_cents in (0, 2500)  # 2500 if on time; a missed deadline keeps it at 0 (PRR-2)
    resp = c.post(
        reverse("archive:request_action", args=[req.pk, "export"]),
        {"recipient": "Eagle-Tribune", "purpose": "c.66 §10", "position": "RAO"},
    )
    assert resp.status_code == 302
    page = c.get(resp["Location"]).content.decode()  # back on the request, the message and the link
    assert "Bundle exported and the disclosure logged." in page and "Download the bundle" in page
    link = page.split("Download the bundle")[0].rsplit('href="', 1)[1].split('"')[0]
    bundle = c.get(link)
    data = b"".join(bundle.streaming_content)
    path = tmp_path / "bundle.zip"
    path.write_bytes(data)
    assert bundle_verify(path).ok
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert b"Kevin" not in zf.read("records.jsonl")


def test_holds_and_retention_pages(lps: District, client_as) -> None:  # type: ignore[no-untyped-def]
    acct, _ = seed(lps)
    c = client_as("records_officer")
    assert (
        c.post(
            reverse("archive:hold_list"),
            {"matter": "Doe", "custodian": "Counsel", "account": acct.pk},
        ).status_code
        == 302
    )
    assert (
        c.post(
            reverse("archive:retention"), {"retain_days": 30, "series": "GS1", "kind": ""}
        ).status_code
        == 302
    )
    body = c.get(reverse("archive:retention")).content.decode()
    assert "GS1" in body


def test_preserve_upload(lps: District, client_as) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    acct, _ = seed(lps)
    acct.managers.add(lps.coach_a)
    c = client_as("coach_a")
    resp = c.post(
        reverse("archive:preserve"),
        {
            "account": acct.pk,
            "people": f"{lps.student_a.pk}",
            "note": "thread with team captain",
            "file": SimpleUploadedFile(
                "thread.png", b"\x89PNG screenshot", content_type="image/png"
            ),
        },
    )
    assert resp.status_code == 302
    rec = Record.objects.get(kind="manual_preservation")
    assert (
        rec.source == "upload"
        and rec.extra["people"] == [lps.student_a.pk]
        and len(rec.media[0]) == 64
    )


def test_api_search_and_detail(lps: District) -> None:
    from django.test import Client

    from steward.core.services import api_token_create

    _, rec = seed(lps)
    user = lps.user("records_officer")
    _, secret = api_token_create(actor=user, user=user, name="test")
    c = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    resp = c.get("/api/archive/records", {"q": "bus", "state": "removed"})
    assert resp.status_code == 200
    data = resp.json()
    assert data["count"] == 1 and "<mark>bus</mark>" in data["results"][0]["highlighted"]
    detail = c.get(f"/api/archive/records/{rec.pk}").json()
    assert [v["version"] for v in detail["versions"]] == ["created", "removed_by_district"]
    assert c.get("/api/archive/requests").status_code == 200
    _, other = api_token_create(actor=user, user=lps.user("principal_b"), name="b")
    c2 = Client(HTTP_AUTHORIZATION=f"Bearer {other}")
    assert c2.get(f"/api/archive/records/{rec.pk}").status_code == 404
    assert c2.get("/api/archive/requests").status_code == 404


def test_request_page_speaks_in_words(lps, fb_account, client_as):  # type: ignore[no-untyped-def]
    """Saved searches, states and categories are shown by name, not as codes or dictionaries."""
    import datetime as dt

    from django.urls import reverse

    from steward.archive import services

    officer = lps.user("records_officer")
    services.record_append(kind="comment", platform="facebook", source="webhook", account=fb_account,
                           platform_id="c1", text="the bus was late again", state="hidden",
                           moderation_category="off_topic")  # fmt: skip
    req = services.request_create(actor=officer, requester="A neighbour", description="bus comments",
                                  received_at=dt.datetime(2026, 11, 2, 10, tzinfo=dt.UTC))  # fmt: skip
    saved = services.saved_search_create(actor=officer, name="buses", query="bus",
                                         filters={"platform": "facebook", "state": "hidden"})  # fmt: skip
    services.request_attach_search(actor=officer, request=req, saved_search=saved)
    client = client_as("records_officer")
    page = client.get(reverse("archive:request_detail", args=[req.pk])).content.decode()
    selected = page[page.find("saved searches"):][:300]
    assert "Platform: Facebook · State: Hidden" in selected and "{&#x27;platform" not in page, selected
    found = client.get(reverse("archive:search"), {"q": "bus"}).content.decode()
    assert "Off topic" in found and ">Hidden<" in found and ">hidden<" not in found
    new = client.get(reverse("archive:request_list")).content.decode()
    assert 'name="received_at"' in new and 'value="20' in new  # received now, unless changed


def test_a_records_thread_lists_what_people_wrote_once(lps, fb_account, client_as):  # type: ignore[no-untyped-def]
    """The thread on a record page is the post's comments; a decision on a comment is not a second
    message from its author."""
    from django.urls import reverse

    from steward.archive import services

    def add(**kw):  # type: ignore[no-untyped-def]
        return services.record_append(platform="facebook", account=fb_account, thread_id="p1", **kw)

    comment = add(kind="comment", platform_id="c1", text="This budget cuts art again", author_name="Brian T.",
                  source="webhook")  # fmt: skip
    add(kind="moderation_decision", platform_id="decision:1", parent_id="c1", text="This budget cuts art again",
        author_name="Brian T.", source="system", state="keep")  # fmt: skip
    page = client_as("records_officer").get(reverse("archive:record_detail", args=[comment.pk])).content.decode()
    thread = page.split("<ol>", 1)[1].split("</ol>", 1)[0]
    assert thread.count("This budget cuts art again") == 1


def test_preserve_a_thread_by_its_messaging_authorization(lps: District, client_as) -> None:  # type: ignore[no-untyped-def]
    """A coach picks the authorization the thread belongs to (1.7) instead of typing ids: its staff
    member and student are the people in the thread."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from steward.authorizations import services as grants

    acct, _ = seed(lps)
    acct.managers.add(lps.coach_a)
    grant = grants.grant_create(actor=lps.user("principal_a"), grantor=lps.principal_a, grantee=lps.coach_a,
                                kind="messaging", student=lps.student_a, purpose="Team logistics",
                                attestation_name=str(lps.principal_a), remote_addr="10.0.0.1")  # fmt: skip
    c = client_as("coach_a")
    form = c.get(reverse("archive:preserve")).content.decode()
    assert "Team logistics" in form and "Steward ids" in form  # the ids are the optional extra now
    resp = c.post(reverse("archive:preserve"), {
        "account": acct.pk, "authorization": grant.pk, "people": "", "note": "",
        "file": SimpleUploadedFile("thread.pdf", b"%PDF-1.4 thread", content_type="application/pdf"),
    })  # fmt: skip
    assert resp.status_code == 302
    rec = Record.objects.get(kind="manual_preservation")
    assert rec.extra["people"] == [lps.coach_a.pk, lps.student_a.pk]
    assert rec.extra["authorization"] == grant.pk
