"""Texts found in English on Spanish pages during the quality pass."""

from __future__ import annotations

from django.urls import reverse

from steward.authorizations import services
from tests.registry.helpers import registered


def test_unit_scope_and_connection_page_in_spanish(client_as, lps, settings):
    services.grant_create(actor=lps.user("principal_a"), grantor=lps.principal_a, grantee=lps.teacher_a,
                          unit=lps.school_a, purpose="Noticias", attestation_name="Daniel Murphy", remote_addr="192.0.2.10")  # fmt: skip
    html = client_as("principal_a").get(reverse("authorizations:grant_list"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Lawrence High School y todo lo que depende de ella" in html and "and everything under it" not in html

    account = registered(lps, "school_a", platform="facebook", handle="LawrenceHighSchool")
    page = client_as("media_officer").get(reverse("platforms:connection_edit", args=[account.pk]),
                                          HTTP_ACCEPT_LANGUAGE="es").content.decode()  # fmt: skip
    assert "Iniciar sesión con la plataforma" in page and "O pegue un token" in page
