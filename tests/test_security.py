"""Security requirements: hashing, lockout, tokens, session lifetime, deploy checks,
authentication everywhere, no patient identifiers in URLs or e-mails, no caching.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from cases import services
from cases.models import AuditEvent
from tests.conftest import PASSWORD, World, client_for, make_case, make_patient
from tumorboard.middleware import SESSION_STARTED_KEY

BASE_DIR = Path(__file__).resolve().parent.parent
LOGIN_URL = "/accounts/login/"


def login(client: Client, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post(LOGIN_URL, {"username": username, "password": password}, **extra)


def logged_in(response: Any) -> bool:
    """The login page answers a success with a redirect home, a failure with the form again."""
    return response.status_code == 302 and response["Location"] == "/"


# --- Password hashing ---------------------------------------------------------------------


def test_passwords_are_hashed_with_argon2_in_the_real_settings() -> None:
    from tumorboard.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


# --- Lockout (django-axes) --------------------------------------------------------------------


def fail(client: Client, username: str, times: int, address: str = "127.0.0.1") -> list[int]:
    return [
        login(client, username, "wrong-password", REMOTE_ADDR=address).status_code
        for _ in range(times)
    ]


def test_repeated_failures_lock_the_username_at_that_address(world: World) -> None:
    limit = django_settings.AXES_FAILURE_LIMIT
    assert limit == 5
    client = Client()
    codes = fail(client, "surgeon", limit, address="10.0.0.1")
    # The first failures re-show the form; the limit-th is refused as locked out.
    assert codes[: limit - 1] == [200] * (limit - 1)
    assert codes[-1] == 429
    # Now even the right password is refused for that user from that address.
    response = login(client, "surgeon", REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username_and_address(world: World) -> None:
    """Hospital NAT: one user's failures lock neither that user elsewhere nor colleagues."""
    fail(Client(), "surgeon", django_settings.AXES_FAILURE_LIMIT, address="10.0.0.1")
    assert login(Client(), "surgeon", REMOTE_ADDR="10.0.0.1").status_code == 429
    # Same user, another address.
    assert logged_in(login(Client(), "surgeon", REMOTE_ADDR="10.0.0.2"))
    # Another user, same address.
    assert logged_in(login(Client(), "radonc", REMOTE_ADDR="10.0.0.1"))


def test_a_successful_login_resets_the_failure_count(world: World) -> None:
    limit = django_settings.AXES_FAILURE_LIMIT
    client = Client()
    assert fail(client, "surgeon", limit - 1) == [200] * (limit - 1)
    assert logged_in(login(client, "surgeon"))
    client.logout()
    # Were the count not reset, the next failure would be the limit-th and lock out.
    assert fail(client, "surgeon", limit - 1) == [200] * (limit - 1)
    assert logged_in(login(Client(), "surgeon"))


def test_a_forged_forwarded_for_header_does_not_escape_the_lockout(world: World) -> None:
    """Without trusted proxies X-Forwarded-For is the client's to choose, so it is ignored."""
    assert django_settings.TRUSTED_PROXY_COUNT == 0
    client = Client()
    for i in range(django_settings.AXES_FAILURE_LIMIT):
        login(client, "surgeon", "wrong", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"1.1.1.{i}")
    response = login(client, "surgeon", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="2.2.2.2")
    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_client_is_the_address_it_appended(
    world: World, settings: Any
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    case = make_case(world)
    client_for(world.surgeon).get(
        f"/api/v1/cases/{case.pk}/",
        REMOTE_ADDR="172.16.0.2",  # the proxy
        HTTP_X_FORWARDED_FOR="6.6.6.6, 10.1.1.1",  # client-forged, then proxy-appended
    )
    event = AuditEvent.objects.get(action="view", object_id=str(case.pk))
    assert event.ip_address == "10.1.1.1"


def test_the_token_endpoint_shares_the_lockout(world: World) -> None:
    """Guessing through the API is no way around the login page's lockout."""
    client = APIClient()
    url = "/api/v1/auth/token/"
    codes = [
        client.post(url, {"username": "surgeon", "password": "wrong"}, format="json").status_code
        for _ in range(django_settings.AXES_FAILURE_LIMIT)
    ]
    # Wrong passwords are 400 until the attempt that reaches the limit locks the pair out.
    assert codes == [400] * (django_settings.AXES_FAILURE_LIMIT - 1) + [429]
    response = client.post(url, {"username": "surgeon", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert "token" not in response.json()
    assert "locked" in response.json()["errors"]["non_field_errors"][0]
    assert login(Client(), "surgeon").status_code == 429
    # Another user from the same address still gets a token.
    response = client.post(url, {"username": "radonc", "password": PASSWORD}, format="json")
    assert response.status_code == 200


# --- API tokens -----------------------------------------------------------------------------


def test_token_endpoint_issues_a_token_that_authenticates(world: World) -> None:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "surgeon", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    key = response.json()["token"]
    client = APIClient()
    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert me.status_code == 200
    assert me.json()["username"] == "surgeon"
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token not-a-key").status_code == 401


def test_token_endpoint_refuses_bad_credentials(world: World) -> None:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "surgeon", "password": "wrong"}, format="json"
    )
    assert response.status_code == 400
    assert "token" not in response.json()


# --- Sessions -------------------------------------------------------------------------------


def test_sessions_expire_after_30_idle_minutes_renewed_on_every_request() -> None:
    assert django_settings.SESSION_COOKIE_AGE == 1800
    assert django_settings.SESSION_SAVE_EVERY_REQUEST is True


def test_each_request_pushes_the_idle_expiry_forward(world: World) -> None:
    client = Client()
    assert logged_in(login(client, "surgeon"))
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + timedelta(minutes=1)
    )
    assert client.get("/").status_code == 200
    expires = Session.objects.get(session_key=key).expire_date
    assert expires > timezone.now() + timedelta(seconds=1800 - 60)


def test_an_idle_expired_session_is_logged_out(world: World) -> None:
    client = Client()
    assert logged_in(login(client, "surgeon"))
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def age_session(client: Client, seconds: float) -> None:
    session = client.session
    assert SESSION_STARTED_KEY in session, "the login response stamps the session's start"
    session[SESSION_STARTED_KEY] = time.time() - seconds
    session.save()


def test_a_session_older_than_12_hours_is_ended_on_the_next_page(world: World) -> None:
    client = Client()
    assert logged_in(login(client, "surgeon"))
    assert client.get("/").status_code == 200
    age_session(client, 12 * 3600 + 1)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
    assert "_auth_user_id" not in client.session
    # Logged out for good, not only for that request.
    assert client.get("/").status_code == 302


def test_a_session_older_than_12_hours_gets_401_from_the_api(world: World) -> None:
    client = Client()
    assert logged_in(login(client, "surgeon"))
    assert client.get("/api/v1/me/").status_code == 200
    age_session(client, 12 * 3600 + 1)
    assert client.get("/api/v1/me/").status_code == 401
    assert "_auth_user_id" not in client.session


def test_an_11_hour_old_session_still_works(world: World) -> None:
    client = Client()
    assert logged_in(login(client, "surgeon"))
    age_session(client, 11 * 3600)
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200


# --- Production settings --------------------------------------------------------------------


def run_manage(tmp_path: Path, *args: str, **env: str | None) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tumorboard.settings.production",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}",
        "ALLOWED_HOSTS": "tumorboard.example.org",
        "SECRET_KEY": secrets.token_urlsafe(45)[:60],
    }
    environment.pop("DEBUG", None)
    for name, value in env.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy(tmp_path: Path) -> None:
    result = run_manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_refuse_to_load_without_a_secret_key(tmp_path: Path) -> None:
    result = run_manage(tmp_path, "check", SECRET_KEY=None)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


# --- Authentication everywhere --------------------------------------------------------------

API_URLS = [
    *(
        f"/api/v1/{name}/"
        for name in (
            "me",
            "specialties",
            "boards",
            "patients",
            "cases",
            "clinical-statuses",
            "lesions",
            "prior-radiotherapy",
            "assessments",
        )
    ),
    "/api/schema/",
    "/api/docs/",
]


@pytest.mark.parametrize("url", API_URLS)
def test_anonymous_cannot_read_the_api(world: World, url: str) -> None:
    make_case(world)
    response = APIClient().get(url)
    assert response.status_code in (401, 403)


def test_anonymous_cannot_open_the_pages(world: World) -> None:
    case = make_case(world)
    for url in ("/", f"/cases/{case.pk}/"):
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{LOGIN_URL}?next="), url


# --- No patient identifiers in URLs or e-mails ---------------------------------------------


def routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from routes(entry.url_patterns, route)
        else:
            assert isinstance(entry, URLPattern)
            yield route


PATIENT_IDENTIFIERS = ("mrn", "name", "birth")


def test_no_route_carries_an_mrn_or_a_name() -> None:
    """URLs end up in access logs, proxies and browser history: never a patient identifier."""
    all_routes = list(routes(get_resolver().url_patterns))
    assert any("cases/<int:pk>/" in r for r in all_routes)  # the walk reaches the pages
    assert any(r.startswith("api/v1/") for r in all_routes)  # and the API
    offending = [r for r in all_routes if any(word in r.lower() for word in ("mrn", "name"))]
    assert offending == []


def test_no_api_query_parameter_carries_a_patient_identifier(world: World) -> None:
    """The query string is part of the URL, and is logged like the path."""
    response = client_for(world.coordinator).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    offending = sorted(
        f"{path}?{parameter['name']}="
        for path, operations in response.json()["paths"].items()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
        and any(word in parameter["name"].lower() for word in PATIENT_IDENTIFIERS)
    )
    assert offending == []


def test_assessment_request_email_names_the_case_but_not_the_patient(
    world: World, eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    patient = make_patient(world, mrn="Q7-554433", family_name="Zabrowski", given_name="Henrietta")
    case = make_case(world, patient=patient)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_transition(by=world.coordinator, case=case, transition="accept")
    assert len(mail.outbox) == 4  # one per quorum specialist
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        assert f"#{case.pk}" in message.subject
        assert f"#{case.pk}" in message.body
        for secret in (patient.mrn, patient.family_name, patient.given_name):
            assert secret.lower() not in text.lower()


# --- Caching --------------------------------------------------------------------------------


def test_responses_to_signed_in_users_are_not_stored(world: World) -> None:
    case = make_case(world)
    client = client_for(world.surgeon)
    for url in ("/", f"/cases/{case.pk}/", "/api/v1/cases/", f"/api/v1/cases/{case.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url


def test_responses_to_token_clients_are_not_stored(world: World) -> None:
    case = make_case(world)
    key = (
        APIClient()
        .post("/api/v1/auth/token/", {"username": "surgeon", "password": PASSWORD}, format="json")
        .json()["token"]
    )
    response = APIClient().get(f"/api/v1/cases/{case.pk}/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
