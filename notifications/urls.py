from django.urls import URLPattern, path

from notifications import views

# Composed by config/urls.py into the `staff` namespace under staf/.
staff_patterns: list[URLPattern] = [
    path("kantor/<slug:office_code>/pesan-keluar/", views.message_log_page, name="messages"),
    path(
        "kantor/<slug:office_code>/pesan-keluar/<int:message_id>/kirim-ulang/",
        views.message_resend_page,
        name="message-resend",
    ),
]
