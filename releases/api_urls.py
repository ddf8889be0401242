from django.urls import path

from releases import api

urlpatterns = [
    path(
        "waiting-rooms/<slug:office>/<slug:service>/",
        api.WaitingRoom.as_view(),
        name="api-waiting-room",
    ),
]
