"""Errors that services raise; pages and the API show them with the clause they cite."""

from __future__ import annotations


class PolicyViolation(Exception):
    """A change the policy does not allow. ``clause`` names the clause (CLAUSES.md)."""

    def __init__(self, message: str, *, clause: str = "", field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.clause = clause
        self.field = field

    def __str__(self) -> str:
        prefix = f"[{self.clause}] " if self.clause else ""
        return f"{prefix}{self.message}"


class NotPermitted(Exception):
    """The acting user may not see or change this object."""
