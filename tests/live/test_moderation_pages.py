"""The moderation pages as a moderator uses them: a refused decision keeps what was typed and says
why, every form's labels name their own fields, list pages say what happened to a posted form, and
categories and people are shown by name."""

from __future__ import annotations

import re

import pytest
from django.utils.html import escape

from steward.moderation import services
from steward.moderation.models import Appeal, BlockProposal, Decision
from tests.live.conftest import delivered_comment

pytestmark = pytest.mark.django_db


def _ids(html: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', html)


def test_a_refused_decision_keeps_the_reason_and_says_why(fb, fake, client_as):
    comment = delivered_comment(fake, "Lost dog near Essex St, please call if seen")
    c = client_as("media_officer")
    r = c.post(f"/moderation/comments/{comment.pk}/decide/",
               {"outcome": "remove", "reason": "A lost-pet ad, not school news"})  # fmt: skip
    # Re-rendered, not redirected: the typed reason is still there and the refusal cites its clause.
    assert r.status_code == 200
    html = r.content.decode()
    assert "A lost-pet ad, not school news</textarea>" in html
    assert 'value="remove" selected' in html
    assert "[1.8]" in html and 'role="alert"' in html
    assert not Decision.objects.filter(comment=comment, actor__isnull=False).exists()

    # The same with a category but no attestation (1.6): the category is kept too.
    r = c.post(f"/moderation/comments/{comment.pk}/decide/",
               {"outcome": "remove", "category": "off_topic", "reason": "A lost-pet ad"})  # fmt: skip
    html = r.content.decode()
    assert r.status_code == 200 and "[1.6]" in html and 'value="off_topic" selected' in html


def test_comment_page_has_unique_ids_and_named_categories(fb, fake, client_as):
    comment = delivered_comment(fake, "fuck this shit")
    html = client_as("media_officer").get(f"/moderation/comments/{comment.pk}/").content.decode()
    ids = _ids(html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    # The block form's reason has its own label, and its clauses say what they are.
    assert '<label for="block_reason">' in html and '<label for="id_reason">' in html
    assert "1.8.b — offensive comments" in html
    # The engine's category is shown by its name, not its code.
    assert "Profanity [1.8.b]" in html and "profanity [1.8.b]" not in html
    queue = client_as("media_officer").get("/moderation/?reason=auto_hidden").content.decode()
    assert "Profanity [1.8.b]" in queue


def test_block_and_appeal_lists_name_each_forms_fields_and_report_refusals(fb, fake, client_as, lps):
    one = delivered_comment(fake, "fuck this shit", author_id="111")
    two = delivered_comment(fake, "you are a fucking idiot", author_id="222")
    for comment in (one, two):
        services.block_propose(actor=lps.user("principal_a"), violation=Decision.objects.get(comment=comment),
                               reason="repeated abuse")  # fmt: skip
        services.appeal_submit(decision=Decision.objects.get(comment=comment), text="Please restore it.")
    media = client_as("media_officer")
    for url in ("/moderation/blocks/", "/moderation/appeals/"):
        html = media.get(url).content.decode()
        ids = _ids(html)
        assert len(ids) == len(set(ids)), (url, sorted(i for i in ids if ids.count(i) > 1))
    blocks_html = media.get("/moderation/blocks/").content.decode()
    assert "Proposed by Daniel Murphy" in blocks_html

    # A refused form on a list page says which field and why instead of saying nothing.
    block = BlockProposal.objects.filter(state="proposed").first()
    r = media.post(f"/moderation/blocks/{block.pk}/decide/", {"approve": "1", "review_by": "2099-01-01"}, follow=True)
    assert "The block was not decided — Review by: A block must be reviewed within a year." in r.content.decode()
    r = media.post(f"/moderation/blocks/{block.pk}/decide/", {"approve": "1"}, follow=True)
    assert "Block approved." in r.content.decode()
    appeal = Appeal.objects.filter(state="open").first()
    r = media.post(f"/moderation/appeals/{appeal.pk}/review/", {"reverse": "0"}, follow=True)
    assert "The appeal was not decided — Reason: This field is required." in r.content.decode()
    appeal.refresh_from_db()
    assert appeal.state == "open"
    decision = Decision.objects.get(comment=one)
    r = client_as("principal_a").post(f"/moderation/decisions/{decision.pk}/block/", {"clause": "1.8.b"}, follow=True)
    assert "The block was not proposed — Reason: This field is required." in r.content.decode()


def test_the_proposer_is_told_someone_else_decides(fb, fake, client_as, lps):
    comment = delivered_comment(fake, "fuck this shit")
    services.block_propose(actor=lps.user("media_officer"), violation=Decision.objects.get(comment=comment),
                           reason="repeated abuse")  # fmt: skip
    html = client_as("media_officer").get("/moderation/blocks/").content.decode()
    assert "another member of the communications office decides it" in html
    assert "/decide/" not in html


def test_live_page_links_a_failed_action_to_its_comment_and_connection(fb, fake, client_as, lps):
    from steward.moderation.models import PlatformAction

    comment = delivered_comment(fake, "fuck this shit")
    decision = Decision.objects.get(comment=comment)
    action = PlatformAction.objects.create(
        decision=decision, account=fb, kind="hide", key=f"{decision.pk}:test-hide", target_id=comment.comment_id,
        state="failed", attempts=1, last_error="the account is not connected (or needs reconnecting)",
    )  # fmt: skip
    html = client_as("media_officer").get("/platforms/live/").content.decode()
    assert f'href="/moderation/comments/{comment.pk}/">{comment.comment_id}</a>' in html
    assert f'href="/platforms/accounts/{fb.pk}/connection/">{fb.display_name}</a>' in html
    assert f'aria-label="Retry action {action.pk}"' in html
    # Who cannot operate the connections reaches the account's page instead.
    html = client_as("principal_a").get("/platforms/live/").content.decode()
    assert f'href="/accounts-registry/{fb.pk}/">{fb.display_name}</a>' in html
    # The confirmation of a retry is in the reader's language.
    r = client_as("media_officer").post(f"/platforms/live/actions/{action.pk}/retry/", follow=True,
                                        HTTP_ACCEPT_LANGUAGE="es")  # fmt: skip
    assert f"Action {action.pk} queued again." not in r.content.decode()


def test_decision_form_labels_are_translated(fb, fake, client_as):
    comment = delivered_comment(fake, "fuck this shit")
    html = client_as("media_officer").get(f"/moderation/comments/{comment.pk}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    for spanish in ('<label for="id_reason">Motivo', '<label for="id_escalate_to">Escalar a', "Lenguaje soez [1.8.b]"):
        assert spanish in html, spanish


def test_a_recorded_decision_lands_on_the_confirmation(fb, fake, client_as):
    comment = delivered_comment(fake, "fuck this shit")
    r = client_as("media_officer").post(f"/moderation/comments/{comment.pk}/decide/", {"outcome": "approve"})
    # The form posts to "…#decide"; the redirect names "#main" so the browser does not keep that.
    assert r.status_code == 302 and r["Location"] == f"/moderation/comments/{comment.pk}/#main"


def test_public_appeal_page_says_what_the_clause_means(fb, fake):
    from django.test import Client

    from steward.platforms.pipeline import appeal_token

    comment = delivered_comment(fake, "My son's bus never came today, nobody at Oliver answers the phone")
    decision = Decision.objects.filter(comment=comment).first()
    decision.clause = "1.8.c"
    decision.save(update_fields=["clause"])
    page = Client().get(f"/moderation/appeal/{appeal_token(decision.pk)}/").content.decode()
    assert "clause 1.8.c" in page and "do not replace the regular channels" in page and "LPShelp@" in page
    es = Client().get(f"/moderation/appeal/{appeal_token(decision.pk)}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "no reemplazan los canales habituales" in es


def test_comment_page_names_the_platform(fb, fake, client_as):
    comment = delivered_comment(fake, "fuck this shit")
    html = client_as("media_officer").get(f"/moderation/comments/{comment.pk}/").content.decode()
    assert f"<dd>Facebook · {comment.comment_id}" in html
    # What the platform offers, in words: "Hide, Unhide, …", not "hide, unhide, private_reply".
    assert "Available on this platform: Hide, Unhide" in html and "private_reply" not in html


def test_the_engines_reasons_are_shown_in_the_readers_language(fb, fake, client_as):
    comment = delivered_comment(fake, "fuck this shit")
    english = escape(Decision.objects.get(comment=comment).evidence["explanation"])
    c = client_as("media_officer")
    html = c.get(f"/moderation/comments/{comment.pk}/").content.decode()
    # In English the engine's own sentence (on the decision and the queue note), and the kind of each matched word in words.
    assert english in html and "(profanity)" in html and "<details>" not in html
    es = c.get(f"/moderation/comments/{comment.pk}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    # In Spanish: the rule, the clause's published wording and the matched words, in Spanish; the
    # recorded English sentence stays available once, marked as English (the queue note is in Spanish).
    assert "Regla lps.profanity.words (cláusula 1.8.b). Lenguaje soez (aunque esté disfrazado)." in es
    assert "Se eliminan los comentarios ofensivos" in es
    assert "Coincidencias: “fuck” (lenguaje soez)" in es
    assert f'<p lang="en">{english}</p>' in es and es.count(english) == 1
