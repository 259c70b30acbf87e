"""``steward moderate_eval FILE``: per-category figures of the engine against a ``label`` column."""

from steward.moderation.management.engine_command import EngineCommand


class Command(EngineCommand):
    help = "Evaluate the moderation engine on labeled comments (precision, recall, F1, confusion)."
