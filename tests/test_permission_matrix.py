"""The permission matrix, route by route (issue #2 §5; records-and-law.md J, SEC-2).

Every URL pattern of the people, registry, authorizations and core pages, and every API route of
the same apps, is found by walking the URLconf, so routes added later are covered without editing
this file. Object ids are filled with school B's objects. Then:

- principal_a (leader of school A) gets 403/404 for school B's people, units, accounts and grants,
  reading (GET) and writing (POST, and PATCH/DELETE on the API); lists and forms never show them;
  and no request changes anything of school B's;
- a signed-out visitor is sent to sign-in (pages) or gets 401 (API);
- the outsider (signed in, not on the roster) sees nobody's objects, school A's or school B's.

A route with a parameter this file does not know how to fill fails loudly: add it to ``_FILL``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.db.models import Q
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from steward.authorizations.models import Authorization
from steward.core.models import ApiToken
from steward.people.models import OrgUnit, Person, StaffRole
from steward.registry.models import Account

PAGE_NAMESPACES = ("core", "people", "registry", "authorizations")
# API routes of other apps (moderation, archive, platforms) have their own matrices.
API_EXCLUDE = re.compile(r"^api/(moderation|archive|platforms)/|^api/(openapi\.json|docs|)$")
PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
REFUSED = {403, 404}
# School B's objects as they appear on a page or in JSON; none may reach principal_a or the outsider.
B_MARKERS = ("OliverHiddenPage", "Almonte", "Delgado", "Nguyen", "B-only posting purpose")
A_MARKERS = ("LancersVisiblePage", "Priya", "Yamilet", "A-side posting purpose")


@dataclass(frozen=True)
class Route:
    namespace: str
    route: str
    name: str

    @property
    def params(self) -> list[str]:
        return [m.group("name") for m in PARAM.finditer(self.route)]

    @property
    def is_api(self) -> bool:
        return self.namespace == "api"

    def __str__(self) -> str:
        return f"{self.namespace}:{self.name} {self.route}"


def _walk(patterns: list[Any], prefix: str = "", namespace: str | None = None) -> list[Route]:
    routes = []
    for p in patterns:
        if isinstance(p, URLResolver):
            routes += _walk(p.url_patterns, prefix + str(p.pattern), p.namespace or namespace)
        elif isinstance(p, URLPattern) and namespace:
            routes.append(Route(namespace, prefix + str(p.pattern), p.name or ""))
    return routes


def _routes() -> list[Route]:
    seen: dict[str, Route] = {}
    for r in _walk(get_resolver().url_patterns):
        if r.namespace in PAGE_NAMESPACES or (r.namespace == "api" and not API_EXCLUDE.search(r.route)):
            seen.setdefault(r.route, r)  # the API has one route per path for several methods
    return list(seen.values())


ROUTES = _routes()
PAGES = [r for r in ROUTES if not r.is_api]
API = [r for r in ROUTES if r.is_api]
OBJECT_PAGES = [r for r in PAGES if r.params]
LIST_PAGES = [r for r in PAGES if not r.params]
OBJECT_API = [r for r in API if r.params]
LIST_API = [r for r in API if not r.params]


@dataclass
class World:
    school_b: OrgUnit
    account_b: Account
    grant_b: Authorization
    token_b: ApiToken
    account_a: Account
    grant_a: Authorization
    token_a: str  # principal_a's API token
    outsider_token: str


@pytest.fixture
def world(lps: Any) -> World:
    from steward.core.services import api_token_create

    now = timezone.now()
    account_b = Account.objects.create(
        platform="facebook", handle="OliverHiddenPage", display_name="Oliver hidden page", owning_unit=lps.school_b,
        kind="school", status="registered", responsible_administrator=lps.principal_b,
    )
    account_b.managers.add(lps.staff_b)
    grant_b = Authorization.objects.create(
        grantor=lps.principal_b, grantee=lps.staff_b, account=account_b, purpose="B-only posting purpose",
        valid_from=now, attestation_name="Rosa Delgado", attestation_at=now, attestation_address="10.0.0.2",
    )
    account_a = Account.objects.create(
        platform="instagram", handle="LancersVisiblePage", display_name="Lancers visible page", owning_unit=lps.team_a,
        kind="team", status="registered", responsible_administrator=lps.principal_a, advisor=lps.coach_a,
    )
    account_a.managers.add(lps.teacher_a)
    grant_a = Authorization.objects.create(
        grantor=lps.principal_a, grantee=lps.teacher_a, account=account_a, purpose="A-side posting purpose",
        valid_from=now, attestation_name="Daniel Murphy", attestation_at=now, attestation_address="10.0.0.1",
    )
    token_b, _ = api_token_create(actor=lps.user("principal_b"), user=lps.user("principal_b"), name="B's token")
    _, token_a = api_token_create(actor=lps.user("principal_a"), user=lps.user("principal_a"), name="A's token")
    _, outsider_token = api_token_create(actor=lps.outsider, user=lps.outsider, name="outsider")
    return World(lps.school_b, account_b, grant_b, token_b, account_a, grant_a, token_a, outsider_token)


# --- filling URL parameters ---------------------------------------------------------------------

def _kind_of(route: Route, param: str) -> str:
    """Which object a parameter names: by its own name, else by the route's name and path."""
    for key in ("person", "account", "grant", "unit", "import", "token"):
        if key in param:
            return key
    if param in ("pk", "id"):
        text = f"{route.name} {route.route}"
        for key, words in [
            ("token", ("token",)), ("import", ("import",)), ("unit", ("unit",)), ("person", ("person", "people")),
            ("grant", ("grant", "authorization")), ("account", ("account",)),
        ]:
            if any(w in text for w in words):
                return key
    if param == "action":
        return "action"
    raise AssertionError(f"{route}: don't know how to fill <{param}>; add it to _kind_of")


def _fill(route: Route, objects: dict[str, Any], action: str = "retire") -> str:
    def value(match: re.Match[str]) -> str:
        kind = _kind_of(route, match.group("name"))
        return action if kind == "action" else str(objects[kind].pk)

    return "/" + PARAM.sub(value, route.route)


def _objects_of_b(lps: Any, world: World) -> dict[str, Any]:
    from steward.people.models import Person as P

    class _NoImport:
        pk = 999999  # an import nobody but district-wide roles may see; none with this id

    return {"person": P.objects.get(pk=lps.staff_b.pk), "account": world.account_b, "grant": world.grant_b,
            "unit": world.school_b, "import": _NoImport(), "token": world.token_b}


def _objects_of_a(lps: Any, world: World) -> dict[str, Any]:
    class _NoImport:
        pk = 999999

    return {"person": lps.teacher_a, "account": world.account_a, "grant": world.grant_a, "unit": lps.school_a,
            "import": _NoImport(), "token": ApiToken.objects.get(name="A's token")}


def _actions(route: Route) -> list[str]:
    return ["register", "suspend", "retire", "reinstate"] if "action" in route.params else ["retire"]


# --- what school B has, before and after --------------------------------------------------------

def _state_of_b(lps: Any) -> Any:
    b = lps.school_b.path
    accounts = Account.objects.filter(Q(owning_unit__path__startswith=b) | Q(handle_key__startswith="matrix"))
    grants = Authorization.objects.filter(
        Q(account__owning_unit__path__startswith=b) | Q(unit__path__startswith=b) | Q(grantee__in=[lps.staff_b, lps.principal_b])
        | Q(grantor__in=[lps.staff_b, lps.principal_b]) | Q(student=lps.student_b)
    )
    people = Person.objects.filter(pk__in=[lps.staff_b.pk, lps.principal_b.pk, lps.student_b.pk])
    return (
        sorted(map(repr, accounts.values())),
        sorted((a.pk, sorted(a.managers.values_list("pk", flat=True))) for a in accounts),
        sorted(map(repr, grants.values())),
        sorted(map(repr, people.values())),
        sorted(map(repr, StaffRole.objects.filter(person__in=people).values())),
        sorted(map(repr, OrgUnit.objects.filter(path__startswith=b).values())),
        sorted(map(repr, ApiToken.objects.filter(user=lps.user("principal_b")).values())),
    )


def _write_payloads(lps: Any, world: World) -> list[dict[str, Any]]:
    """Form and JSON bodies aimed at school B: create an account there, grant on its account,
    add a manager, change a person."""
    b = lps.school_b.pk
    return [
        {"platform": "instagram", "handle": "matrix_probe", "url": "", "display_name": "Matrix probe", "owning_unit": b,
         "owning_unit_id": b, "kind": "school", "purpose": "probe", "responsible_administrator": lps.principal_b.pk,
         "responsible_administrator_id": lps.principal_b.pk, "register": "on", "reason": "probe"},
        {"kind": "posting", "grantor": lps.principal_b.pk, "grantor_id": lps.principal_b.pk, "grantee": lps.staff_b.pk,
         "grantee_id": lps.staff_b.pk, "account": world.account_b.pk, "account_id": world.account_b.pk,
         "unit": b, "unit_id": b, "scope": "account", "purpose": "probe", "attestation_name": "Daniel Murphy",
         "reason": "probe", "valid_from": "", "valid_until": ""},
        {"person": lps.staff_b.pk, "person_id": lps.staff_b.pk, "manager": lps.teacher_a.pk, "reason": "probe",
         "display_name": "Renamed by A", "given_name": "Hacked", "active": "", "name": "probe"},
    ]


# --- pages ---------------------------------------------------------------------------------------

def _shows(response: Any, markers: tuple[str, ...]) -> list[str]:
    body = response.content.decode(errors="replace")
    return [m for m in markers if m in body]


@pytest.mark.parametrize("route", OBJECT_PAGES, ids=str)
def test_principal_a_cannot_read_school_b_objects(client_as: Any, lps: Any, world: World, route: Route) -> None:
    client = client_as("principal_a")
    for action in _actions(route):
        url = _fill(route, _objects_of_b(lps, world), action)
        response = client.get(url)
        assert response.status_code in REFUSED | {405}, f"GET {url} -> {response.status_code}"
        assert not _shows(response, B_MARKERS), f"GET {url} shows {_shows(response, B_MARKERS)}"


@pytest.mark.parametrize("route", OBJECT_PAGES, ids=str)
def test_principal_a_cannot_change_school_b_objects(client_as: Any, lps: Any, world: World, route: Route) -> None:
    client = client_as("principal_a")
    before = _state_of_b(lps)
    for action in _actions(route):
        url = _fill(route, _objects_of_b(lps, world), action)
        for data in _write_payloads(lps, world):
            response = client.post(url, data)
            assert response.status_code in REFUSED | {405}, f"POST {url} -> {response.status_code}"
    assert _state_of_b(lps) == before


@pytest.mark.parametrize("route", LIST_PAGES, ids=str)
def test_principal_a_lists_and_forms_show_nothing_of_school_b(client_as: Any, lps: Any, world: World, route: Route) -> None:
    client = client_as("principal_a")
    url = _fill(route, {})
    response = client.get(url)
    assert response.status_code < 500, f"GET {url} -> {response.status_code}"
    assert not _shows(response, B_MARKERS), f"GET {url} shows {_shows(response, B_MARKERS)}"
    # Filters and searches aimed at school B find nothing either.
    # (Search for what is not itself a marker: a search box shows back what was typed.)
    for query in ({"q": "José"}, {"q": "Oliver"}, {"unit": lps.school_b.pk}, {"owning_unit": lps.school_b.pk},
                  {"account": world.account_b.pk}, {"person": lps.staff_b.pk}):
        response = client.get(url, query)
        assert response.status_code < 500, f"GET {url} {query} -> {response.status_code}"
        assert not _shows(response, B_MARKERS), f"GET {url} {query} shows {_shows(response, B_MARKERS)}"


# Any staff member may report an unregistered account of any unit (issue #2 §3): it becomes a
# *requested* entry that the reporter cannot see or change afterwards. That is the one write aimed
# at school B that principal_a may make.
REPORT_ROUTES = {"registry:account_report"}


@pytest.mark.parametrize("route", LIST_PAGES, ids=str)
def test_principal_a_cannot_create_for_school_b(client_as: Any, lps: Any, world: World, route: Route) -> None:
    client = client_as("principal_a")
    before = _state_of_b(lps)
    url = _fill(route, {})
    for data in _write_payloads(lps, world):
        response = client.post(url, data)
        assert response.status_code < 500, f"POST {url} -> {response.status_code}"
        assert not _shows(response, B_MARKERS[:1]), f"POST {url} shows school B's account"
    if f"{route.namespace}:{route.name}" in REPORT_ROUTES:
        reported = Account.objects.filter(handle_key__startswith="matrix")
        assert all(a.status == "requested" for a in reported)
        assert not Authorization.objects.filter(account__in=reported).exists()
        for account in reported:
            assert client.get(f"/accounts-registry/{account.pk}/").status_code in REFUSED | {200}
        reported.delete()
    assert _state_of_b(lps) == before


@pytest.mark.parametrize("route", PAGES, ids=str)
def test_signed_out_visitors_are_sent_to_sign_in(lps: Any, world: World, route: Route) -> None:
    before = _state_of_b(lps)
    for action in _actions(route)[:1]:
        url = _fill(route, _objects_of_b(lps, world), action)
        for method in ("get", "post"):
            response = getattr(Client(), method)(url)
            if response.status_code == 405:
                continue  # the route does not take this method: nothing was shown or done
            assert response.status_code == 302 and response.url.startswith("/accounts/login/"), (
                f"{method.upper()} {url} -> {response.status_code}"
            )
    assert _state_of_b(lps) == before


@pytest.mark.parametrize("route", PAGES, ids=str)
def test_the_outsider_sees_nothing(client_as: Any, lps: Any, world: World, route: Route) -> None:
    client = client_as("outsider")
    before = _state_of_b(lps)
    for objects in (_objects_of_a(lps, world), _objects_of_b(lps, world)):
        url = _fill(route, objects, _actions(route)[0])
        response = client.get(url)
        if route.params:
            assert response.status_code in REFUSED | {405}, f"GET {url} -> {response.status_code}"
        else:
            assert response.status_code < 500
        assert not _shows(response, A_MARKERS + B_MARKERS), f"GET {url} shows {_shows(response, A_MARKERS + B_MARKERS)}"
        if route.params:
            response = client.post(url, _write_payloads(lps, world)[0])
            assert response.status_code in REFUSED | {405}, f"POST {url} -> {response.status_code}"
    assert _state_of_b(lps) == before


# --- API -----------------------------------------------------------------------------------------

def _api(token: str | None) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}


def _api_call(client: Client, method: str, url: str, token: str | None, data: dict[str, Any] | None = None) -> Any:
    if method in ("get", "delete"):
        return getattr(client, method)(url, **_api(token))
    return getattr(client, method)(url, data or {}, content_type="application/json", **_api(token))


@pytest.mark.parametrize("route", OBJECT_API, ids=str)
def test_api_principal_a_cannot_read_or_change_school_b(lps: Any, world: World, route: Route) -> None:
    client = Client()
    before = _state_of_b(lps)
    url = _fill(route, _objects_of_b(lps, world))
    response = _api_call(client, "get", url, world.token_a)
    assert response.status_code in REFUSED | {405}, f"GET {url} -> {response.status_code}"
    assert not _shows(response, B_MARKERS)
    for method in ("post", "patch", "put", "delete"):
        for data in _write_payloads(lps, world):
            response = _api_call(client, method, url, world.token_a, data)
            assert response.status_code in REFUSED | {405, 422}, f"{method.upper()} {url} -> {response.status_code}"
            assert not _shows(response, B_MARKERS[:1])
    assert _state_of_b(lps) == before


@pytest.mark.parametrize("route", LIST_API, ids=str)
def test_api_principal_a_lists_nothing_of_school_b_and_cannot_create_there(lps: Any, world: World, route: Route) -> None:
    client = Client()
    before = _state_of_b(lps)
    url = _fill(route, {})
    for query in ({}, {"q": "José"}, {"q": "Oliver"},
                  {"unit": lps.school_b.pk}, {"unit_id": lps.school_b.pk}, {"account_id": world.account_b.pk},
                  {"person_id": lps.staff_b.pk}, {"student_id": lps.student_b.pk}):
        response = client.get(url, query, **_api(world.token_a))
        assert response.status_code < 500, f"GET {url} {query} -> {response.status_code}"
        assert not _shows(response, B_MARKERS), f"GET {url} {query} shows {_shows(response, B_MARKERS)}"
    for method in ("post", "patch", "put", "delete"):
        for data in _write_payloads(lps, world):
            response = _api_call(client, method, url, world.token_a, data)
            assert response.status_code < 500, f"{method.upper()} {url} -> {response.status_code}"
            assert response.status_code not in (200, 201) or not _shows(response, B_MARKERS[:1])
    assert _state_of_b(lps) == before


@pytest.mark.parametrize("route", API, ids=str)
def test_api_needs_a_token(lps: Any, world: World, route: Route) -> None:
    url = _fill(route, _objects_of_b(lps, world))
    for method in ("get", "post", "patch", "delete"):
        response = _api_call(Client(), method, url, None, {})
        assert response.status_code in (401, 405), f"{method.upper()} {url} -> {response.status_code}"


@pytest.mark.parametrize("route", API, ids=str)
def test_api_outsider_sees_nothing(lps: Any, world: World, route: Route) -> None:
    client = Client()
    before = _state_of_b(lps)
    for objects in (_objects_of_a(lps, world), _objects_of_b(lps, world)):
        url = _fill(route, objects)
        response = _api_call(client, "get", url, world.outsider_token)
        if route.params:
            assert response.status_code in REFUSED | {405}, f"GET {url} -> {response.status_code}"
        assert not _shows(response, A_MARKERS + B_MARKERS), f"GET {url} shows {_shows(response, A_MARKERS + B_MARKERS)}"
        response = _api_call(client, "post", url, world.outsider_token, _write_payloads(lps, world)[0])
        assert response.status_code in REFUSED | {405, 422}, f"POST {url} -> {response.status_code}"
    assert _state_of_b(lps) == before


# --- the matrix itself is complete ---------------------------------------------------------------

def test_the_matrix_found_the_routes() -> None:
    names = {f"{r.namespace}:{r.name}" for r in ROUTES}
    for expected in ["core:dashboard", "registry:account_detail", "authorizations:grant_detail", "people:person_detail"]:
        assert expected in names, f"{expected} is missing from the URLconf walk"
    assert OBJECT_API and LIST_API


def test_principal_a_still_sees_school_a(client_as: Any, lps: Any, world: World) -> None:
    """The refusals above are about school B, not a broken page: the same routes work for A."""
    client = client_as("principal_a")
    for route in OBJECT_PAGES:
        if route.name in ("account_detail", "grant_detail", "person_detail", "unit_detail"):
            url = _fill(route, _objects_of_a(lps, world))
            assert client.get(url).status_code == 200, url
    for route in OBJECT_API:
        if route.name in ("account_read", "grant_read", "person_read", "unit_read"):
            url = _fill(route, _objects_of_a(lps, world))
            assert client.get(url, **_api(world.token_a)).status_code == 200, url
