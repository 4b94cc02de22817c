"""A new clinical status starts from the latest one: values not given are carried forward with
the date they were observed, scores show each input's age and flag what is older than the
board allows. Never a silent default, never a silent loss of completeness."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import services
from cases.models import AuditEvent, ClinicalStatus, ScoreRecord
from tests.conftest import World, client_for, make_case

TODAY = timezone.localdate()
EARLY = TODAY - dt.timedelta(days=45)
MIDDLE = TODAY - dt.timedelta(days=20)


def first_status(world: World, case: object, on: dt.date = EARLY) -> ClinicalStatus:
    status = services.clinical_status_record(
        by=world.coordinator,
        case=case,  # type: ignore[arg-type]
        recorded_on=on,
        karnofsky=80,
        frankel_grade="E",
        ambulatory_status="independent",
        serum_albumin_g_dl=Decimal("3.9"),
        extraspinal_bone_metastases_count=0,
        vertebral_metastases_count=1,
        notes="first visit",
    )
    services.clinical_status_update(by=world.medonc, status=status, visceral_metastases="none")
    return status


def test_values_not_given_are_carried_with_their_date(world: World) -> None:
    case = make_case(world, status="in_workup")
    first_status(world, case)
    second = services.clinical_status_record(
        by=world.coordinator, case=case, recorded_on=TODAY, karnofsky=60
    )
    assert second.karnofsky == 60  # given: observed today
    assert (second.serum_albumin_g_dl, second.frankel_grade) == (Decimal("3.9"), "E")
    assert second.visceral_metastases == "none"  # medical oncology's, carried as it was
    assert second.notes == ""  # a snapshot's notes are its own
    assert second.observed_on == {
        "ambulatory_status": EARLY.isoformat(),
        "extraspinal_bone_metastases_count": EARLY.isoformat(),
        "frankel_grade": EARLY.isoformat(),
        "serum_albumin_g_dl": EARLY.isoformat(),
        "vertebral_metastases_count": EARLY.isoformat(),
        "visceral_metastases": EARLY.isoformat(),
    }
    assert second.observed_date("karnofsky") == TODAY
    assert second.observed_date("serum_albumin_g_dl") == EARLY
    audit = AuditEvent.objects.filter(object_type="cases.clinicalstatus", object_id=second.pk)
    assert "serum_albumin_g_dl" in audit.get(action="create").detail


def test_a_value_carried_twice_keeps_its_first_date(world: World) -> None:
    case = make_case(world, status="in_workup")
    first_status(world, case)
    services.clinical_status_record(
        by=world.coordinator, case=case, recorded_on=MIDDLE, karnofsky=70
    )
    third = services.clinical_status_record(
        by=world.coordinator, case=case, recorded_on=TODAY, frankel_grade="D"
    )
    assert third.karnofsky == 70
    assert third.observed_on["karnofsky"] == MIDDLE.isoformat()
    assert third.observed_on["serum_albumin_g_dl"] == EARLY.isoformat()
    assert "frankel_grade" not in third.observed_on


def test_an_empty_value_means_not_known_now_and_is_not_carried(world: World) -> None:
    case = make_case(world, status="in_workup")
    first_status(world, case)
    second = services.clinical_status_record(
        by=world.coordinator, case=case, recorded_on=TODAY, serum_albumin_g_dl=None
    )
    assert second.serum_albumin_g_dl is None
    assert "serum_albumin_g_dl" not in second.observed_on


def test_entering_a_carried_value_makes_it_today_s(world: World) -> None:
    case = make_case(world, status="in_workup")
    first_status(world, case)
    second = services.clinical_status_record(
        by=world.coordinator, case=case, recorded_on=TODAY, karnofsky=60
    )
    updated = services.clinical_status_update(
        by=world.coordinator, status=second, serum_albumin_g_dl=Decimal("3.2")
    )
    assert "serum_albumin_g_dl" not in updated.observed_on
    assert ClinicalStatus.objects.get(pk=second.pk).observed_date("serum_albumin_g_dl") == TODAY
    assert "frankel_grade" in ClinicalStatus.objects.get(pk=second.pk).observed_on


def test_a_back_dated_status_carries_from_the_one_before_it(world: World) -> None:
    case = make_case(world, status="in_workup")
    first_status(world, case)
    services.clinical_status_record(
        by=world.coordinator, case=case, recorded_on=TODAY, karnofsky=40
    )
    between = services.clinical_status_record(
        by=world.coordinator, case=case, recorded_on=MIDDLE, frankel_grade="D"
    )
    assert between.karnofsky == 80  # from the earlier status, not from today's
    assert between.observed_on["karnofsky"] == EARLY.isoformat()


def test_a_contradiction_with_a_carried_value_names_the_field_given(world: World) -> None:
    case = make_case(world, status="in_workup")
    services.clinical_status_record(
        by=world.coordinator, case=case, recorded_on=EARLY, karnofsky=90
    )
    with pytest.raises(ValidationError) as excinfo:
        services.clinical_status_record(
            by=world.coordinator, case=case, recorded_on=TODAY, ecog="4"
        )
    assert list(excinfo.value.message_dict) == ["ecog"]


def test_scores_show_the_age_of_each_input_and_flag_stale_ones(world: World) -> None:
    case = make_case(world, status="in_workup")
    first_status(world, case)
    services.clinical_status_record(
        by=world.coordinator, case=case, recorded_on=TODAY, karnofsky=60
    )
    nesms = ScoreRecord.objects.get(case=case, calculator="nesms", is_current=True)
    assert nesms.observed["serum_albumin_g_dl"] == EARLY.isoformat()
    assert nesms.observed["ambulatory_status"] == EARLY.isoformat()
    client = client_for(world.surgeon)
    body = client.get(f"/api/v1/cases/{case.pk}/scores/").json()
    ages = {
        age["input"]: age
        for record in body["current"]
        if record["calculator"] == "tokuhashi_revised"
        for age in record["input_ages"]
    }
    assert ages["kps"] == {
        "input": "kps",
        "observed_on": TODAY.isoformat(),
        "age_days": 0,
        "stale": False,
    }
    assert (ages["frankel_grade"]["age_days"], ages["frankel_grade"]["stale"]) == (45, True)
    # The board decides what is too old.
    world.board.stale_input_days = 60
    world.board.save()
    body = client.get(f"/api/v1/cases/{case.pk}/scores/").json()
    assert not any(age["stale"] for record in body["current"] for age in record["input_ages"])


def test_the_case_page_flags_stale_inputs(world: World) -> None:
    case = make_case(world, status="in_workup")
    first_status(world, case)
    services.clinical_status_record(
        by=world.coordinator, case=case, recorded_on=TODAY, karnofsky=60
    )
    page = client_for(world.surgeon).get(f"/cases/{case.pk}/").content.decode()
    assert "frankel_grade observed 45 days ago" in page
    assert "kps observed" not in page


def test_a_re_observed_value_is_a_new_score_row_an_unchanged_one_is_not(world: World) -> None:
    case = make_case(world, status="in_workup")
    first_status(world, case)
    rows = ScoreRecord.objects.filter(case=case, calculator="nesms").count()
    # Everything carried: same values, same observation dates: nothing recomputed.
    services.clinical_status_record(
        by=world.coordinator, case=case, recorded_on=MIDDLE, notes="phone call"
    )
    assert ScoreRecord.objects.filter(case=case, calculator="nesms").count() == rows
    # Albumin measured again, same value: the score now rests on a newer observation.
    services.clinical_status_record(
        by=world.coordinator, case=case, recorded_on=TODAY, serum_albumin_g_dl=Decimal("3.9")
    )
    current = ScoreRecord.objects.get(case=case, calculator="nesms", is_current=True)
    assert current.observed["serum_albumin_g_dl"] == TODAY.isoformat()
    assert ScoreRecord.objects.filter(case=case, calculator="nesms").count() == rows + 1
