from django.urls import URLPattern, path

from ballots.views import pages

# Composed by config/urls.py into the `staff` namespace under staf/.
staff_patterns: list[URLPattern] = [
    path("undian/<int:ballot_id>/", pages.ballot_staff_page, name="ballot"),
]

urlpatterns = [
    path(
        "kantor/<slug:office_code>/layanan/<slug:service_code>/undian/",
        pages.ballot_round_page,
        name="ballot-round",
    ),
    path("undian/entri/<str:token>/", pages.ballot_entry_page, name="ballot-entry"),
    path("undian/<int:ballot_id>/hasil.json", pages.ballot_published, name="ballot-published"),
]
