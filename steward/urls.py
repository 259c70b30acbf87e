from django.contrib import admin
from django.urls import include, path

from steward.api import api
from steward.core.views import healthz

urlpatterns = [
    path("", include("steward.core.urls")),
    path("people/", include("steward.people.urls")),
    path("accounts-registry/", include("steward.registry.urls")),
    path("authorizations/", include("steward.authorizations.urls")),
    path("moderation/", include("steward.moderation.urls")),
    path("archive/", include("steward.archive.urls")),
    path("platforms/", include("steward.platforms.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]
