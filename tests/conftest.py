"""Personas and builders shared by the suite.

Everything is built through the real services, so every test exercises the real permission
grants (guardian rows derived from memberships) and writes real audit rows. Personas, as in
healthchecks: a member of each role on ``board``, the same roles' counterpart on
``other_board``, and an ``outsider`` with no board at all.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from cases import services
from cases.models import Board, Case, Institution, Patient, Role, Specialty
from tumorboard.celery import app

CI = os.environ.get("CI", "").lower() == "true"
BROKER = os.environ.get("CELERY_BROKER_URL", "")


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Tests that need a real broker or PostgreSQL are skipped locally without them, saying
    how to run them; with CI=true they always run (CI provides both)."""
    postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    if CI and not (BROKER and postgres):
        raise pytest.UsageError(
            "CI=true needs CELERY_BROKER_URL and a PostgreSQL DATABASE_URL: the broker and "
            "concurrency tests must run in CI."
        )
    needs = {
        "broker": (
            bool(BROKER),
            "needs a real broker and worker: set CELERY_BROKER_URL=redis://127.0.0.1:6379/15 "
            "(CI always does)",
        ),
        "postgres": (
            postgres,
            "needs PostgreSQL (row locks, real concurrent transactions): set DATABASE_URL="
            "postgres://postgres@127.0.0.1:5432/tumorboard (CI always does)",
        ),
        "browser": (
            os.path.exists(CHROMIUM),
            f"needs Chromium at {CHROMIUM}: `make test` installs it (scripts/ensure-chromium)",
        ),
    }
    for marker, (available, reason) in needs.items():
        if available:
            continue
        skip = pytest.mark.skip(reason=reason)
        for item in items:
            if marker in item.keywords:
                item.add_marker(skip)


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    """With CI=true a skipped test is a failure: CI must run everything."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if CI and skipped:
        reporter.write_line(f"CI=true: {len(skipped)} test(s) were skipped; failing the run.")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


PASSWORD = "a-long-test-password-1"
#: The browser the browser tests drive (Debian's package; ``make test`` installs it).
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

# Radiology's score inputs of a lesion, all entered (so a radiology assessment can be submitted).
RADIOLOGY_LESION = {
    "sins_bone_lesion": "lytic",
    "sins_alignment": "normal",
    "sins_vertebral_body_collapse": "lt_50_percent",
    "sins_posterolateral_involvement": "none",
    "escc_grade": "1a",
    "pathologic_fracture": False,
}


@dataclass
class World:
    institution: Institution
    board: Board
    other_board: Board
    specialties: dict[str, Specialty]
    users: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["users"][name]
        except KeyError as exc:
            raise AttributeError(name) from exc


def make_user(username: str, **extra: Any) -> Any:
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.org", **extra
    )
    return user


def ensure_specialties() -> dict[str, Specialty]:
    """The data migration's rows; a transactional test's flush removes them, so recreate."""
    from django.apps import apps

    migration = importlib.import_module("cases.migrations.0002_specialties")
    migration.create(apps, None)
    return {s.code: s for s in Specialty.objects.all()}


@pytest.fixture
def world(db: Any) -> World:
    specialties = ensure_specialties()
    institution = Institution.objects.create(name="General Hospital", code="general")
    admin = make_user("admin", is_staff=True, is_superuser=True)
    board = Board.objects.create(institution=institution, name="Spine Board")
    other_board = Board.objects.create(institution=institution, name="Other Board")
    quorum = [
        Specialty.SPINE_SURGERY,
        Specialty.RADIATION_ONCOLOGY,
        Specialty.MEDICAL_ONCOLOGY,
        Specialty.RADIOLOGY,
    ]
    for b in (board, other_board):
        b.quorum_specialties.set([specialties[c] for c in quorum])
        # The boards expect exactly their quorum to assess; tests that need pain management
        # or palliative care asked too add them (tests/cases/test_expected_specialties.py).
        b.expected_specialties.set([specialties[c] for c in quorum])
    w = World(institution, board, other_board, specialties, {"admin": admin})
    roles = [
        ("coordinator", Role.COORDINATOR, None),
        ("attending", Role.ATTENDING, None),
        ("surgeon", Role.SPECIALIST, Specialty.SPINE_SURGERY),
        ("radiologist", Role.SPECIALIST, Specialty.RADIOLOGY),
        ("radonc", Role.SPECIALIST, Specialty.RADIATION_ONCOLOGY),
        ("medonc", Role.SPECIALIST, Specialty.MEDICAL_ONCOLOGY),
    ]
    for name, role, specialty in roles:
        for prefix, target in (("", board), ("other_", other_board)):
            user = make_user(prefix + name)
            services.membership_grant(
                by=admin,
                board=target,
                user=user,
                role=role,
                specialty=specialties[specialty] if specialty else None,
            )
            w.users[prefix + name] = user
    w.users["outsider"] = make_user("outsider")
    return w


def client_for(user: Any | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def make_patient(world: World, board: Board | None = None, **extra: Any) -> Patient:
    board = board or world.board
    by = world.coordinator if board == world.board else world.other_coordinator
    count = Patient.objects.count()
    fields = {
        "mrn": f"MRN{count + 1:06d}",
        "family_name": f"Family{count}",
        "given_name": "Given",
        "date_of_birth": dt.date(1960, 1, 1),
        "sex": "female",
        **extra,
    }
    return services.patient_register(by=by, board=board, **fields)


def make_case(
    world: World, board: Board | None = None, status: str = "referred", **extra: Any
) -> Case:
    """A case on ``board`` (default: the world's board), moved to ``status`` by its coordinator."""
    board = board or world.board
    by = world.coordinator if board == world.board else world.other_coordinator
    patient = extra.pop("patient", None) or make_patient(world, board)
    fields = {
        "referring_physician": "Dr. Referrer",
        "clinical_question": "Radiotherapy or surgery?",
        "primary_tumor": "breast",
        **extra,
    }
    case = services.case_refer(by=by, patient=patient, board=board, **fields)
    path = {
        "referred": [],
        "in_workup": ["accept"],
        "ready": ["accept", "mark_ready"],
        "discussed": ["accept", "mark_ready", "record_discussion"],
        "closed": ["accept", "mark_ready", "record_discussion", "close"],
    }[status]
    attending = world.attending if board == world.board else world.other_attending
    for transition in path:
        if transition == "record_discussion":
            # A system move (a signed decision makes it): no user may ask for it.
            services.case_move(by=attending, case=case, transition=transition)
        else:
            services.case_transition(by=by, case=case, transition=transition)
    return case


@pytest.fixture
def make() -> Any:
    """Builders, e.g. ``make.case(world, status="in_workup")``."""

    class Builders:
        patient = staticmethod(make_patient)
        case = staticmethod(make_case)

    return Builders


@pytest.fixture
def eager() -> Iterator[None]:
    """Run tasks in-process even when a broker is configured (CI)."""
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous
