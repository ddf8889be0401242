from django.urls import path

from insights import views

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
