from django.urls import URLPattern, path

from anticalo import views

# Composed under staf/ into the `staff` namespace by config/urls.py.
staff_patterns: list[URLPattern] = [
    path("anti-calo/", views.anticalo_page, name="anticalo"),
]
