"""Row history of clinical records (django-simple-history), attributed to whoever changed them,
and the case's workflow history (CaseStatusChange)."""

from __future__ import annotations

from cases import services
from cases.models import Case, CaseStatus, Membership, Role, Specialty, SpecialtyAssessment
from tests.conftest import World, make_case, make_user


def test_updating_a_case_keeps_the_previous_version(world: World) -> None:
    case = make_case(world, comorbidities="hypertension")
    versions = case.history.count()
    services.case_update(by=world.coordinator, case=case, comorbidities="x")
    assert case.history.count() == versions + 1
    latest = case.history.latest()
    assert latest.history_type == "~"
    assert latest.history_user == world.coordinator
    assert latest.comorbidities == "x"
    assert latest.prev_record.comorbidities == "hypertension"
    # The first version is the referral, by the coordinator who referred.
    first = case.history.earliest()
    assert first.history_type == "+"
    assert first.history_user == world.coordinator


def test_an_unchanged_update_writes_no_version(world: World) -> None:
    case = make_case(world, comorbidities="hypertension")
    versions = case.history.count()
    services.case_update(by=world.coordinator, case=case, comorbidities="hypertension")
    assert case.history.count() == versions


def test_transitions_are_versions_of_the_case_too(world: World) -> None:
    case = make_case(world, status="ready")
    statuses = list(case.history.order_by("history_date", "history_id").values_list("status"))
    assert [s for (s,) in statuses] == ["referred", "in_workup", "ready"]


def test_updating_a_lesion_keeps_the_previous_version(world: World) -> None:
    case = make_case(world)
    lesion = services.lesion_add(
        by=world.coordinator, case=case, level_from="T4", level_to="T5", notes="outside MRI"
    )
    services.lesion_update(by=world.radiologist, lesion=lesion, escc_grade="2", notes="re-read")
    assert lesion.history.count() == 2
    latest = lesion.history.latest()
    assert latest.history_user == world.radiologist
    assert (latest.escc_grade, latest.notes) == ("2", "re-read")
    previous = latest.prev_record
    assert previous.history_user == world.coordinator
    assert (previous.escc_grade, previous.notes) == ("", "outside MRI")


def test_updating_an_assessment_keeps_the_previous_version(world: World) -> None:
    case = make_case(world, status="in_workup")
    assessment = services.assessment_create(
        by=world.surgeon,
        case=case,
        specialty=world.specialties[Specialty.SPINE_SURGERY],
        details={"stability": "stable"},
        opinion="first view",
    )
    services.assessment_update(
        by=world.surgeon,
        assessment=assessment,
        details={"stability": "unstable"},
        opinion="second view",
    )
    stored = SpecialtyAssessment.objects.get(pk=assessment.pk)
    assert stored.history.count() == 2
    latest = stored.history.latest()
    assert latest.history_user == world.surgeon
    assert latest.opinion == "second view"
    assert latest.details["stability"] == "unstable"
    assert latest.prev_record.opinion == "first view"
    assert latest.prev_record.details["stability"] == "stable"


def test_submitting_and_reopening_an_assessment_are_versions(world: World) -> None:
    case = make_case(world, status="in_workup")
    assessment = services.assessment_create(
        by=world.radiologist,
        case=case,
        specialty=world.specialties[Specialty.RADIOLOGY],
        details={"imaging_findings": "no lesion seen"},
        opinion="nothing to treat",
    )
    by = world.radiologist
    services.assessment_change_status(by=by, assessment=assessment, transition="submit")
    services.assessment_change_status(by=by, assessment=assessment, transition="reopen")
    history = assessment.history.order_by("history_date", "history_id")
    assert [h.status for h in history] == ["draft", "submitted", "draft"]
    assert [h.version for h in history] == [1, 2, 3]
    assert {h.history_user for h in history} == {world.radiologist}


def test_memberships_keep_their_history_through_grant_and_revoke(world: World) -> None:
    newcomer = make_user("newcomer")
    membership = services.membership_grant(
        by=world.admin, board=world.board, user=newcomer, role=Role.ATTENDING
    )
    membership_id = membership.pk
    services.membership_revoke(by=world.admin, membership=membership)
    assert not Membership.objects.filter(pk=membership_id).exists()
    history = Membership.history.filter(id=membership_id).order_by("history_date", "history_id")
    assert [h.history_type for h in history] == ["+", "-"]
    assert all(h.history_user == world.admin for h in history)
    assert all(h.user_id == newcomer.pk and h.role == Role.ATTENDING for h in history)


def test_status_changes_record_every_transition(world: World) -> None:
    case = make_case(world, status="closed")
    services.case_transition(
        by=world.coordinator, case=case, transition="re_present", reason="  progression at T9 "
    )
    changes = list(case.status_changes.all())
    assert [(c.transition, c.from_status, c.to_status) for c in changes] == [
        ("refer", "referred", "referred"),
        ("accept", "referred", "in_workup"),
        ("mark_ready", "in_workup", "ready"),
        ("record_discussion", "ready", "discussed"),
        ("close", "discussed", "closed"),
        ("re_present", "closed", "in_workup"),
    ]
    assert [c.changed_by for c in changes] == [world.coordinator] * 3 + [world.attending] + [
        world.coordinator
    ] * 2
    assert changes[-1].reason == "progression at T9"
    assert all(c.reason == "" for c in changes[:-1])
    case = Case.objects.get(pk=case.pk)
    assert case.status == CaseStatus.IN_WORKUP
    assert case.current_presentation is not None
    assert case.current_presentation.number == 2
    assert case.current_presentation.reason == "progression at T9"


def test_a_decline_records_who_declined_and_why(world: World) -> None:
    case = make_case(world, board=world.other_board)
    services.case_transition(
        by=world.other_coordinator, case=case, transition="decline", reason="not spinal"
    )
    change = case.status_changes.get(transition="decline")
    assert (change.from_status, change.to_status) == ("referred", "declined")
    assert change.changed_by == world.other_coordinator
    assert change.reason == "not spinal"
