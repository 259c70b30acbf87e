"""Refusals and missing pages keep the site's header, say why in the reader's language and lead
back to the dashboard (Django's bare English "403 Forbidden" did neither)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse


def test_forbidden_page_explains_and_leads_back(client_as, lps):
    r = client_as("teacher_a").get(reverse("registry:account_create"))
    html = r.content.decode()
    assert r.status_code == 403
    assert "You may not do this" in html and 'href="/"' in html and 'class="site-header"' in html
    es = client_as("teacher_a").get(reverse("registry:account_create"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "No puede hacer esto" in es


def test_not_found_page(client_as, lps):
    r = client_as("principal_b").get("/accounts-registry/999999/")
    assert r.status_code == 404 and "Nothing here" in r.content.decode()


def test_server_error_page_needs_no_context():
    html = render_to_string("500.html")
    assert "Something went wrong" in html and "Algo salió mal" in html
