from django.urls import path

from booking.api import booking_views, waitlist_views

urlpatterns = [
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
    path("waitlist/", waitlist_views.WaitlistJoin.as_view(), name="api-waitlist-join"),
    path(
        "waitlist/<str:token>/",
        waitlist_views.WaitlistEntryDetail.as_view(),
        name="api-waitlist-entry",
    ),
    path(
        "waitlist/<str:token>/accept/",
        waitlist_views.WaitlistAccept.as_view(),
        name="api-waitlist-accept",
    ),
    path(
        "waitlist/<str:token>/leave/",
        waitlist_views.WaitlistLeave.as_view(),
        name="api-waitlist-leave",
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
