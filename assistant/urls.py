from django.urls import URLPattern, path

from assistant import views

urlpatterns: list[URLPattern] = [
    path("tanya/", views.chat, name="assistant-chat"),
    path("tanya/baru/", views.chat_turns, name="assistant-chat-turns"),
]
