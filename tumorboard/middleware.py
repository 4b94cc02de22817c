"""Session lifetime and cache rules for pages that show protected health information."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

SESSION_STARTED_KEY = "_auth_started_at"


class AbsoluteSessionTimeoutMiddleware:
    """End a login session 12 hours after it began, however active it was.

    The idle timeout is Django's own (SESSION_COOKIE_AGE renewed on every request); this adds
    the absolute limit. The start is stamped on the first authenticated response, which is the
    login response itself.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        started = session.get(SESSION_STARTED_KEY)
        if (
            request.user.is_authenticated
            and started is not None
            and time.time() - started > settings.SESSION_ABSOLUTE_SECONDS
        ):
            logout(request)
            if request.path.startswith("/api/"):
                return HttpResponse(status=401)
            return redirect_to_login(request.get_full_path())
        response = self.get_response(request)
        # Only session logins (not token requests, which must not create sessions).
        if SESSION_KEY in session and SESSION_STARTED_KEY not in session:
            session[SESSION_STARTED_KEY] = time.time()
        return response


class NoStoreMiddleware:
    """Forbid browsers and proxies from caching anything an authenticated user was shown."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.setdefault("Cache-Control", "no-store, private")
        return response


class AuditRequestFactsMiddleware:
    """Make the client's address, user agent and path available to ``cases.audit``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from cases.audit import RequestFacts, request_facts

        from .security import client_ip

        token = request_facts.set(
            RequestFacts(
                ip_address=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
                path=request.path,
            )
        )
        try:
            return self.get_response(request)
        finally:
            request_facts.reset(token)
