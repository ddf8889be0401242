from django.urls import path

from privacy import api

urlpatterns = [
    path("privacy/proofs/", api.ProofStart.as_view(), name="api-privacy-proof"),
    path("privacy/proofs/confirm/", api.ProofConfirm.as_view(), name="api-privacy-confirm"),
    path("privacy/me/", api.MyData.as_view(), name="api-privacy-me"),
    path("privacy/requests/", api.FileRequest.as_view(), name="api-privacy-requests"),
]
