"""Clinical data entry: contradictory values refused naming the field, serum albumin in g/dL.

The rules themselves are table-tested in tests/unit/scoring/test_consistency.py; here they are
exercised where clinicians meet them: the clinical-status endpoints and the record service.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import AuditEvent, ClinicalStatus
from tests.conftest import World, client_for, make_case

URL = "/api/v1/clinical-statuses/"


def record(world: World, **fields: Any) -> Any:
    case = make_case(world, status="in_workup")
    return client_for(world.surgeon).post(
        URL, {"case": case.pk, "recorded_on": "2026-11-01", **fields}, format="json"
    )


# --- Contradictions (scoring-spec §8.1, §8.4) ----------------------------------------------


def test_kps_90_with_ecog_4_is_refused_naming_both_fields(world: World) -> None:
    case = make_case(world, status="in_workup")
    before = AuditEvent.objects.count()
    response = client_for(world.surgeon).post(
        URL, {"case": case.pk, "recorded_on": "2026-11-01", "karnofsky": 90, "ecog": "4"}
    )
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert set(errors) == {"karnofsky", "ecog"}
    assert "KPS 90 is ECOG 1 (convention A) or ECOG 0 (convention B)" in errors["ecog"][0]
    assert "§8.4" in errors["karnofsky"][0]
    assert not ClinicalStatus.objects.exists()
    assert AuditEvent.objects.count() == before  # nothing half-saved


@pytest.mark.parametrize(("kps", "ecog"), [(90, "0"), (90, "1"), (70, "1"), (70, "2"), (30, "3")])
def test_where_the_conventions_disagree_either_grade_is_accepted(
    world: World, kps: int, ecog: str
) -> None:
    response = record(world, karnofsky=kps, ecog=ecog)
    assert response.status_code == 201, response.content
    assert (response.json()["karnofsky"], response.json()["ecog"]) == (kps, ecog)


@pytest.mark.parametrize("walking", ["independent", "with_aid"])
@pytest.mark.parametrize("grade", ["A", "B"])
def test_no_motor_function_and_walking_is_refused(world: World, grade: str, walking: str) -> None:
    response = record(world, frankel_grade=grade, ambulatory_status=walking)
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert set(errors) == {"frankel_grade", "ambulatory_status"}
    assert f"Frankel {grade} means" in errors["frankel_grade"][0]
    assert "§8.1" in errors["ambulatory_status"][0]


@pytest.mark.parametrize(
    ("grade", "walking"),
    [("A", "non_ambulatory"), ("C", "with_aid"), ("D", "independent"), ("E", "non_ambulatory")],
)
def test_defensible_combinations_are_accepted(world: World, grade: str, walking: str) -> None:
    response = record(world, frankel_grade=grade, ambulatory_status=walking)
    assert response.status_code == 201, response.content


def test_frankel_c_walking_independently_is_refused(world: World) -> None:
    response = record(world, frankel_grade="C", ambulatory_status="independent")
    assert response.status_code == 400
    assert "Frankel D" in response.json()["errors"]["frankel_grade"][0]


def test_a_change_is_refused_on_the_field_being_changed_only(world: World) -> None:
    case = make_case(world, status="in_workup")
    status = services.clinical_status_record(
        by=world.coordinator,
        case=case,
        recorded_on=dt.date(2026, 11, 1),
        karnofsky=90,
        ecog="1",
        frankel_grade="A",
        ambulatory_status="non_ambulatory",
    )
    client = client_for(world.attending)
    url = f"{URL}{status.pk}/"
    for body, field in [
        ({"ecog": "4"}, "ecog"),
        ({"karnofsky": 30}, "karnofsky"),
        ({"ambulatory_status": "independent"}, "ambulatory_status"),
        ({"frankel_grade": "B", "ambulatory_status": "with_aid"}, None),
    ]:
        response = client.patch(url, body, format="json")
        assert response.status_code == 400, response.content
        assert set(response.json()["errors"]) == ({field} if field else set(body))
    status.refresh_from_db()
    assert (status.karnofsky, status.ecog, status.version) == (90, "1", 1)
    # Both values changed together so that they agree: accepted.
    response = client.patch(url, {"karnofsky": 30, "ecog": "3"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2


def test_a_record_entered_before_the_rules_stays_editable(world: World) -> None:
    case = make_case(world, status="in_workup")
    # Written past the services, as rows from before the rule exist.
    old = ClinicalStatus.objects.create(
        case=case,
        recorded_on=dt.date(2025, 1, 1),
        karnofsky=90,
        ecog="4",
        recorded_by=world.coordinator,
    )
    client = client_for(world.coordinator)
    notes = client.patch(f"{URL}{old.pk}/", {"notes": "Seen in clinic"}, format="json")
    assert notes.status_code == 200, notes.content
    again = client.patch(f"{URL}{old.pk}/", {"ecog": "3"}, format="json")
    assert again.status_code == 400  # changing ECOG to another contradicting grade: refused
    fixed = client.patch(f"{URL}{old.pk}/", {"ecog": "1"}, format="json")
    assert fixed.status_code == 200, fixed.content


def test_the_service_refuses_a_contradiction_whoever_calls_it(world: World) -> None:
    case = make_case(world, status="in_workup")
    with pytest.raises(ValidationError) as refused:
        services.clinical_status_record(
            by=world.coordinator,
            case=case,
            recorded_on=dt.date(2026, 11, 1),
            frankel_grade="B",
            ambulatory_status="with_aid",
        )
    assert set(refused.value.message_dict) == {"frankel_grade", "ambulatory_status"}
    assert not case.clinical_statuses.exists()


# --- Serum albumin in g/dL --------------------------------------------------------------------

UNIT = "Serum albumin is entered in g/dL, from 0.5 to 7.0"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("42", f"42 looks like g/L; in g/dL that is 4.2. {UNIT}."),
        (35, f"35 looks like g/L; in g/dL that is 3.5. {UNIT}."),
        ("34.5", f"34.5 looks like g/L; in g/dL that is 3.45. {UNIT}."),
        ("600", f"600 looks like µmol/L; in g/dL that is about 4.0. {UNIT}."),
        ("0.2", f"{UNIT}; 0.2 is outside that range."),
        ("120", f"{UNIT}; 120 is outside that range."),
    ],
)
def test_albumin_in_another_unit_is_refused_with_a_hint(
    world: World, value: Any, message: str
) -> None:
    response = record(world, serum_albumin_g_dl=value)
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {"serum_albumin_g_dl": [message]}


def test_albumin_in_g_dl_is_stored(world: World) -> None:
    response = record(world, serum_albumin_g_dl="3.8")
    assert response.status_code == 201, response.content
    assert response.json()["serum_albumin_g_dl"] == "3.8"
    assert ClinicalStatus.objects.get().serum_albumin_g_dl == Decimal("3.8")


def test_albumin_with_two_decimals_is_refused_on_the_field(world: World) -> None:
    response = record(world, serum_albumin_g_dl="3.85")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["serum_albumin_g_dl"]


def test_albumin_correction_in_g_l_is_refused_too(world: World) -> None:
    case = make_case(world, status="in_workup")
    status = services.clinical_status_record(
        by=world.coordinator, case=case, recorded_on=dt.date(2026, 11, 1)
    )
    response = client_for(world.coordinator).patch(
        f"{URL}{status.pk}/", {"serum_albumin_g_dl": 42}, format="json"
    )
    assert response.status_code == 400
    assert "in g/dL that is 4.2" in response.json()["errors"]["serum_albumin_g_dl"][0]
    with pytest.raises(ValidationError) as refused:
        services.clinical_status_update(
            by=world.coordinator, status=status, serum_albumin_g_dl=Decimal("600")
        )
    assert any("looks like µmol/L" in m for m in refused.value.message_dict["serum_albumin_g_dl"])


def test_the_schema_states_the_albumin_unit(world: World) -> None:
    schema = client_for(world.surgeon).get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    for name in ("ClinicalStatus", "ClinicalStatusRequest", "PatchedClinicalStatusRequest"):
        description = components[name]["properties"]["serum_albumin_g_dl"]["description"]
        assert "g/dL" in description, name
        assert "g/L" in description and "µmol/L" in description, name
