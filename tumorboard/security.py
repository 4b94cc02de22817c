"""Request facts used by the lockout and the audit log alike."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the socket peer, or the entry appended by our trusted proxies.

    X-Forwarded-For is client-controlled except for the entries our own proxies append, so we
    take the N-th entry from the right when TRUSTED_PROXY_COUNT = N, and never the leftmost.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None
