"""The writable folders under GILIRAN_VAR_DIR. Importing the settings creates nothing; the
processes that use the folders make them when they start: manage.py, the WSGI/ASGI
application, the Celery worker and beat (config/celery.py) and the test run
(tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def ensure_var_folders() -> None:
    """Create the SQLite/cache/mail home, the static files folder (whitenoise warns about
    a missing one) and, with the embedded broker, its message folders."""
    folders = [Path(settings.VAR_DIR), Path(settings.STATIC_ROOT)]
    broker = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if key in broker:
            folders.append(Path(broker[key]))
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
