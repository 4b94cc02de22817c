from tests.celery_support import broker, celery_worker  # noqa: F401 (fixtures, used by name)
