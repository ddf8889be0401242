from django.urls import path

from twofactor import views

app_name = "twofactor"

urlpatterns = [
    path("", views.manage, name="manage"),
    path("verifikasi/", views.verify, name="verify"),
    path("daftar/", views.enrol, name="enrol"),
    path("kode-pemulihan/", views.recovery_codes, name="recovery-codes"),
    path("kode-pemulihan/baru/", views.recovery_codes_renew, name="recovery-codes-renew"),
]
