from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import JavaScriptCatalog, set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from anticalo import urls as anticalo_urls
from assistant import urls as assistant_urls
from ballots import urls as ballots_urls
from booking import urls as booking_urls
from complaints import urls as complaints_urls
from core import views as core_views
from insights import urls as insights_urls
from notifications import urls as notifications_urls
from offices import urls as offices_urls
from queueing import urls as queueing_urls
from releases import urls as releases_urls
from scheduling import urls as scheduling_urls

api_patterns: list[URLPattern | URLResolver] = [
    path("v1/", include("offices.api_urls")),
    path("v1/", include("releases.api_urls")),
    path("v1/", include("booking.api.urls")),
    path("v1/", include("ballots.api.urls")),
    path("v1/", include("queueing.api_urls")),
    path("v1/", include("privacy.api_urls")),
    path("v1/", include("complaints.api_urls")),
    path("v1/", include("assistant.api_urls")),
    path("v1/", include("insights.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file, not inline, so
    # scripts stay 'self' only. Swagger UI draws its icons as data: images and injects
    # <style> elements as it renders: this page alone allows those two.
    path(
        "docs/",
        csp_update({"img-src": [SELF, "data:"], "style-src": [UNSAFE_INLINE]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
]

# Staff pages of every app, under staf/ in one `staff` namespace ({% url 'staff:…' %}):
# each app owns its patterns, this is the one place that puts them together.
staff_patterns = (
    [
        *offices_urls.staff_patterns,
        *booking_urls.staff_patterns,
        *releases_urls.staff_patterns,
        *scheduling_urls.staff_patterns,
        *anticalo_urls.staff_patterns,
        *notifications_urls.staff_patterns,
        *queueing_urls.staff_patterns,
        *complaints_urls.staff_patterns,
        *assistant_urls.staff_patterns,
        *ballots_urls.staff_patterns,
        *insights_urls.staff_patterns,
    ],
    "staff",
)

urlpatterns = [
    path("api/", include(api_patterns)),
    path("healthz/", core_views.health, name="health"),
    path("webhooks/", include("assistant.webhook_urls")),
]

# Pages live under a language prefix for English (/en/…) and none for Bahasa Indonesia,
# so every page has a stable, shareable address per language.
# The language switch sits under the prefix too: it must resolve the page it came from
# in that page's language before it can translate the address.
urlpatterns += i18n_patterns(
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("staf/2fa/", include("twofactor.urls")),
    path("staf/passkey/", include("django_otp_webauthn.urls")),
    path("staf/audit/", include("audit.urls")),
    path("staf/", include(staff_patterns)),
    path("", include("offices.urls")),
    path("", include("releases.urls")),
    path("", include("booking.urls")),
    path("", include("ballots.urls")),
    path("", include("queueing.urls")),
    path("", include("privacy.urls")),
    path("", include("complaints.urls")),
    path("", include("assistant.urls")),
    path("", include("insights.urls")),
    prefix_default_language=False,
)

if settings.GILIRAN_BENCHMARK_VIEWS:
    urlpatterns.append(path("bench/hello/", core_views.hello, name="bench-hello"))

handler400 = "core.views.bad_request"
handler404 = "core.views.not_found"
handler500 = "core.views.server_error"
