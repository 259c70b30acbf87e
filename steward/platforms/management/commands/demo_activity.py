"""Feed the demo district's pages with public activity: posts and comments that go through the
same path as a poller's observations — stored event → archive → engine verdict → action — so the
archive, the moderation queue and the live status page have something to show.

The demo accounts have no platform connection, so the actions the engine asks for wait on the live
status page as "not connected": that is what a district sees before it connects an account.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zlib
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from steward.platforms.base import PlatformAuthor, PlatformComment, Verb
from steward.platforms.models import Post

# (post text, [(author, comment), ...]) — written for the demo, in the shape of district pages.
THREADS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Reminder: the School Committee budget hearing is Thursday at 6 pm at the high school "
        "auditorium. Spanish interpretation will be provided.",
        [
            ("Carmen Liriano", "Cutting art teachers again is shameful. Our kids deserve better."),
            ("Mike D.", "The school committee is out of touch with working parents. Hold it at 7 so we can come."),
            ("Yokasta R.", "¿Habrá cuido de niños durante la reunión? Gracias por la interpretación."),
            ("Brian T.", "This budget is a f***ing joke and so are all of you"),
            ("Sandra P.", "My son's IEP meeting got cancelled twice and nobody from Oliver calls me back."),
            ("Vote Jim Kelly", "Vote Jim Kelly for state rep on Tuesday! Lower taxes, safer streets."),
        ],
    ),
    (
        "Congratulations to the Lancers girls basketball team on a 58-41 win over Central Catholic!",
        [
            ("Luis A.", "We murdered them out there! That dunk in the third was nasty 🔥"),
            ("Ana M.", "¡Qué orgullo! Felicidades a las muchachas y al coach."),
            ("anon4471", "hope nobody finds out where the ref parks after that call"),
            ("Deals4U", "Cheap Jordans 80% off, DM me or visit kicks-outlet dot biz"),
            ("Rosa V.", "Great game! Is the booster club still selling the Lancers hoodies for the trip?"),
        ],
    ),
    (
        "Buses: starting Monday, route 14 will pick up at Essex St and Jackson St at 7:05 am.",
        [
            ("Pedro G.", "Whoever approved the new start times never rode a city bus."),
            ("Kelly O.", "Route 14 left my daughter at the stop again today, she waited 40 minutes in the cold"),
            ("Jhonny P.", "esto es una mierda, el bus nunca llega a tiempo"),
            ("Lost Dog Lawrence", "Lost dog near Essex St, brown pit mix named Coco, please call if seen"),
            ("Marisol F.", "Gracias por avisar con tiempo. ¿El horario de la tarde también cambia?"),
        ],
    ),
]


#: Later changes by the comments' own authors (thread, comment, new text or None for a deletion), so
#: the archive shows a comment's versions side by side and a comment its author deleted.
CHANGES: dict[tuple[int, int], str | None] = {
    (0, 1): "The school committee is out of touch with working parents. Hold it at 7 so we can come. "
            "Edit: thank you for adding the Spanish interpretation.",
    (2, 3): None,  # the dog was found
}


class Command(BaseCommand):
    help = "Feed demo posts and comments through the archive and the moderation engine."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="do nothing if the archive has records")
        parser.add_argument("--accounts", type=int, default=3, help="how many registered Facebook pages to use")

    def handle(self, *args: Any, if_empty: bool, accounts: int, **options: Any) -> None:
        from steward.archive.models import Record
        from steward.archive.services import record_append
        from steward.platforms.pipeline import observation_store
        from steward.registry.models import Account
        from steward.registry.services import account_update

        if if_empty and Record.objects.exists():
            self.stdout.write("The archive already has records; no demo activity added.")
            return
        pages = list(
            Account.objects.filter(platform="facebook", status=Account.Status.REGISTERED).order_by("pk")[:accounts]
        )
        if not pages:
            raise CommandError("No registered Facebook account: run `steward demo_district` first.")
        media = get_user_model().objects.filter(is_superuser=True).first() or self._district_user()
        start = timezone.now() - dt.timedelta(days=len(pages) * len(THREADS))
        comments = 0
        for p, account in enumerate(pages):
            if not account.platform_account_id:
                account = account_update(actor=media, account=account, platform_account_id=f"1000{account.pk:06d}")
            for t, (post_text, thread) in enumerate(THREADS):
                post_id = f"{account.platform_account_id}_{p}{t}"
                posted = start + dt.timedelta(days=p * len(THREADS) + t)
                record_append(
                    kind=Record.Kind.POST, platform="facebook", source=Record.Source.POLL, account=account,
                    platform_id=post_id, author_id=account.platform_account_id, author_name=account.display_name,
                    text=post_text, created_at=posted,
                    raw_payload={"id": post_id, "message": post_text, "created_time": posted.isoformat()},
                )
                # The post's text is what its comments are judged against (off topic, 1.8.d), as the
                # live path keeps it from a post event.
                Post.objects.update_or_create(account=account, post_id=post_id,
                                              defaults={"text": post_text, "created_at": posted})  # fmt: skip
                for c, (author, text) in enumerate(thread):
                    comment = PlatformComment(
                        platform="facebook", id=f"{post_id}_{c}", post_id=post_id, parent_id=post_id,
                        author=PlatformAuthor(id=f"9{zlib.crc32(author.encode()):09d}", name=author), text=text,
                        created_at=posted + dt.timedelta(minutes=7 * (c + 1)),
                    )
                    observation_store(account=account, comment=comment, verb=Verb.ADD, source="poll")
                    comments += 1
                    if (t, c) not in CHANGES:
                        continue
                    if (new_text := CHANGES[t, c]) is None:
                        observation_store(account=account, comment=None, verb=Verb.REMOVE,
                                          comment_id=comment.id, source="poll")  # fmt: skip
                    else:
                        edited = dataclasses.replace(comment, text=new_text)
                        observation_store(account=account, comment=edited, verb=Verb.EDIT, source="poll")
        self.stdout.write(
            f"Demo activity: {len(pages) * len(THREADS)} posts and {comments} comments archived and judged "
            f"on {len(pages)} accounts."
        )

    def _district_user(self) -> Any:
        from steward.people.models import StaffRole

        role = StaffRole.objects.filter(role="communications", person__user__isnull=False).first()
        if role is None:
            raise CommandError("No communications office user to record the demo changes.")
        return role.person.user
