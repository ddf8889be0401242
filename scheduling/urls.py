from django.urls import URLPattern, path

from scheduling import views

# Composed by config/urls.py into the `staff` namespace under staf/.
staff_patterns: list[URLPattern] = [
    path("kantor/<slug:office_code>/kapasitas/", views.capacity_day, name="capacity"),
    path("kantor/<slug:office_code>/rencana/", views.plan_days, name="plan-days"),
    path("kantor/<slug:office_code>/rencana/<str:day>/", views.plan_day, name="plan-day"),
    path(
        "kantor/<slug:office_code>/rencana/<str:day>/status/",
        views.plan_day_status,
        name="plan-day-status",
    ),
]
