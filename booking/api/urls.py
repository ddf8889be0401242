from django.urls import path

from booking.api import booking_views, views

urlpatterns = [
    path("offices/", views.OfficeList.as_view(), name="api-office-list"),
    path("offices/<slug:code>/", views.OfficeDetail.as_view(), name="api-office-detail"),
    path("services/", views.ServiceList.as_view(), name="api-service-list"),
    path("services/<slug:code>/", views.ServiceDetail.as_view(), name="api-service-detail"),
    path(
        "offices/<slug:office>/services/<slug:service>/availability/",
        booking_views.MonthAvailability.as_view(),
        name="api-availability-month",
    ),
    path(
        "offices/<slug:office>/services/<slug:service>/availability/<str:day>/",
        booking_views.DayAvailability.as_view(),
        name="api-availability-day",
    ),
    path("holds/", booking_views.HoldCreate.as_view(), name="api-hold-create"),
    path("holds/<str:token>/code/", booking_views.HoldCode.as_view(), name="api-hold-code"),
    path(
        "holds/<str:token>/confirm/", booking_views.HoldConfirm.as_view(), name="api-hold-confirm"
    ),
    path("bookings/lookup/", booking_views.BookingLookup.as_view(), name="api-booking-lookup"),
    path("bookings/<str:code>/", booking_views.BookingDetail.as_view(), name="api-booking-detail"),
    path(
        "bookings/<str:code>/cancel/",
        booking_views.BookingCancel.as_view(),
        name="api-booking-cancel",
    ),
    path(
        "bookings/<str:code>/reschedule/",
        booking_views.BookingReschedule.as_view(),
        name="api-booking-reschedule",
    ),
]
