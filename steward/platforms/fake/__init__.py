"""A local fake of the platform APIs and their webhooks; see :mod:`.server`."""

from steward.platforms.fake.server import Delivery, FakePlatforms, Fault

__all__ = ["Delivery", "FakePlatforms", "Fault"]
