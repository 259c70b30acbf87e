"""``steward api_token USERNAME --name NAME``: make an API token and print it once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from steward.core.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print it (it is stored only as its SHA-256)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What the token is for, e.g. 'SIS sync'.")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {username!r}.")
        token, secret = api_token_create(actor=f"command line ({username})", user=user, name=name)
        self.stderr.write(f"Token {token.name!r} for {username}. It will not be shown again; use it as")
        self.stderr.write("  Authorization: Bearer <token>")
        self.stdout.write(secret)
