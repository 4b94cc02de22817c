"""Home by role: what each user has to do now, only from their own boards, audited, in a fixed
number of queries whatever the data size (measured on the small and the grown world of
``tests.querycount``)."""

from __future__ import annotations

from typing import Any

import pytest

from cases.models import AuditEvent
from meetings import services as meeting_services
from tests.conftest import World, client_for, make_case
from tests.querycount import assert_exact, build, measure_small_and_grown


def test_anonymous_users_are_sent_to_sign_in(db: Any) -> None:
    from django.test import Client

    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_coordinator_sees_referrals_fast_tracks_and_letters_of_their_board(
    world: World,
) -> None:
    scene = build(world)  # a case in work-up on a meeting, a fast track, a signed decision
    mine = make_case(world, urgency="emergency", clinical_question="Cauda equina?")
    theirs = make_case(world, board=world.other_board)
    html = client_for(world.coordinator).get("/").content.decode()
    assert "Referrals waiting to be accepted" in html
    assert f'href="/cases/{mine.pk}/"' in html
    assert f'href="/cases/{theirs.pk}/"' not in html
    assert theirs.patient.family_name.upper() not in html
    assert "Cord-compression fast track" in html
    assert f'href="/cases/{scene.fasttrack.case_id}/"' in html
    assert "Letters not yet sent to the referrer" in html
    assert scene.decision.number in html
    assert "Next meetings" in html
    assert "Assessments your specialty owes" not in html  # not a specialist
    assert AuditEvent.objects.filter(
        user_id=world.coordinator.pk, action="list", patient_id=mine.patient_id
    ).exists()


def test_a_specialist_sees_the_assessments_their_specialty_owes(world: World) -> None:
    scene = build(world)  # radiology submitted for the scene's case; surgery has not
    other = make_case(world, status="in_workup")
    html = client_for(world.surgeon).get("/").content.decode()
    assert "Assessments your specialty owes" in html
    assert "Spine surgery · Spine Board" in html
    # The case on the next meeting's agenda comes first.
    first, second = (
        html.index(f'href="/cases/{scene.case.pk}/"'),
        html.index(f'href="/cases/{other.pk}/"'),
    )
    assert first < second
    assert "Referrals waiting to be accepted" not in html  # not a coordinator
    radiology = client_for(world.radiologist).get("/").content.decode()
    assert f'href="/cases/{scene.case.pk}/"' not in radiology  # submitted: owes nothing
    assert f'href="/cases/{other.pk}/"' in radiology


def test_an_attending_sees_the_decisions_waiting_for_a_signature(world: World) -> None:
    scene = build(world)
    case = make_case(world, status="in_workup", urgency="urgent")
    meeting_services.fast_track_open(
        by=world.coordinator,
        case=case,
        neurological_signs=False,
        suspected_at=scene.fasttrack.suspected_at,
    )
    draft = meeting_services.decision_create(
        by=world.attending,
        case=case,
        kind="fast_track",
        intent="palliative",
        rationale="Radiotherapy.",
        follows_noms=True,
    )
    html = client_for(world.attending).get("/").content.decode()
    assert "Decisions waiting for your signature" in html
    assert f'href="/cases/{draft.case_id}/"' in html
    assert "Letters not yet sent" not in html  # the coordinator's
    assert "left" in html  # the fast-track clocks say how long is left


def test_a_user_of_no_board_is_told_how_to_get_access(world: World) -> None:
    html = client_for(world.outsider).get("/").content.decode()
    assert "You belong to no board yet" in html


# Home: the session's 5 (session and user before the view; the session's save after it), the
# board ids, the user's memberships (the frame and the page share them), the unread count of
# the header's badge, one audit INSERT; then, per role, one queryset per section:
# coordinator 16: + the next meetings (with their counts), the fast-track queue, the
#   referrals (+ expected specialties and submitted assessments, prefetched), the letters
#   (+ their actions);
# specialist 12: + the worklist of every specialty of the user at once (+ the two prefetches);
# attending 12: + the next meetings, the fast-track queue, the decisions to sign.
HOME = {"coordinator": 16, "surgeon": 12, "attending": 12}


@pytest.mark.parametrize("persona", HOME)
def test_home_runs_an_exact_number_of_queries(world: World, persona: str) -> None:
    client = client_for(world.users[persona])
    scene = build(world)
    make_case(world)  # a referral: every section has a row in both worlds
    small, grown = measure_small_and_grown(client, "GET /", scene)
    assert_exact(f"GET / as {persona}", HOME[persona], small, grown)
