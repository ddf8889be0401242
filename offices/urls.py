from django.contrib.auth import views as auth_views
from django.urls import URLPattern, path

from offices.views import public, staff

urlpatterns = [
    path("", public.home, name="home"),
    path("kantor/<slug:code>/", public.office_detail, name="office-detail"),
    path("layanan/", public.service_list, name="service-list"),
    path("layanan/<slug:code>/", public.service_detail, name="service-detail"),
]

# Composed by config/urls.py into the `staff` namespace under staf/.
staff_patterns: list[URLPattern] = [
    path("", staff.staff_home, name="home"),
    path("masuk/", staff.StaffLoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
]
