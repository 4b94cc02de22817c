"""SINS (scoring-spec.md §1): every option, the level lookup and both category boundaries."""

import pytest

from scoring.domain import CALCULATORS, ScoringInputError, SinsInput, score_sins
from scoring.domain.vocabulary import SinsPain, SpinalLevel

evaluate = CALCULATORS["sins"].evaluate

# A complete lesion scoring 0 (rigid, pain-free, blastic, normal, none, none).
ZERO = {
    "location": "rigid",
    "pain": "pain_free",
    "bone_lesion": "blastic",
    "alignment": "normal",
    "vertebral_body_collapse": "none",
    "posterolateral_involvement": "none",
}

# §1.1, written out from the spec table.
OPTION_POINTS = [
    ("location", "junctional", 3),
    ("location", "mobile", 2),
    ("location", "semirigid", 1),
    ("location", "rigid", 0),
    ("pain", "mechanical", 3),
    ("pain", "occasional_non_mechanical", 1),
    ("pain", "pain_free", 0),
    ("bone_lesion", "lytic", 2),
    ("bone_lesion", "mixed", 1),
    ("bone_lesion", "blastic", 0),
    ("alignment", "subluxation_translation", 4),
    ("alignment", "de_novo_deformity", 2),
    ("alignment", "normal", 0),
    ("vertebral_body_collapse", "gt_50_percent", 3),
    ("vertebral_body_collapse", "lt_50_percent", 2),
    ("vertebral_body_collapse", "no_collapse_gt_50_percent_involved", 1),
    ("vertebral_body_collapse", "none", 0),
    ("posterolateral_involvement", "bilateral", 3),
    ("posterolateral_involvement", "unilateral", 1),
    ("posterolateral_involvement", "none", 0),
]


@pytest.mark.parametrize(("key", "option", "points"), OPTION_POINTS)
def test_option_points(key, option, points):
    result = evaluate({**ZERO, key: option})
    assert result.status == "complete"
    assert result.total == points
    component = next(c for c in result.components if c.key == key)
    assert (component.option, component.points) == (option, points)


# §1.2 level -> location, every level.
LEVELS = (
    [(lv, "junctional", 3) for lv in ("C1", "C2")]
    + [(lv, "mobile", 2) for lv in ("C3", "C4", "C5", "C6")]
    + [(lv, "junctional", 3) for lv in ("C7", "T1", "T2")]
    + [(f"T{i}", "semirigid", 1) for i in range(3, 11)]
    + [(lv, "junctional", 3) for lv in ("T11", "T12", "L1")]
    + [(lv, "mobile", 2) for lv in ("L2", "L3", "L4")]
    + [(lv, "junctional", 3) for lv in ("L5", "S1")]
    + [(lv, "rigid", 0) for lv in ("S2", "S3", "S4", "S5")]
)


def test_level_table_covers_every_level():
    assert [lv for lv, _, _ in LEVELS] == SpinalLevel.keys()


@pytest.mark.parametrize(("level", "location", "points"), LEVELS)
def test_level_lookup(level, location, points):
    data = {k: v for k, v in ZERO.items() if k != "location"}
    result = evaluate({**data, "spinal_level": level})
    loc = result.components[0]
    assert (loc.key, loc.option, loc.points) == ("location", location, points)
    assert loc.derived_from == f"spinal_level={level}"
    assert result.total == points
    assert result.details["levels"] == [level]
    # giving the matching location too is accepted
    assert evaluate({**ZERO, "location": location, "spinal_level": level}).total == points


@pytest.mark.parametrize(
    ("first", "last", "location", "points", "spans"),
    [
        ("T10", "T11", "junctional", 3, True),  # semirigid + junctional
        ("T2", "T3", "junctional", 3, True),
        ("L4", "L5", "junctional", 3, True),  # mobile + junctional
        ("C6", "C7", "junctional", 3, True),
        ("S1", "S2", "junctional", 3, True),  # junctional + rigid
        ("T4", "T8", "semirigid", 1, False),
        ("L2", "L4", "mobile", 2, False),
        ("T9", "L2", "junctional", 3, True),  # three categories
        ("T5", "T5", "semirigid", 1, False),
    ],
)
def test_multi_level_lesion_scores_higher_category(first, last, location, points, spans):
    data = {k: v for k, v in ZERO.items() if k != "location"}
    result = evaluate({**data, "spinal_level": first, "spinal_level_to": last})
    assert (result.components[0].option, result.total) == (location, points)
    levels = SpinalLevel.span(SpinalLevel(first), SpinalLevel(last))
    assert result.details["levels"] == [str(lv) for lv in levels]
    convention = [n for n in result.notes if n.startswith("[convention]")]
    assert bool(convention) is spans


@pytest.mark.parametrize(
    ("total", "category"),
    [
        (0, "stable"),
        (6, "stable"),
        (7, "potentially_unstable"),
        (12, "potentially_unstable"),
        (13, "unstable"),
        (18, "unstable"),
    ],
)
def test_category_boundaries(total, category):
    # Build the wanted total from the component maxima, greedily.
    maxima = [
        ("alignment", [(4, "subluxation_translation"), (2, "de_novo_deformity")]),
        ("location", [(3, "junctional"), (2, "mobile"), (1, "semirigid")]),
        ("pain", [(3, "mechanical"), (1, "occasional_non_mechanical")]),
        (
            "vertebral_body_collapse",
            [(3, "gt_50_percent"), (2, "lt_50_percent"), (1, "no_collapse_gt_50_percent_involved")],
        ),
        ("posterolateral_involvement", [(3, "bilateral"), (1, "unilateral")]),
        ("bone_lesion", [(2, "lytic"), (1, "mixed")]),
    ]
    data = dict(ZERO)
    remaining = total
    for key, options in maxima:
        for points, option in options:
            if points <= remaining:
                data[key] = option
                remaining -= points
                break
    assert remaining == 0
    result = evaluate(data)
    assert (result.total, result.category) == (total, category)


def test_category_texts():
    result = evaluate({**ZERO, "alignment": "subluxation_translation", "location": "junctional"})
    assert result.total == 7
    assert result.category_label.startswith("Potentially unstable")
    assert "Surgical consultation recommended".lower() in result.interpretation.lower()
    assert result.details["sosg_binary"].startswith("current_or_possible_instability")
    stable = evaluate(ZERO)
    assert stable.category_label == "Stable"
    assert stable.details["sosg_binary"] == "stable"
    assert result.version == "sins-1.0.0"
    assert "Fisher CG" in result.citation


def test_missing_lists_exactly_missing_keys_in_spec_order():
    result = evaluate({"pain": "mechanical", "alignment": "normal"})
    assert result.status == "incomplete"
    assert result.total is None and result.category is None
    assert result.missing == (
        "location",
        "bone_lesion",
        "vertebral_body_collapse",
        "posterolateral_involvement",
    )
    assert [c.key for c in result.components] == ["pain", "alignment"]
    assert evaluate({}).missing == (
        "location",
        "pain",
        "bone_lesion",
        "alignment",
        "vertebral_body_collapse",
        "posterolateral_involvement",
    )
    assert evaluate({"pain": None}).missing[1] == "pain"  # null counts as missing


ALLOWED = {
    "location": "junctional, mobile, semirigid, rigid",
    "pain": "mechanical, occasional_non_mechanical, pain_free",
    "bone_lesion": "lytic, mixed, blastic",
    "alignment": "subluxation_translation, de_novo_deformity, normal",
    "vertebral_body_collapse": (
        "gt_50_percent, lt_50_percent, no_collapse_gt_50_percent_involved, none"
    ),
    "posterolateral_involvement": "bilateral, unilateral, none",
}


@pytest.mark.parametrize("key", list(ALLOWED))
@pytest.mark.parametrize("bad", ["foo", 3, True, ["lytic"]])
def test_invalid_option_names_field_and_allowed_values(key, bad):
    with pytest.raises(ScoringInputError) as exc:
        evaluate({**ZERO, key: bad})
    (message,) = exc.value.errors[key]
    assert key in message
    assert f"allowed: {ALLOWED[key]}" in message


def test_all_errors_collected_in_one_exception():
    with pytest.raises(ScoringInputError) as exc:
        evaluate({"pain": "foo", "bone_lesion": "bar", "extra": 1})
    assert set(exc.value.errors) == {"pain", "bone_lesion", "extra"}
    assert "allowed: location, spinal_level" in exc.value.errors["extra"][0]


@pytest.mark.parametrize(
    ("level", "reason"),
    [
        ("Co1", "coccygeal"),
        ("CO2", "coccygeal"),
        ("coccyx", "coccygeal"),
        ("C0", "occiput"),
        ("occiput", "occiput"),
        ("T13", "allowed: C1, C2"),
        ("t5", "allowed: C1, C2"),
        (5, "allowed: C1, C2"),
    ],
)
def test_invalid_levels_rejected(level, reason):
    with pytest.raises(ScoringInputError) as exc:
        evaluate({"spinal_level": level})
    assert reason in exc.value.errors["spinal_level"][0]
    assert "S5" in exc.value.errors["spinal_level"][0]
    with pytest.raises(ScoringInputError) as exc:
        evaluate({"spinal_level": "T1", "spinal_level_to": level})
    assert reason in exc.value.errors["spinal_level_to"][0]


def test_level_and_location_disagreeing_rejected():
    with pytest.raises(ScoringInputError) as exc:
        evaluate({**ZERO, "location": "mobile", "spinal_level": "T5"})
    assert "semirigid" in exc.value.errors["spinal_level"][0]
    with pytest.raises(ScoringInputError) as exc:
        evaluate({**ZERO, "location": "semirigid", "spinal_level": "T10", "spinal_level_to": "T11"})
    assert "T10-T11 is junctional" in exc.value.errors["spinal_level"][0]


def test_level_to_needs_level_and_order():
    with pytest.raises(ScoringInputError) as exc:
        evaluate({"spinal_level_to": "T5"})
    assert "needs spinal_level" in exc.value.errors["spinal_level_to"][0]
    with pytest.raises(ScoringInputError) as exc:
        evaluate({"spinal_level": "T6", "spinal_level_to": "T5"})
    assert "above" in exc.value.errors["spinal_level_to"][0]


def test_typed_input_rejects_bare_strings():
    with pytest.raises(ScoringInputError) as exc:
        SinsInput(pain="mechanical")  # type: ignore[arg-type]
    assert "allowed: mechanical" in exc.value.errors["pain"][0]


def test_typed_function():
    result = score_sins(SinsInput(spinal_level=SpinalLevel.L1, pain=SinsPain.MECHANICAL))
    assert result.status == "incomplete"
    assert result.components[0].option == "junctional"


def test_non_mapping_payload_rejected():
    with pytest.raises(ScoringInputError) as exc:
        evaluate(["pain"])  # type: ignore[arg-type]
    assert "non_field_errors" in exc.value.errors
