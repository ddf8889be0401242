from django.urls import path

from privacy import staff_views, views

urlpatterns = [
    path("data-saya/", views.privacy_start, name="privacy-start"),
    path("data-saya/kode/", views.privacy_code, name="privacy-code"),
    path("data-saya/lihat/", views.privacy_overview, name="privacy-overview"),
    path("data-saya/unduh/", views.privacy_export, name="privacy-export"),
    path("data-saya/permintaan/", views.privacy_request, name="privacy-request"),
    path("data-saya/selesai/", views.privacy_end, name="privacy-end"),
    path("staf/permintaan-data/", staff_views.request_queue, name="privacy-staff-queue"),
    path(
        "staf/permintaan-data/<str:reference>/",
        staff_views.request_detail,
        name="privacy-staff-request",
    ),
]
