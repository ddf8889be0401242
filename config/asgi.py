import os

from django.core.asgi import get_asgi_application

from config.folders import ensure_var_folders

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
ensure_var_folders()
application = get_asgi_application()
