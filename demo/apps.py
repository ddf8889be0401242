from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo country (`manage.py load_demo`): it seeds every app, so it sits above
    them all and nothing imports it. No models, no pages."""

    name = "demo"
    verbose_name = "Demo country"
