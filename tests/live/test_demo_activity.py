"""The demo feed goes through the real path: archive, engine, queue; criticism is kept."""

import pytest
from django.core.management import call_command

from steward.archive.models import Record
from steward.moderation.models import Comment, Decision
from steward.platforms.management.commands.demo_activity import THREADS


@pytest.mark.django_db(transaction=False)
def test_demo_activity_archives_and_judges_every_comment(django_capture_on_commit_callbacks):
    call_command("demo_district", students=40, verbosity=0)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo_activity", accounts=1, verbosity=0)

    per_account = sum(len(thread) for _, thread in THREADS)
    assert Comment.objects.count() == per_account
    assert Record.objects.filter(kind="post").count() == len(THREADS)
    assert Record.objects.filter(kind="comment", version="created").count() == per_account

    def category(text: str) -> str:
        return Decision.objects.filter(comment__text=text).latest("pk").category

    assert category("Cutting art teachers again is shameful. Our kids deserve better.") in ("", "ok")
    assert category("Whoever approved the new start times never rode a city bus.") in ("", "ok")
    assert category("This budget is a f***ing joke and so are all of you") in ("profanity", "offensive")
    # Comments are judged against their post (1.8.d), as on the live path: the campaign ad is off
    # topic under the budget hearing's post, not merely "no post known".
    ad = Decision.objects.filter(comment__text__startswith="Vote Jim Kelly").latest("pk")
    assert (ad.category, ad.evidence["rule_id"]) == ("off_topic", "lps.offtopic.post")
    # A comment edited by its author has two versions in the archive; one was deleted by its author.
    edited = Record.objects.filter(kind="comment", text__startswith="The school committee is out of touch")
    assert sorted(edited.values_list("version", flat=True)) == ["created", "edited"]
    assert Record.objects.filter(kind="comment", version="deleted_by_author").count() == 1

    # --if-empty leaves a fed archive alone.
    call_command("demo_activity", if_empty=True, verbosity=0)
    assert Comment.objects.count() == per_account
