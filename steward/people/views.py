"""Pages (placeholder until the app's views land)."""

from django.http import HttpRequest, HttpResponse


def placeholder(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Not built yet.", status=501)
