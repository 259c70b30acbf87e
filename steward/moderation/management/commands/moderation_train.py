"""``steward moderation_train``: train the moderation model from ../shared/data and the school set."""

from steward.moderation.management.engine_command import EngineCommand


class Command(EngineCommand):
    help = "Train the moderation engine's linear model and write the artifact beside its metrics."
