"""Steward: a school district's social media, run the way its policy says."""

__version__ = "0.1.0"
