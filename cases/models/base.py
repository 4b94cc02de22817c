"""What several models share."""

from __future__ import annotations

from django.db import models


class Versioned(models.Model):
    """A record edited by several people: every saved change raises ``version``.

    Clients send back the version they read (``If-Match``); the services refuse a change based
    on an older version instead of silently overwriting the newer one.
    """

    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Raised by every change (the record's ETag)."
    )

    class Meta:
        abstract = True
