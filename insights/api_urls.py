from django.urls import path

from insights import api

urlpatterns = [
    path(
        "offices/<slug:code>/performance/",
        api.OfficePerformance.as_view(),
        name="api-office-performance",
    ),
]
