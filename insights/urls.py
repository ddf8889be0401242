from django.urls import URLPattern, path

from insights import staff_views, views

urlpatterns = [
    path(
        "kantor/<slug:code>/kinerja/",
        views.office_performance_page,
        name="office-performance",
    ),
    path(
        "kantor/<slug:code>/kinerja.json",
        views.office_performance_json,
        name="office-performance-json",
    ),
    path(
        "kantor/<slug:code>/kinerja.csv",
        views.office_performance_csv_file,
        name="office-performance-csv",
    ),
]

# Under staf/, in the `staff` namespace (config/urls.py).
staff_patterns: list[URLPattern] = [
    path("kinerja/", staff_views.office_dashboard, name="insights-dashboard"),
    path("kinerja/nasional/", staff_views.national_dashboard, name="insights-national"),
    path("kinerja/data.csv", staff_views.dashboard_csv, name="insights-csv"),
    path(
        "kinerja/rekomendasi/",
        staff_views.recommendation_apply_view,
        name="insights-recommendation-apply",
    ),
]
