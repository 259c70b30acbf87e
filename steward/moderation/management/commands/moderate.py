"""``steward moderate FILE|-``: judge comments from JSON Lines or CSV; needs no database."""

from steward.moderation.management.engine_command import EngineCommand


class Command(EngineCommand):
    help = "Judge comments (JSON Lines or CSV with id, text, post, lang, account); one JSON line each."
