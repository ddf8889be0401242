from django.urls import path

from queueing import api

urlpatterns = [
    path("offices/<slug:office>/tickets/", api.TakeNumber.as_view(), name="api-take-number"),
    path("offices/<slug:office>/check-in/", api.CheckIn.as_view(), name="api-check-in"),
    path("offices/<slug:office>/board/", api.BoardFeed.as_view(), name="api-board"),
    path("tickets/<str:token>/", api.TicketStatusView.as_view(), name="api-ticket"),
    path("tickets/<str:token>/leave/", api.TicketLeave.as_view(), name="api-ticket-leave"),
    path("counters/<int:counter_id>/", api.CounterDetail.as_view(), name="api-counter"),
    path(
        "counters/<int:counter_id>/<slug:action>/", api.CounterAct.as_view(), name="api-counter-do"
    ),
]
