"""Hypothesis properties: published ranges, monotonicity, and evaluate() never raising anything
but ScoringInputError for any JSON-like input."""

import contextlib
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.domain import CALCULATORS, ScoringInputError
from scoring.domain.vocabulary import PrimaryTumor, SpinalLevel

SETTINGS = settings(max_examples=200, deadline=None)


def options(name, key):
    field = next(f for f in CALCULATORS[name].fields if f.key == key)
    return [k for k, _ in field.options]


# Option keys ordered from best to worst (in the score's direction), per component.
SINS_WORSENING = {  # higher = worse
    "location": ["rigid", "semirigid", "mobile", "junctional"],
    "pain": ["pain_free", "occasional_non_mechanical", "mechanical"],
    "bone_lesion": ["blastic", "mixed", "lytic"],
    "alignment": ["normal", "de_novo_deformity", "subluxation_translation"],
    "vertebral_body_collapse": [
        "none",
        "no_collapse_gt_50_percent_involved",
        "lt_50_percent",
        "gt_50_percent",
    ],
    "posterolateral_involvement": ["none", "unilateral", "bilateral"],
}
TOKUHASHI_WORSENING = {  # higher = better, so worse options come later
    "general_condition": ["good", "moderate", "poor"],
    "extraspinal_bone_metastases": ["none", "one_to_two", "ge_3"],
    "vertebral_body_metastases": ["one", "two", "ge_3"],
    "major_organ_metastases": ["none", "removable", "unremovable"],
    "primary_site": ["breast", "rectum", "kidney", "colon", "liver", "lung"],
    "palsy": ["none", "incomplete", "complete"],
}
TOMITA_WORSENING = {
    "primary_tumor_growth": ["slow", "moderate", "rapid"],
    "visceral_metastases": ["none", "treatable", "untreatable"],
    "bone_metastases": ["solitary_or_isolated", "multiple"],
}


def worsening_case(table):
    """A complete case, a component, and a worse option for it."""

    @st.composite
    def strategy(draw):
        case = {key: draw(st.sampled_from(opts)) for key, opts in table.items()}
        key = draw(st.sampled_from(sorted(table)))
        opts = table[key]
        position = opts.index(case[key])
        worse = draw(st.sampled_from(opts[position:]))
        return case, key, worse

    return strategy()


@SETTINGS
@given(worsening_case(SINS_WORSENING))
def test_sins_range_and_monotonic(data):
    case, key, worse = data
    before = CALCULATORS["sins"].evaluate(case)
    after = CALCULATORS["sins"].evaluate({**case, key: worse})
    assert 0 <= before.total <= 18 and before.status == "complete"
    assert after.total >= before.total


@SETTINGS
@given(worsening_case(TOKUHASHI_WORSENING))
def test_tokuhashi_range_and_monotonic(data):
    case, key, worse = data
    before = CALCULATORS["tokuhashi_revised"].evaluate(case)
    after = CALCULATORS["tokuhashi_revised"].evaluate({**case, key: worse})
    assert 0 <= before.total <= 15
    assert after.total <= before.total


@SETTINGS
@given(worsening_case(TOMITA_WORSENING))
def test_tomita_range_and_monotonic(data):
    case, key, worse = data
    before = CALCULATORS["tomita"].evaluate(case)
    after = CALCULATORS["tomita"].evaluate({**case, key: worse})
    assert 2 <= before.total <= 10
    assert after.total >= before.total


BAUER_BOOLS = st.fixed_dictionaries(
    {
        "visceral_metastases": st.booleans(),
        "pathologic_fracture": st.booleans(),
        "solitary_skeletal_metastasis": st.booleans(),
        "primary_site": st.sampled_from(PrimaryTumor.keys()),
    }
)


@SETTINGS
@given(
    BAUER_BOOLS,
    st.sampled_from(["visceral_metastases", "pathologic_fracture", "solitary_skeletal_metastasis"]),
)
def test_bauer_range_and_monotonic(case, key):
    bauer = CALCULATORS["bauer"].evaluate
    modified = CALCULATORS["modified_bauer"].evaluate
    assert 0 <= bauer(case).total <= 5
    assert 0 <= modified(case).total <= 4
    worse_value = key != "solitary_skeletal_metastasis"  # visceral / fracture present is worse
    worse = {**case, key: worse_value}
    assert bauer(worse).total <= bauer(case).total
    assert modified(worse).total <= modified(case).total


NESMS_CASE = st.fixed_dictionaries(
    {
        "modified_bauer": st.integers(0, 4),
        "ambulatory_status": st.sampled_from(
            ["independent", "dependent", "with_aid", "non_ambulatory"]
        ),
        "serum_albumin_g_dl": st.floats(0.1, 10, allow_nan=False),
    }
)


@SETTINGS
@given(NESMS_CASE, st.integers(0, 4), st.floats(0.1, 10, allow_nan=False))
def test_nesms_range_and_monotonic(case, lower_mb, lower_albumin):
    evaluate = CALCULATORS["nesms"].evaluate
    before = evaluate(case)
    assert 0 <= before.total <= 3
    for worse in (
        {**case, "modified_bauer": min(lower_mb, case["modified_bauer"])},
        {**case, "ambulatory_status": "non_ambulatory"},
        {**case, "serum_albumin_g_dl": min(lower_albumin, case["serum_albumin_g_dl"])},
    ):
        assert evaluate(worse).total <= before.total


@SETTINGS
@given(
    st.text("12345", min_size=5, max_size=5),
    st.sampled_from(["japan_ctto", "usa", "england"]),
    st.integers(0, 4),
)
def test_eq5d_range_and_monotonic(state, value_set, dimension):
    evaluate = CALCULATORS["eq5d_5l"].evaluate
    index = evaluate({"health_state": state, "value_set": value_set}).total
    minimum = {"japan_ctto": -0.0255, "usa": -0.573, "england": -0.285}[value_set]
    assert minimum - 1e-9 <= index <= 1
    level = int(state[dimension])
    if level < 5:
        worse = state[:dimension] + str(level + 1) + state[dimension + 1 :]
        assert evaluate({"health_state": worse, "value_set": value_set}).total <= index


@SETTINGS
@given(
    st.fixed_dictionaries(
        {
            k: st.integers(0, 2)
            for k in ["waking", "communication", "feeding", "toileting", "rehabilitation_activity"]
        }
    )
)
def test_vitality_range(case):
    assert 0 <= CALCULATORS["vitality_index"].evaluate(case).total <= 10


@SETTINGS
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "escc_grade": st.sampled_from(["0", "1a", "1b", "1c", "2", "3"]),
            "myelopathy": st.booleans(),
            "radiosensitivity": st.sampled_from(["radiosensitive", "radioresistant"]),
            "mechanical_status": st.sampled_from(
                ["stable", "mechanical_pain_no_gross_instability", "unstable"]
            ),
            "sins_total": st.integers(0, 18),
            "able_to_tolerate_surgery": st.booleans(),
            "able_to_tolerate_percutaneous": st.booleans(),
            "able_to_tolerate_local_treatment": st.booleans(),
            "histology": st.sampled_from(PrimaryTumor.keys()),
        },
    )
)
def test_noms_always_resolves_to_a_status(case):
    result = CALCULATORS["noms"].evaluate(case)
    if result.status == "complete":
        assert result.details["rule"] in {f"R{i}" for i in range(1, 9)}
        assert result.category
    elif result.status == "board_decision_required":
        assert result.details["candidate_paths"]
        assert result.details["unresolved_reason"]
    else:
        assert result.missing
    for assessment in "NOMS":
        assert assessment in result.details


# --- evaluate() raises only ScoringInputError, whatever the JSON -----------------------------

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
)
JSON = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)


def plausible_values(name):
    """Values drawn from the calculator's own options and kinds, plus junk."""
    values = []
    for f in CALCULATORS[name].fields:
        values += [k for k, _ in f.options]
    return st.sampled_from(values or ["x"]) | st.sampled_from(SpinalLevel.keys()) | JSON


@SETTINGS
@given(st.sampled_from(sorted(CALCULATORS)), st.data())
def test_evaluate_only_raises_scoring_input_error(name, data):
    calc = CALCULATORS[name]
    keys = [f.key for f in calc.fields]
    payload = data.draw(
        st.dictionaries(
            st.sampled_from(keys) | st.text(max_size=4),
            plausible_values(name) | st.integers(-5, 120) | st.floats(-1, 200),
            max_size=len(keys) + 1,
        )
    )
    try:
        result = calc.evaluate(payload)
    except ScoringInputError as exc:
        assert exc.errors
        assert all(isinstance(k, str) and v for k, v in exc.errors.items())
        return
    assert result.status in {"complete", "incomplete", "board_decision_required"}
    total = result.total
    assert total is None or (isinstance(total, (int, float)) and math.isfinite(total))
    if result.status != "complete":
        assert result.total is None


@SETTINGS
@given(st.sampled_from(sorted(CALCULATORS)), JSON)
def test_evaluate_arbitrary_payload(name, payload):
    with contextlib.suppress(ScoringInputError):
        CALCULATORS[name].evaluate(payload)
