from django.urls import URLPattern, path

from assistant import staff_views, views

# The citizen's chat page (and the panel's partials), mounted at the site's root.
urlpatterns: list[URLPattern] = [
    path("tanya/", views.chat, name="assistant-chat"),
    path("tanya/baru/", views.chat_turns, name="assistant-chat-turns"),
]

# Composed under staf/ into the `staff` namespace by config/urls.py.
staff_patterns: list[URLPattern] = [
    path("tanya/", staff_views.handoff_list, name="assistant-inbox"),
    path("tanya/<int:pk>/", staff_views.handoff_detail, name="assistant-conversation"),
    path("tanya/tinjau/", staff_views.review_list, name="assistant-review"),
    path("tanya/tinjau/<int:pk>/", staff_views.review_item_label, name="assistant-review-label"),
]
