"""Fixtures of the outbox tests: three personas, the real worker, the broker switches."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.celery_support import (  # noqa: F401 (fixtures, used by name)
    BrokerSwitch,
    broker,
    celery_worker,
)
from tests.conftest import make_user


@dataclass
class People:
    """As in healthchecks: the owner of the rows, a colleague, and a stranger without rows."""

    owner: Any
    colleague: Any
    stranger: Any


@pytest.fixture
def people(db: Any) -> People:
    return People(make_user("owner"), make_user("colleague"), make_user("stranger"))
