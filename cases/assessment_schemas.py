"""The structured fields of each specialty's assessment.

One Django form per specialty: the same class validates the API's ``details`` object, renders
the specialty's page form later, and documents the fields. Drafts may be partial; ``SUBMIT``
lists what a submitted assessment must contain.

Only what is *not* a score input lives here. A score input the specialty owns (radiology's
ESCC grade and SINS imaging items, surgery's mechanical pain, radiation oncology's
radiosensitivity, medical oncology's tumour growth…) is entered once, on its record, and the
assessment shows and edits it there (``cases.score_inputs``, ``owned_inputs`` below); a test
keeps a score input from creeping back into these forms.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError

from .models import ExpectedSurvival, Specialty
from .score_inputs import ScoreInput, owned_by

YES_NO_UNKNOWN = [("yes", "Yes"), ("no", "No"), ("unknown", "Unknown")]


def _choice(choices: list[tuple[str, str]], label: str, help_text: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(choices=choices, required=False, label=label, help_text=help_text)


class DetailsForm(forms.Form):
    SUBMIT: ClassVar[tuple[str, ...]] = ()
    # Set by validate_details: cross-field rules that apply only to a submitted assessment.
    is_submit = False


class SpineSurgeryDetails(DetailsForm):
    SUBMIT = ("stability", "surgical_candidate", "proposed_procedure")

    stability = _choice(
        [
            ("stable", "Stable"),
            ("potentially_unstable", "Potentially unstable"),
            ("unstable", "Unstable"),
        ],
        "Stability judgement",
    )
    surgical_candidate = _choice(
        [("yes", "Yes"), ("no", "No"), ("borderline", "Borderline")], "Surgical candidate"
    )
    proposed_procedure = _choice(
        [
            ("none", "No surgery"),
            ("separation_surgery", "Separation surgery (then SBRT)"),
            ("decompression_stabilization", "Decompression and stabilization"),
            ("percutaneous_stabilization", "Percutaneous stabilization"),
            ("cement_augmentation", "Vertebroplasty / kyphoplasty"),
            ("corpectomy", "Corpectomy and reconstruction"),
            ("en_bloc_resection", "En bloc resection"),
            ("other", "Other"),
        ],
        "Proposed procedure",
    )
    surgical_urgency = _choice(
        [("elective", "Elective"), ("urgent", "Urgent (days)"), ("emergent", "Emergent (24 h)")],
        "Surgical urgency",
    )


class RadiationOncologyDetails(DetailsForm):
    SUBMIT = ("proposed_technique",)

    proposed_technique = _choice(
        [("none", "No radiotherapy"), ("cebrt", "Conventional EBRT"), ("sbrt", "SBRT / SRS")],
        "Proposed technique",
    )
    dose_gy = forms.DecimalField(
        required=False,
        min_value=Decimal("0.5"),
        max_value=Decimal(100),
        decimal_places=2,
        label="Total dose (Gy)",
    )
    fractions = forms.IntegerField(required=False, min_value=1, max_value=60, label="Fractions")
    reirradiation = _choice(YES_NO_UNKNOWN, "Re-irradiation of a treated level")
    reirradiation_constraints = forms.CharField(
        required=False, max_length=2000, label="Re-irradiation constraints (cord dose, interval)"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        technique = data.get("proposed_technique")
        if technique in ("cebrt", "sbrt"):
            for field in ("dose_gy", "fractions"):
                if data.get(field) is None and self.is_submit:
                    self.add_error(field, "Give the dose and fractions of the proposed regimen.")
        return data


class MedicalOncologyDetails(DetailsForm):
    SUBMIT = ("expected_survival", "trial_eligible")

    systemic_options = forms.CharField(
        required=False, max_length=4000, label="Systemic therapy options"
    )
    expected_survival = _choice(ExpectedSurvival.choices, "Expected survival")
    trial_eligible = _choice(YES_NO_UNKNOWN, "Eligible for a clinical trial")
    trial_details = forms.CharField(required=False, max_length=1000, label="Trial")


class PainManagementDetails(DetailsForm):
    SUBMIT = ("pain_score_nrs",)

    pain_score_nrs = forms.IntegerField(
        required=False, min_value=0, max_value=10, label="Worst pain, NRS 0–10"
    )
    opioid_mme_per_day = forms.DecimalField(
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(10000),
        decimal_places=1,
        label="Opioid dose (MME/day)",
    )
    neuropathic_component = _choice(YES_NO_UNKNOWN, "Neuropathic component")
    proposed_intervention = _choice(
        [
            ("none", "None"),
            ("medication_optimisation", "Optimise medication"),
            ("nerve_block", "Nerve block"),
            ("epidural_injection", "Epidural injection"),
            ("intrathecal_pump", "Intrathecal drug delivery"),
            ("spinal_cord_stimulation", "Spinal cord stimulation"),
            ("other", "Other"),
        ],
        "Proposed intervention",
    )


class PalliativeCareDetails(DetailsForm):
    SUBMIT = ("goals_of_care", "code_status")

    goals_of_care = forms.CharField(required=False, max_length=4000, label="Goals of care")
    code_status = _choice(
        [
            ("full_code", "Full code"),
            ("dnr", "Do not resuscitate"),
            ("dnr_dni", "DNR / do not intubate"),
            ("comfort_care", "Comfort care only"),
            ("not_discussed", "Not yet discussed"),
        ],
        "Code status",
    )
    hospice_eligible = _choice(YES_NO_UNKNOWN, "Hospice eligible")
    advance_directive = _choice(YES_NO_UNKNOWN, "Advance directive on file")


class RadiologyDetails(DetailsForm):
    SUBMIT = ("imaging_findings",)

    imaging_findings = forms.CharField(required=False, max_length=8000, label="Findings")
    other_findings = forms.CharField(
        required=False,
        max_length=4000,
        label="Other findings (e.g. further lesions outside the spine, incidental findings)",
    )


class PhysicalMedicineDetails(DetailsForm):
    SUBMIT = ("rehabilitation_potential",)

    functional_status = forms.CharField(required=False, max_length=4000, label="Function")
    rehabilitation_potential = _choice(
        [("good", "Good"), ("fair", "Fair"), ("poor", "Poor")], "Rehabilitation potential"
    )
    bracing_recommended = _choice(YES_NO_UNKNOWN, "Bracing recommended")


SCHEMAS: dict[str, type[DetailsForm]] = {
    Specialty.SPINE_SURGERY: SpineSurgeryDetails,
    Specialty.RADIATION_ONCOLOGY: RadiationOncologyDetails,
    Specialty.MEDICAL_ONCOLOGY: MedicalOncologyDetails,
    Specialty.PAIN_MANAGEMENT: PainManagementDetails,
    Specialty.PALLIATIVE_CARE: PalliativeCareDetails,
    Specialty.RADIOLOGY: RadiologyDetails,
    Specialty.PHYSICAL_MEDICINE: PhysicalMedicineDetails,
}


def _json_ready(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return value


def owned_inputs(specialty_code: str) -> list[ScoreInput]:
    """The score inputs the specialty's assessment shows and must have entered to submit
    (inputs no calculator takes are owned but never required)."""
    return [entry for entry in owned_by(specialty_code) if entry.uses]


def validate_details(
    specialty_code: str, data: Mapping[str, Any], *, for_submit: bool = False
) -> dict[str, Any]:
    """Clean ``data`` against the specialty's fields; errors are keyed ``details.<field>``.

    Empty values are dropped (absent means "not yet assessed", never a default).
    """
    form_class = SCHEMAS.get(specialty_code)
    if form_class is None:
        raise ValidationError({"specialty": f"No assessment schema for '{specialty_code}'."})
    if not isinstance(data, Mapping):
        raise ValidationError({"details": "Expected an object of the specialty's fields."})
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(data) - set(form_class.base_fields))
    for key in unknown:
        allowed = ", ".join(form_class.base_fields)
        errors[f"details.{key}"] = [f"Unknown field for {specialty_code}; allowed: {allowed}."]
    for key, value in data.items():
        if isinstance(value, dict | list):
            errors[f"details.{key}"] = ["Expected a single value."]
    if errors:
        raise ValidationError(errors)
    form = form_class(data={k: v for k, v in data.items() if v is not None})
    form.is_submit = for_submit
    valid = form.is_valid()
    for field, messages in form.errors.items():
        errors[f"details.{field}"] = [str(m) for m in messages]
    cleaned = {k: _json_ready(v) for k, v in form.cleaned_data.items() if v not in (None, "")}
    if valid and for_submit:
        for field in form_class.SUBMIT:
            if field not in cleaned:
                errors[f"details.{field}"] = ["Required to submit the assessment."]
    if errors:
        raise ValidationError(errors)
    return cleaned
