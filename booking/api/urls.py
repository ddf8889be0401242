from django.urls import path

from booking.api import views

urlpatterns = [
    path("offices/", views.OfficeList.as_view(), name="api-office-list"),
    path("offices/<slug:code>/", views.OfficeDetail.as_view(), name="api-office-detail"),
    path("services/", views.ServiceList.as_view(), name="api-service-list"),
    path("services/<slug:code>/", views.ServiceDetail.as_view(), name="api-service-detail"),
]
