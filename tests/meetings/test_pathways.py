"""Standard pathways (``standard-pathways/``: approve versions, retire, read, filter) and the
triage of agenda items to them (``agenda-items/{id}/triage/``, ``untriage/``, ``pathways/``):
who may, what is refused and how (400 naming the field, 403, 404), what each write changes.

Real services throughout; the clock is fixed with time-machine."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services as case_services
from cases.models import AuditEvent
from meetings import services
from meetings.models import AgendaItem, MeetingStatus, StandardPathway
from tests.conftest import World, client_for
from tests.meetings.test_readiness import (
    NOW,
    UNSTABLE_PAIN,
    add,
    full_case,
    meeting,
)

URL = "/api/v1/standard-pathways/"
#: Met by ``full_case``'s default case: SINS 5, ESCC 1a, radiosensitive, breast.
CRITERIA: list[dict[str, Any]] = [
    {"fact": "sins_max", "op": "lt", "value": 7},
    {"fact": "escc_max", "op": "le", "value": "1b"},
    {"fact": "radiosensitivity", "op": "eq", "value": "radiosensitive"},
]


def body(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "board": world.board.pk,
        "code": "stable-radiosensitive",
        "title": "Stable, radiosensitive, low-grade ESCC: cEBRT",
        "recommendation": "Conventional radiotherapy 8 Gy in 1 fraction.",
        "intent": "palliative",
        "plan": {"radiotherapy": {"technique": "cebrt", "dose_gy": 8, "fractions": 1}},
        "criteria": CRITERIA,
        **extra,
    }


def approve(world: World, board: Any = None, **extra: Any) -> StandardPathway:
    board = board or world.board
    by = world.attending if board == world.board else world.other_attending
    fields = {k: v for k, v in body(world, **extra).items() if k != "board"}
    return services.standard_pathway_approve(by=by, board=board, **fields)


# --- Approving versions -----------------------------------------------------------------------


def test_an_attending_approves_version_1_then_the_next_retiring_the_live_one(
    world: World,
) -> None:
    client = client_for(world.attending)
    first = client.post(URL, body(world), format="json")
    assert first.status_code == 201, first.content
    assert (first.json()["version"], first.json()["live"]) == (1, True)
    assert first.json()["approved_by"] == "attending"
    second = client.post(URL, body(world, title="Updated"), format="json")
    assert second.status_code == 201
    assert (second.json()["version"], second.json()["live"]) == (2, True)
    old = StandardPathway.objects.get(pk=first.json()["id"])
    assert old.retired_at is not None
    assert old.retired_by == world.attending
    assert old.title == body(world)["title"]  # never edited
    # Another code starts at 1; the same code on another board is another pathway.
    assert client.post(URL, body(world, code="other"), format="json").json()["version"] == 1
    other = approve(world, board=world.other_board)
    assert other.version == 1
    # After a retirement, the next approval is still the next version number.
    services.standard_pathway_retire(
        by=world.attending, pathway=StandardPathway.objects.get(pk=second.json()["id"])
    )
    assert client.post(URL, body(world), format="json").json()["version"] == 3
    assert (
        StandardPathway.objects.filter(
            code="stable-radiosensitive", board=world.board, retired_at__isnull=True
        ).count()
        == 1
    )


@pytest.mark.parametrize("persona", ["coordinator", "surgeon", "radiologist"])
def test_a_non_attending_cannot_approve(world: World, persona: str) -> None:
    response = client_for(world.users[persona]).post(URL, body(world), format="json")
    assert response.status_code == 403
    assert not StandardPathway.objects.exists()


def test_another_boards_attending_cannot_approve_here(world: World) -> None:
    for user in (world.other_attending, world.outsider):
        response = client_for(user).post(URL, body(world), format="json")
        assert response.status_code == 400
        assert "does not exist" in " ".join(response.json()["errors"]["board"])
    assert client_for(None).post(URL, body(world), format="json").status_code in (401, 403)
    assert not StandardPathway.objects.exists()


@pytest.mark.parametrize(
    ("criteria", "field"),
    [
        ("sins < 7", "criteria"),
        ([], "criteria"),
        ([*CRITERIA, {"fact": "sins", "op": "lt", "value": 7}], "criteria[3].fact"),
        ([{"fact": "sins_max", "op": "below", "value": 7}], "criteria[0].op"),
        ([{"fact": "sins_max", "op": "lt", "value": "seven"}], "criteria[0].value"),
        ([CRITERIA[0], {"fact": "escc_max", "op": "lt", "value": "4"}], "criteria[1].value"),
        ([{"fact": "cord_compression", "op": "gt", "value": True}], "criteria[0].op"),
        ([[1, 2]], "criteria[0]"),
    ],
)
def test_bad_criteria_are_a_400_naming_the_place(world: World, criteria: Any, field: str) -> None:
    response = client_for(world.attending).post(URL, body(world, criteria=criteria), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()
    assert not StandardPathway.objects.exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"plan": [1, 2]}, "plan"),
        ({"intent": "heroic"}, "intent"),
        ({"code": "not a slug!"}, "code"),
        ({"title": ""}, "title"),
        ({"criteria": None}, "criteria"),
    ],
)
def test_other_bad_input_is_a_400_naming_the_field(
    world: World, extra: dict[str, Any], field: str
) -> None:
    response = client_for(world.attending).post(URL, body(world, **extra), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


def test_versions_are_never_edited_or_deleted(world: World) -> None:
    pathway = approve(world)
    client = client_for(world.attending)
    for method in ("patch", "put", "delete"):
        response = getattr(client, method)(f"{URL}{pathway.pk}/", {"title": "x"}, format="json")
        assert response.status_code == 405, method
    pathway.refresh_from_db()
    assert pathway.title == body(world)["title"]


# --- Retiring ---------------------------------------------------------------------------------


def test_an_attending_retires_a_live_version_once(world: World) -> None:
    pathway = approve(world)
    url = f"{URL}{pathway.pk}/retire/"
    assert client_for(world.coordinator).post(url).status_code == 403
    assert client_for(world.surgeon).post(url).status_code == 403
    assert client_for(world.other_attending).post(url).status_code == 404
    response = client_for(world.attending).post(url)
    assert response.status_code == 200
    assert response.json()["live"] is False
    assert response.json()["retired_by"] == "attending"
    again = client_for(world.attending).post(url)
    assert again.status_code == 400
    assert list(again.json()["errors"]) == ["pathway"]


# --- Reading ----------------------------------------------------------------------------------


def test_members_read_their_boards_pathways_with_filters(world: World) -> None:
    v1 = approve(world)
    v2 = approve(world, title="v2")
    other_code = approve(world, code="other")
    elsewhere = approve(world, board=world.other_board)
    client = client_for(world.surgeon)
    ids = lambda query="": [row["id"] for row in client.get(URL + query).json()["results"]]  # noqa: E731
    assert set(ids()) == {v1.pk, v2.pk, other_code.pk}
    assert set(ids("?live=true")) == {v2.pk, other_code.pk}
    assert ids("?live=false") == [v1.pk]
    assert set(ids("?code=stable-radiosensitive")) == {v1.pk, v2.pk}
    assert set(ids(f"?board={world.board.pk}&live=true")) == {v2.pk, other_code.pk}
    for bad, field in (
        ("?live=maybe", "live"),
        (f"?board={world.other_board.pk}", "board"),
        ("?ordering=title", "ordering"),
    ):
        response = client.get(URL + bad)
        assert response.status_code == 400, bad
        assert field in response.json()["errors"]
    assert client.get(f"{URL}{v2.pk}/").json()["criteria"] == CRITERIA
    assert client.get(f"{URL}{elsewhere.pk}/").status_code == 404
    assert client_for(world.outsider).get(URL).json()["count"] == 0


# --- Triage -----------------------------------------------------------------------------------


def triage_url(item: AgendaItem, action: str = "triage") -> str:
    return f"/api/v1/agenda-items/{item.pk}/{action}/"


@time_machine.travel(NOW, tick=False)
def test_a_coordinator_triages_an_item_to_a_pathway_the_case_meets(world: World) -> None:
    pathway = approve(world)
    m = meeting(world)
    item = add(world, m, full_case(world))
    version = m.agenda_version
    response = client_for(world.coordinator).post(
        triage_url(item), {"pathway": pathway.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["kind"], data["pathway"], data["minutes_allotted"]) == (
        "ratification",
        pathway.pk,
        services.RATIFICATION_MINUTES,
    )
    assert data["readiness"]["pathway"]["matches"] is True
    assert data["readiness"]["ready"] is True
    assert response["ETag"] == f'"{data["version"]}"'
    m.refresh_from_db()
    assert m.agenda_version == version + 1
    audit = AuditEvent.objects.get(
        object_type="meetings.agendaitem", object_id=str(item.pk), action="update"
    )
    assert audit.changed_fields == ["kind", "pathway", "minutes_allotted"]
    assert audit.user_id == world.coordinator.pk


@time_machine.travel(NOW, tick=False)
def test_a_case_that_does_not_meet_the_criteria_is_refused_with_the_reasons(
    world: World,
) -> None:
    pathway = approve(world)
    m = meeting(world)
    item = add(world, m, full_case(world, pain=UNSTABLE_PAIN, escc="2"))
    response = client_for(world.coordinator).post(
        triage_url(item), {"pathway": pathway.pk}, format="json"
    )
    assert response.status_code == 400
    reasons = response.json()["errors"]["pathway"]
    assert any("highest SINS is 8, needs below 7" in r for r in reasons)
    assert any("highest ESCC grade is 2, needs at most 1b" in r for r in reasons)
    item.refresh_from_db()
    assert (item.kind, item.pathway_id, item.minutes_allotted) == ("full", None, 10)


@time_machine.travel(NOW, tick=False)
def test_a_retired_or_other_boards_pathway_is_refused(world: World) -> None:
    retired = approve(world)
    live = approve(world)  # retires ``retired``
    elsewhere = approve(world, board=world.other_board)
    m = meeting(world)
    item = add(world, m, full_case(world))
    client = client_for(world.coordinator)
    response = client.post(triage_url(item), {"pathway": retired.pk}, format="json")
    assert response.status_code == 400
    assert f"live version is {live.pk}" in response.json()["errors"]["pathway"][0]
    # Invisible to the board's coordinator: it "does not exist".
    response = client.post(triage_url(item), {"pathway": elsewhere.pk}, format="json")
    assert response.status_code == 400
    assert "does not exist" in response.json()["errors"]["pathway"][0]
    # Visible to a member of both boards, yet of another board: refused, naming it.
    response = client_for(world.admin).post(
        triage_url(item), {"pathway": elsewhere.pk}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["pathway"]
    for bad in ({}, {"pathway": "x"}, {"pathway": 999999}):
        response = client.post(triage_url(item), bad, format="json")
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["pathway"]


@time_machine.travel(NOW, tick=False)
def test_who_may_triage(world: World) -> None:
    pathway = approve(world)
    item = add(world, meeting(world), full_case(world))
    for persona, status in (
        ("attending", 403),
        ("surgeon", 403),
        ("other_coordinator", 404),
        ("outsider", 404),
    ):
        response = client_for(world.users[persona]).post(
            triage_url(item), {"pathway": pathway.pk}, format="json"
        )
        assert response.status_code == status, persona
    item.refresh_from_db()
    assert item.kind == "full"


@time_machine.travel(NOW, tick=False)
def test_untriage_by_an_attending_or_a_coordinator(world: World) -> None:
    pathway = approve(world)
    m = meeting(world)
    item = add(world, m, full_case(world))
    for by, status in (
        ("surgeon", 403),
        ("other_attending", 404),
        ("attending", 200),
        ("coordinator", 200),
    ):
        services.agenda_item_triage(by=world.coordinator, item=item, pathway=pathway)
        response = client_for(world.users[by]).post(triage_url(item, "untriage"))
        assert response.status_code == status, by
        item.refresh_from_db()
        if status == 200:
            assert (item.kind, item.pathway_id, item.minutes_allotted) == ("full", None, 10)
            assert response.json()["readiness"]["pathway"] is None
        else:
            assert item.kind == "ratification"
            services.agenda_item_untriage(by=world.coordinator, item=item)
    # Untriaging a full-discussion item changes nothing (no new version, no agenda change).
    item.refresh_from_db()
    m.refresh_from_db()
    before = (item.version, m.agenda_version)
    assert client_for(world.attending).post(triage_url(item, "untriage")).status_code == 200
    item.refresh_from_db()
    m.refresh_from_db()
    assert (item.version, m.agenda_version) == before


@time_machine.travel(NOW, tick=False)
def test_an_attending_untriages_during_the_meeting_but_not_after(world: World) -> None:
    pathway = approve(world)
    m = meeting(world)
    item = add(world, m, full_case(world))
    services.agenda_item_triage(by=world.coordinator, item=item, pathway=pathway)
    services.meeting_start(by=world.attending, meeting=m)
    assert client_for(world.attending).post(triage_url(item, "untriage")).status_code == 200
    services.meeting_close(by=world.attending, meeting=m)
    m.refresh_from_db()
    assert m.status == MeetingStatus.CLOSED
    response = client_for(world.coordinator).post(
        triage_url(item), {"pathway": pathway.pk}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["status"]


@time_machine.travel(NOW, tick=False)
def test_a_stale_if_match_is_a_412(world: World) -> None:
    pathway = approve(world)
    item = add(world, meeting(world), full_case(world))
    response = client_for(world.coordinator).post(
        triage_url(item), {"pathway": pathway.pk}, format="json", HTTP_IF_MATCH='"99"'
    )
    assert response.status_code == 412
    assert response.json()["current_version"] == item.version


@time_machine.travel(NOW, tick=False)
def test_which_pathways_the_case_fits(world: World) -> None:
    fits = approve(world)
    lung = approve(
        world, code="lung", criteria=[{"fact": "primary_tumor", "op": "eq", "value": "lung"}]
    )
    retired = approve(world, code="gone")
    services.standard_pathway_retire(by=world.attending, pathway=retired)
    approve(world, board=world.other_board)
    item = add(world, meeting(world), full_case(world))
    response = client_for(world.surgeon).get(triage_url(item, "pathways"))
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()}
    assert set(rows) == {fits.pk, lung.pk}  # live, this board's
    assert (rows[fits.pk]["matches"], rows[fits.pk]["reasons"]) == (True, [])
    assert rows[lung.pk]["matches"] is False
    assert rows[lung.pk]["reasons"] == ["primary tumor is breast, needs lung"]
    assert client_for(world.other_surgeon).get(triage_url(item, "pathways")).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_readiness_flags_a_ratification_no_longer_met_or_retired(world: World) -> None:
    pathway = approve(world)
    m = meeting(world)
    case = full_case(world)
    item = add(world, m, case)
    services.agenda_item_triage(by=world.coordinator, item=item, pathway=pathway)
    url = f"/api/v1/meetings/{m.pk}/readiness/"
    client = client_for(world.surgeon)
    (row,) = client.get(url).json()["items"]
    assert row["ready"] is True
    # The case changes: the lesion's ESCC is now 2.
    lesion = case.lesions.get()
    case_services.lesion_update(by=world.admin, lesion=lesion, escc_grade="2")
    (row,) = client.get(url).json()["items"]
    assert row["ready"] is False
    assert row["pathway"]["matches"] is False
    assert row["pathway"]["reasons"] == ["highest ESCC grade is 2, needs at most 1b"]
    case_services.lesion_update(by=world.admin, lesion=lesion, escc_grade="1a")
    services.standard_pathway_retire(by=world.attending, pathway=pathway)
    (row,) = client.get(url).json()["items"]
    assert (row["ready"], row["pathway"]["live"], row["pathway"]["matches"]) == (
        False,
        False,
        True,
    )


# --- A fixed number of queries ----------------------------------------------------------------

#: As a member, with a session: 5 of the session (see tests/api/test_query_counts.py); the
#: user's board ids; then, for the list, COUNT and the page (board, approved_by, retired_by
#: joined); for the detail, the row. Not audited: no patient data.
PATHWAY_LIST_QUERIES = 8
PATHWAY_DETAIL_QUERIES = 7
#: GET agenda-items/{id}/pathways/: 5 + board ids; the item (get_object); its audit INSERT;
#: the item again with its case's records (four prefetches) and the live pathways.
ITEM_PATHWAYS_QUERIES = 14


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries)


@time_machine.travel(NOW, tick=False)
def test_pathway_reads_cost_the_same_with_1_or_many_rows(world: World) -> None:
    first = approve(world)
    item = add(world, meeting(world), full_case(world, lesions=1))
    client = client_for(world.surgeon)
    counts = [
        _queries(client, URL),
        _queries(client, f"{URL}{first.pk}/"),
        _queries(client, triage_url(item, "pathways")),
    ]
    for index in range(6):  # versions (retired by their successors) and other codes
        approve(world, code=f"code-{index % 3}", title=f"v{index}")
    for top, bottom in (("L1", "L2"), ("L4", "L4")):
        case_services.lesion_add(
            by=world.admin, case=item.presentation.case, level_from=top, level_to=bottom
        )
    assert client.get(URL).json()["count"] == 7
    assert (
        [
            _queries(client, URL),
            _queries(client, f"{URL}{first.pk}/"),
            _queries(client, triage_url(item, "pathways")),
        ]
        == counts
        == [PATHWAY_LIST_QUERIES, PATHWAY_DETAIL_QUERIES, ITEM_PATHWAYS_QUERIES]
    )
