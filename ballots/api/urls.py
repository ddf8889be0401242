from django.urls import path

from ballots.api import views

urlpatterns = [
    path(
        "offices/<slug:office>/services/<slug:service>/ballot/",
        views.BallotNext.as_view(),
        name="api-ballot-next",
    ),
    path("ballots/<int:ballot_id>/", views.BallotDetail.as_view(), name="api-ballot"),
    path(
        "ballots/<int:ballot_id>/published/",
        views.BallotPublished.as_view(),
        name="api-ballot-published",
    ),
    path("ballots/<int:ballot_id>/entries/", views.BallotEnter.as_view(), name="api-ballot-enter"),
    path("ballot-entries/<str:token>/", views.BallotEntryDetail.as_view(), name="api-ballot-entry"),
    path(
        "ballot-entries/<str:token>/verify/",
        views.BallotEntryVerify.as_view(),
        name="api-ballot-entry-verify",
    ),
    path(
        "ballot-entries/<str:token>/code/",
        views.BallotEntryCode.as_view(),
        name="api-ballot-entry-code",
    ),
]
