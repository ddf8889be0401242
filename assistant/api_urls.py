from django.urls import path

from assistant import api

urlpatterns = [
    path("assistant/messages/", api.MessageCreate.as_view(), name="api-assistant-messages"),
    path("assistant/updates/", api.UpdatesList.as_view(), name="api-assistant-updates"),
]
