"""Scores computed from a case's records, stored with their inputs, kept as history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from cases import services
from cases.models import Case, ScoreRecord, SpinalLesion
from cases.selectors import chase_list
from cases.services import case_scores_recompute
from tests.conftest import World, client_for, make_case


def current(case: Case, calculator: str, lesion: SpinalLesion | None = None) -> ScoreRecord:
    return ScoreRecord.objects.get(case=case, calculator=calculator, lesion=lesion, is_current=True)


def full_case(world: World, **case_fields: Any) -> tuple[Case, SpinalLesion]:
    """A breast-cancer case with every input entered by its owning specialty."""
    case = make_case(world, status="in_workup", primary_tumor="breast", **case_fields)
    services.clinical_status_record(
        by=world.coordinator,
        case=case,
        recorded_on=dt.date(2026, 11, 1),
        karnofsky=70,
        frankel_grade="D",
        ambulatory_status="independent",
        neurological_deficit="none",
        extraspinal_bone_metastases_count=2,
        vertebral_metastases_count=1,
        serum_albumin_g_dl="3.6",
    )
    status = case.clinical_statuses.get()
    services.clinical_status_update(
        by=world.medonc,
        status=status,
        visceral_metastases="removable",
        visceral_metastases_treatability="treatable",
        bone_metastases_extent="multiple",
    )
    lesion = services.lesion_add(by=world.coordinator, case=case, level_from="T11", level_to="T12")
    services.lesion_update(
        by=world.radiologist,
        lesion=lesion,
        sins_bone_lesion="lytic",
        sins_alignment="normal",
        sins_vertebral_body_collapse="lt_50_percent",
        sins_posterolateral_involvement="unilateral",
        escc_grade="1b",
        pathologic_fracture=True,
    )
    services.lesion_update(
        by=world.surgeon, lesion=lesion, sins_pain="mechanical", mechanical_status="unstable"
    )
    services.case_scoring_inputs_update(by=world.medonc, case=case, tumor_growth="slow")
    services.case_scoring_inputs_update(
        by=world.radonc, case=case, radiosensitivity="radiosensitive"
    )
    services.case_scoring_inputs_update(by=world.surgeon, case=case, able_to_tolerate_surgery=True)
    return case, lesion


def test_every_score_is_computed_from_the_records(world: World) -> None:
    case, lesion = full_case(world)
    # SINS: junctional 3 + mechanical 3 + lytic 2 + normal 0 + <50% 2 + unilateral 1 = 11.
    sins = current(case, "sins", lesion)
    assert (sins.status, sins.result["total"], sins.category) == (
        "complete",
        11,
        "potentially_unstable",
    )
    assert sins.inputs == {
        "spinal_level": "T11",
        "spinal_level_to": "T12",
        "pain": "mechanical",
        "bone_lesion": "lytic",
        "alignment": "normal",
        "vertebral_body_collapse": "lt_50_percent",
        "posterolateral_involvement": "unilateral",
    }
    assert current(case, "escc", lesion).category == "low_grade"
    # Tokuhashi: KPS 70 -> 1, 2 extraspinal -> 1, 1 vertebral -> 2, removable -> 1,
    # breast -> 5, Frankel D -> 1: 11, ">= 6 months".
    tokuhashi = current(case, "tokuhashi_revised")
    assert (tokuhashi.result["total"], tokuhashi.category) == (11, "ge_6_months")
    # Tomita: slow 1 + treatable 2 + multiple 2 = 5.
    tomita = current(case, "tomita")
    assert (tomita.result["total"], tomita.category) == (5, "marginal_or_intralesional_excision")
    # Bauer: visceral yes 0, fracture yes 0, solitary no (3 bone metastases) 0, not lung 1,
    # breast 1 = 2. Modified Bauer (no fracture item): 2 -> moderate.
    assert current(case, "bauer").result["total"] == 2
    assert (
        current(case, "modified_bauer").result["total"],
        current(case, "modified_bauer").category,
    ) == (
        2,
        "moderate",
    )
    # NESMS: modified Bauer 2 (not > 2) 0 + independent 1 + albumin 3.6 >= 3.5 1 = 2.
    assert current(case, "nesms").result["total"] == 2
    # NOMS: low-grade ESCC, no myelopathy, radiosensitive, unstable, can have surgery: R3.
    noms = current(case, "noms", lesion)
    assert noms.category == "stabilization_then_cebrt"
    assert noms.inputs["sins_total"] == 11
    assert noms.inputs["myelopathy"] is False


def test_missing_inputs_give_incomplete_scores_and_a_chase_list(world: World) -> None:
    case = make_case(world, status="in_workup", primary_tumor="kidney")
    services.lesion_add(by=world.coordinator, case=case, level_from="L5", level_to="L5")
    records = list(ScoreRecord.objects.filter(case=case, is_current=True).select_related("lesion"))
    assert {r.calculator for r in records} == {
        "tokuhashi_revised",
        "tomita",
        "bauer",
        "modified_bauer",
        "nesms",
        "sins",
        "escc",
        "noms",
    }
    assert all(r.status == "incomplete" and r.total is None for r in records)
    tokuhashi = next(r for r in records if r.calculator == "tokuhashi_revised")
    assert tokuhashi.result["missing"] == [
        "general_condition",
        "extraspinal_bone_metastases",
        "vertebral_body_metastases",
        "major_organ_metastases",
        "palsy",
    ]
    chase = {item["key"]: item for item in chase_list(records)}
    escc = chase["lesion.escc_grade"]
    assert (escc["label"], escc["record"], escc["field"], escc["owners"]) == (
        "ESCC (Bilsky) grade",
        "lesion",
        "escc_grade",
        ["radiology"],
    )
    assert escc["lesion_levels"] == "L5"
    assert escc["lesion"] == SpinalLesion.objects.get(case=case).pk
    assert set(escc["needed_by"]) == {"escc (L5)", "noms (L5)"}
    assert chase["case.radiosensitivity"]["owners"] == ["radiation_oncology"]
    treatability = chase["clinical_status.visceral_metastases_treatability"]
    assert treatability["needed_by"] == ["tomita"]
    assert chase["lesion.sins_pain"]["owners"] == ["spine_surgery"]
    # Two counts feed "solitary skeletal metastasis": both are chased, once each.
    assert set(chase["clinical_status.extraspinal_bone_metastases_count"]["needed_by"]) == {
        "tokuhashi_revised",
        "bauer",
        "modified_bauer",
        "nesms",
    }
    assert "case.primary_tumor" not in chase  # entered at referral
    assert len(chase) == len(chase_list(records))  # each input once


def test_ecog_alone_is_not_converted_to_kps(world: World) -> None:
    case = make_case(world, status="in_workup")
    services.clinical_status_record(
        by=world.coordinator, case=case, recorded_on=dt.date(2026, 11, 1), ecog="1"
    )
    assert "general_condition" in current(case, "tokuhashi_revised").result["missing"]


def test_the_latest_clinical_status_is_used(world: World) -> None:
    case = make_case(world, status="in_workup")
    for day, kps in [(10, 40), (1, 90)]:
        services.clinical_status_record(
            by=world.coordinator, case=case, recorded_on=dt.date(2026, 11, day), karnofsky=kps
        )
    assert current(case, "tokuhashi_revised").inputs["kps"] == 40


def test_a_change_keeps_the_previous_result_as_history(world: World) -> None:
    case, lesion = full_case(world)
    before = current(case, "sins", lesion)
    services.lesion_update(
        by=world.radiologist, lesion=lesion, sins_alignment="subluxation_translation"
    )
    after = current(case, "sins", lesion)
    assert after.pk != before.pk
    assert (after.result["total"], after.category) == (15, "unstable")
    before.refresh_from_db()
    assert before.is_current is False
    assert before.superseded_at == after.computed_at
    assert before.result["total"] == 11  # the old result is kept as it was
    history = client_for(world.coordinator).get(
        f"/api/v1/scores/?case={case.pk}&calculator=sins&current=false"
    )
    # Newest first: the complete 11, then the two incomplete versions from before the
    # radiologist and the surgeon had entered their items.
    assert [row["result"]["total"] for row in history.json()["results"]] == [11, None, None]
    assert [row["status"] for row in history.json()["results"]] == [
        "complete",
        "incomplete",
        "incomplete",
    ]


def test_recompute_without_changes_writes_nothing(world: World) -> None:
    case, _ = full_case(world)
    count = ScoreRecord.objects.count()
    case_scores_recompute(case=case)
    case_scores_recompute(case=case)
    assert ScoreRecord.objects.count() == count


def test_a_change_not_affecting_a_score_does_not_version_it(world: World) -> None:
    case, lesion = full_case(world)
    tomita = current(case, "tomita")
    services.lesion_update(by=world.coordinator, lesion=lesion, notes="seen on the new MRI")
    services.lesion_update(by=world.radiologist, lesion=lesion, escc_grade="2")
    assert current(case, "tomita").pk == tomita.pk
    assert current(case, "escc", lesion).category == "high_grade"


def test_a_failed_change_leaves_scores_untouched(world: World) -> None:
    case, lesion = full_case(world)
    count = ScoreRecord.objects.count()
    with pytest.raises(PermissionDenied):
        services.lesion_update(by=world.coordinator, lesion=lesion, escc_grade="3")
    assert ScoreRecord.objects.count() == count
    assert current(case, "escc", lesion).inputs == {"escc_grade": "1b"}


def test_noms_unresolved_cases_need_the_board(world: World) -> None:
    case, lesion = full_case(world)
    services.lesion_update(by=world.radiologist, lesion=lesion, escc_grade="1c")
    noms = current(case, "noms", lesion)
    assert noms.status == "board_decision_required"
    assert noms.total is None


@pytest.mark.parametrize(
    ("user", "fields"),
    [
        ("coordinator", {"escc_grade": "2"}),
        ("attending", {"sins_bone_lesion": "lytic"}),
        ("surgeon", {"sins_alignment": "normal"}),
        ("radiologist", {"sins_pain": "mechanical"}),
        ("radiologist", {"mechanical_status": "stable"}),
        ("medonc", {"pathologic_fracture": True}),
    ],
)
def test_specialists_set_only_the_components_they_own(
    world: World, user: str, fields: dict[str, Any]
) -> None:
    case = make_case(world, status="in_workup")
    lesion = services.lesion_add(by=world.coordinator, case=case, level_from="T3", level_to="T3")
    response = client_for(world.users[user]).patch(
        f"/api/v1/lesions/{lesion.pk}/", fields, format="json"
    )
    assert response.status_code == 403
    assert next(iter(fields)) in response.json()["detail"]
    lesion.refresh_from_db()
    assert getattr(lesion, next(iter(fields))) in ("", None)


@pytest.mark.parametrize(
    ("user", "fields"),
    [
        ("surgeon", {"tumor_growth": "slow"}),
        ("medonc", {"radiosensitivity": "radiosensitive"}),
        ("radiologist", {"able_to_tolerate_surgery": True}),
        ("coordinator", {"able_to_tolerate_local_treatment": False}),
    ],
)
def test_case_judgements_belong_to_their_specialty(
    world: World, user: str, fields: dict[str, Any]
) -> None:
    case = make_case(world, status="in_workup")
    response = client_for(world.users[user]).patch(
        f"/api/v1/cases/{case.pk}/scoring-inputs/", fields, format="json"
    )
    assert response.status_code == 403


def test_coordinator_cannot_set_systemic_items_but_can_record_the_rest(world: World) -> None:
    case = make_case(world, status="in_workup")
    client = client_for(world.coordinator)
    denied = client.post(
        "/api/v1/clinical-statuses/",
        {"case": case.pk, "recorded_on": "2026-11-01", "visceral_metastases": "none"},
        format="json",
    )
    assert denied.status_code == 403
    allowed = client.post(
        "/api/v1/clinical-statuses/",
        {"case": case.pk, "recorded_on": "2026-11-01", "karnofsky": 60, "frankel_grade": "E"},
        format="json",
    )
    assert allowed.status_code == 201


def test_scoring_inputs_validation_names_the_field(world: World) -> None:
    case = make_case(world, status="in_workup")
    response = client_for(world.medonc).patch(
        f"/api/v1/cases/{case.pk}/scoring-inputs/", {"tumor_growth": "glacial"}, format="json"
    )
    assert response.status_code == 400
    assert "tumor_growth" in response.json()["errors"]


def test_case_scores_endpoint(world: World) -> None:
    case, lesion = full_case(world)
    body = client_for(world.attending).get(f"/api/v1/cases/{case.pk}/scores/").json()
    assert body["case"] == case.pk
    by_name = {(r["calculator"], r["lesion"]): r for r in body["current"]}
    sins = by_name[("sins", lesion.pk)]
    assert sins["total"] == 11
    assert sins["lesion_levels"] == "T11–T12"
    assert sins["category_label"].startswith("Potentially unstable")
    assert [c["points"] for c in sins["result"]["components"]] == [3, 3, 2, 0, 2, 1]
    assert body["suggestions"]["tumor_growth"] == {
        "suggested": "slow",
        "confirmed": "slow",
        "owner": "medical_oncology",
    }
    assert body["chase"] == []


def test_other_board_cannot_read_scores(world: World) -> None:
    case, _ = full_case(world)
    client = client_for(world.other_coordinator)
    assert client.get(f"/api/v1/cases/{case.pk}/scores/").status_code == 404
    record = current(case, "tomita")
    assert client.get(f"/api/v1/scores/{record.pk}/").status_code == 404
    # Named in a filter, another board's case reads like one that does not exist (400).
    filtered = client.get(f"/api/v1/scores/?case={case.pk}")
    assert filtered.status_code == 400
    assert list(filtered.json()["errors"]) == ["case"]


def test_case_page_shows_the_conventions_used(world: World) -> None:
    case, _ = full_case(world)
    notes = current(case, "nesms").result["notes"]
    assert notes  # e.g. the modified Bauer derived from its inputs
    page = client_for(world.surgeon).get(f"/cases/{case.pk}/").content.decode()
    from django.utils.html import escape

    assert all(escape(note) in page for note in notes)


def test_case_page_shows_scores_and_what_to_chase(world: World) -> None:
    case = make_case(world, status="in_workup")
    services.lesion_add(by=world.coordinator, case=case, level_from="C7", level_to="T1")
    client = client_for(world.surgeon)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Scores" in page
    assert "Revised Tokuhashi score (2005)" in page
    assert "To chase" in page
    assert "escc_grade" in page


def test_recompute_command_versions_only_what_changed(world: World) -> None:
    from io import StringIO

    from django.core.management import call_command

    case, lesion = full_case(world)
    other = make_case(world, status="in_workup")
    out = StringIO()
    call_command("recompute_scores", stdout=out)
    assert "2 case(s) checked, 0 new score version(s) stored." in out.getvalue()
    # A calculator fixed in a later release: its stored version is older than the code's.
    old = current(case, "sins", lesion)
    ScoreRecord.objects.filter(pk=old.pk).update(version="sins-0.9.0")
    out = StringIO()
    call_command("recompute_scores", str(case.pk), stdout=out)
    assert "1 case(s) checked, 1 new score version(s) stored." in out.getvalue()
    assert current(case, "sins", lesion).version == "sins-1.0.0"
    assert ScoreRecord.objects.get(pk=old.pk).is_current is False
    assert other.score_records.filter(is_current=True).count() == 5
