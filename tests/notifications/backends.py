"""E-mail backends for the delivery tests (settings.EMAIL_BACKEND), on top of locmem."""

from __future__ import annotations

import time
from collections.abc import Sequence
from smtplib import SMTPRecipientsRefused

from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend

REFUSED = "bounce@example.org"


class RefusingBackend(EmailBackend):
    """The SMTP server refuses one address; every other message is delivered."""

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        for message in messages:
            if REFUSED in message.to:
                raise SMTPRecipientsRefused({REFUSED: (550, b"5.1.1 No such user")})
        return super().send_messages(messages)


class SlowBackend(EmailBackend):
    """A slow SMTP server: keeps two concurrent runs overlapping for the whole batch."""

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        time.sleep(0.02)
        return super().send_messages(messages)
