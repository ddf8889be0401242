from django.urls import URLPattern, path

from queueing.views import console, public

# Composed by config/urls.py into the `staff` namespace under staf/.
staff_patterns: list[URLPattern] = [
    path("loket/", console.counters, name="counters"),
    path("loket/<int:counter_id>/", console.console, name="console"),
    path(
        "loket/<int:counter_id>/pintasan/",
        console.console_shortcuts_save,
        name="console-shortcuts",
    ),
]

urlpatterns = [
    path("kios/<slug:office_code>/", public.kiosk, name="kiosk"),
    path("kios/<slug:office_code>/daftar/", public.kiosk_enrol, name="kiosk-enrol"),
    path("kios/<slug:office_code>/tiket/<str:token>/", public.kiosk_ticket, name="kiosk-ticket"),
    path("kantor/<slug:office_code>/antre/", public.take_number, name="take-number"),
    path("antrean/<str:token>/", public.ticket_live, name="ticket-live"),
    path("antrean/<str:token>/nilai/", public.ticket_survey, name="ticket-survey"),
    path("antrean/<str:token>/qr.svg", public.ticket_qr, name="ticket-qr"),
    path("papan/<slug:office_code>/", public.board, name="board"),
    path("papan/<slug:office_code>/feed.json", public.board_feed, name="board-feed"),
]
