"""``steward moderation_pack_check [PACK]``: check an edited rule pack before the district uses it
(it loads, and it removes none of the labeled criticisms)."""

from steward.moderation.management.engine_command import EngineCommand


class Command(EngineCommand):
    help = "Check a rule pack: it loads, and it hides or escalates none of the labeled criticisms."
