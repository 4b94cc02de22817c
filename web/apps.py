from django.apps import AppConfig


class WebConfig(AppConfig):
    """Every page of the product: the top floor, composing the selectors of the floors below."""

    name = "web"
    verbose_name = "Pages"
