"""Pages in Spanish: from the browser's Accept-Language, or chosen with the language switcher."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.test import Client
from django.urls import reverse

LOCALE = Path(settings.BASE_DIR) / "steward" / "locale" / "es" / "LC_MESSAGES"


def test_catalog_is_committed_and_complete():
    po = (LOCALE / "django.po").read_text(encoding="utf-8")
    assert (LOCALE / "django.mo").exists()
    import re

    # Every message has a translation (the header's empty msgid aside), none marked fuzzy.
    entries = re.findall(r'msgstr ""\n\n', po)
    assert len(entries) <= 1, f"{len(entries) - 1} messages without a translation"
    assert "#, fuzzy" not in po.split("\n\n", 1)[1]


def test_dashboard_in_spanish_from_accept_language(client_as):
    client = client_as("media_officer")
    response = client.get(reverse("core:dashboard"), HTTP_ACCEPT_LANGUAGE="es-US,es;q=0.9,en;q=0.5")
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert "Panel principal" in html
    assert "Cuentas por estado y plataforma" in html
    assert "Ir al contenido principal" in html  # the skip link
    assert "Dashboard" not in html.split("<main", 1)[1]


def test_language_switcher(client_as):
    client = client_as("teacher_a")
    response = client.post(reverse("set_language"), {"language": "es", "next": reverse("core:dashboard")})
    assert response.status_code == 302
    html = client.get(reverse("core:dashboard")).content.decode()
    assert '<html lang="es">' in html and "Panel principal" in html
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get(reverse("core:dashboard")).content.decode()


def test_sign_in_page_in_spanish(db):
    html = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Iniciar sesión en Steward" in html
    assert "Nombre de usuario o correo electrónico" in html
