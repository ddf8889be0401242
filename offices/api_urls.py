from django.urls import path

from offices import api

urlpatterns = [
    path("offices/", api.OfficeList.as_view(), name="api-office-list"),
    path("offices/<slug:code>/", api.OfficeDetail.as_view(), name="api-office-detail"),
    path("services/", api.ServiceList.as_view(), name="api-service-list"),
    path("services/<slug:code>/", api.ServiceDetail.as_view(), name="api-service-detail"),
]
