from django.urls import path

from releases import views

app_name = "releases"

urlpatterns = [
    path("ruang-tunggu/<slug:office>/<slug:service>/", views.room_page, name="room"),
]
