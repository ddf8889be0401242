from django.urls import path

from releases import staff_views, views

app_name = "releases"

urlpatterns = [
    path("ruang-tunggu/<slug:office>/<slug:service>/", views.room_page, name="room"),
]

# Composed under staf/ into the `staff` namespace by config/urls.py.
staff_patterns = [
    path("rilis/", staff_views.release_list, name="releases"),
]
