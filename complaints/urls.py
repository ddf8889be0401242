from django.urls import URLPattern, path

from complaints import staff_views, views

urlpatterns = [
    path("pengaduan/", views.complaint_new, name="complaint-new"),
    path("pengaduan/terkirim/", views.complaint_filed, name="complaint-filed"),
    path("pengaduan/status/", views.complaint_status, name="complaint-status"),
]

# Composed under staf/ into the `staff` namespace by config/urls.py.
staff_patterns: list[URLPattern] = [
    path("pengaduan/", staff_views.complaint_list, name="complaints"),
    path("pengaduan/<str:number>/", staff_views.complaint_detail, name="complaint"),
    path("pengaduan/<str:number>/foto/", staff_views.complaint_photo, name="complaint-photo"),
]
