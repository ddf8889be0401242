from django.urls import path

from complaints import api

urlpatterns = [
    path("complaints/", api.ComplaintCreate.as_view(), name="api-complaints"),
    path("complaints/status/", api.ComplaintStatusRead.as_view(), name="api-complaint-status"),
]
