"""Sign-in forms for staff pages and the admin, with our own wording of a wrong password.

Django's AuthenticationForm words its error as "Please enter a correct %(username)s…" and
fills in the username field's label; its Indonesian translation already says "nama
pengguna" before the placeholder, so the label came out twice ("Masukkan nama pengguna
nama pengguna…"). Our message names the fields itself and has our own msgid.
"""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class StaffAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter a correct username and password. Both are case-sensitive."
        ),
    }


class AdminStaffAuthenticationForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter the correct username and password for a staff account. "
            "Both are case-sensitive."
        ),
    }
