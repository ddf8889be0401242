from django.contrib.auth import views as auth_views
from django.urls import include, path

from booking.views import booking_flow, manage, privacy, public, staff, waitlist
from notifications import views as message_views
from queueing.views import console as console_views
from scheduling import views as capacity_views

staff_patterns = (
    [
        path("", staff.staff_home, name="home"),
        path("masuk/", staff.StaffLoginView.as_view(), name="login"),
        path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
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
        path("kantor/<slug:office_code>/kapasitas/", capacity_views.capacity_day, name="capacity"),
        path(
            "kantor/<slug:office_code>/pesan-keluar/",
            message_views.message_log_page,
            name="messages",
        ),
        path(
            "kantor/<slug:office_code>/pesan-keluar/<int:message_id>/kirim-ulang/",
            message_views.message_resend_page,
            name="message-resend",
        ),
        path("kantor/<slug:office_code>/rencana/", capacity_views.plan_days, name="plan-days"),
        path(
            "kantor/<slug:office_code>/rencana/<str:day>/", capacity_views.plan_day, name="plan-day"
        ),
        path(
            "kantor/<slug:office_code>/rencana/<str:day>/status/",
            capacity_views.plan_day_status,
            name="plan-day-status",
        ),
        path("data-pribadi/", privacy.data_map_page, name="data-map"),
        path("data-pribadi/retensi/", privacy.retention_page, name="retention"),
        path("loket/", console_views.counters, name="counters"),
        path("loket/<int:counter_id>/", console_views.console, name="console"),
    ],
    "staff",
)

urlpatterns = [
    path("", public.home, name="home"),
    path("kantor/<slug:code>/", public.office_detail, name="office-detail"),
    path("layanan/", public.service_list, name="service-list"),
    path("layanan/<slug:code>/", public.service_detail, name="service-detail"),
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
    path("staf/", include(staff_patterns)),
]
