"""The fields each write service accepts, as typed keyword arguments (``**fields:
Unpack[...]``). Every key is optional: an update writes only what it is given. A test keeps
these in line with the models' editable fields.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TypedDict


class PatientFields(TypedDict, total=False):
    mrn: str
    family_name: str
    given_name: str
    date_of_birth: dt.date
    sex: str


class CaseFields(TypedDict, total=False):
    referring_physician: str
    referring_physician_contact: str
    referred_on: dt.date
    urgency: str
    clinical_question: str
    primary_tumor: str
    primary_tumor_detail: str
    primary_diagnosed_on: dt.date | None
    current_cancer_treatment: str
    comorbidities: str
    expected_survival: str
    family_support: str
    family_support_notes: str
    financial_limitations: str
    patient_goals: str


class CaseScoringInputs(TypedDict, total=False):
    """The case-level scoring judgements, each owned by a specialty."""

    tumor_growth: str
    radiosensitivity: str
    able_to_tolerate_surgery: bool | None
    able_to_tolerate_percutaneous: bool | None
    able_to_tolerate_local_treatment: bool | None


class ClinicalStatusFields(TypedDict, total=False):
    recorded_on: dt.date
    karnofsky: int | None
    ecog: str
    frankel_grade: str
    asia_grade: str
    ambulatory_status: str
    neurological_deficit: str
    neurological_symptom_tempo: str
    neurological_notes: str
    extraspinal_bone_metastases_count: int | None
    vertebral_metastases_count: int | None
    visceral_metastases: str
    visceral_metastases_treatability: str
    bone_metastases_extent: str
    serum_albumin_g_dl: Decimal | None
    systemic_disease_status: str
    notes: str


class LesionFields(TypedDict, total=False):
    level_from: str
    level_to: str
    sins_pain: str
    sins_bone_lesion: str
    sins_alignment: str
    sins_vertebral_body_collapse: str
    sins_posterolateral_involvement: str
    escc_grade: str
    mechanical_status: str
    pathologic_fracture: bool | None
    imaging_date: dt.date | None
    imaging_modality: str
    image_viewer_url: str
    notes: str


class PriorRadiotherapyFields(TypedDict, total=False):
    level_from: str
    level_to: str
    technique: str
    dose_gy: Decimal
    fractions: int
    treated_on: dt.date
    notes: str


def keys(fields: type) -> frozenset[str]:
    """The field names a TypedDict allows."""
    return frozenset(fields.__annotations__)
