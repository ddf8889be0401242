from django.urls import URLPattern, path

from booking.views import booking_flow, manage, privacy, staff, waitlist

# Composed by config/urls.py into the `staff` namespace under staf/.
staff_patterns: list[URLPattern] = [
    path("kantor/<slug:office_code>/pesan/", staff.staff_book_start, name="book-start"),
    path(
        "kantor/<slug:office_code>/pesan/<slug:service_code>/",
        staff.staff_book_calendar,
        name="book-calendar",
    ),
    path(
        "kantor/<slug:office_code>/pesan/waktu/<int:slot_id>/",
        staff.staff_book_details,
        name="book-details",
    ),
    path("data-pribadi/", privacy.data_map_page, name="data-map"),
    path("data-pribadi/retensi/", privacy.retention_page, name="retention"),
]

urlpatterns = [
    path(
        "kantor/<slug:office_code>/layanan/<slug:service_code>/",
        booking_flow.book_calendar,
        name="book-calendar",
    ),
    path(
        "kantor/<slug:office_code>/layanan/<slug:service_code>/waktu/<int:slot_id>/",
        booking_flow.book_details,
        name="book-details",
    ),
    path(
        "kantor/<slug:office_code>/layanan/<slug:service_code>/daftar-tunggu/",
        waitlist.waitlist_join_page,
        name="waitlist-join",
    ),
    path("daftar-tunggu/<str:token>/", waitlist.waitlist_entry_page, name="waitlist-entry"),
    path("pesan/kode/", booking_flow.book_code, name="book-code"),
    path("pesanan/", manage.booking_lookup, name="booking-lookup"),
    path("pesanan/<str:code>/", manage.booking_detail, name="booking-detail"),
    path("pesanan/<str:code>/kalender.ics", manage.booking_calendar_file, name="booking-ics"),
    path("pesanan/<str:code>/qr.svg", manage.booking_qr, name="booking-qr"),
    path("pesanan/<str:code>/batal/", manage.booking_cancel_page, name="booking-cancel"),
    path("pesanan/<str:code>/ubah/", manage.booking_reschedule_page, name="booking-reschedule"),
]
