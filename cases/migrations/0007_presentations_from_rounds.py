# Every presentation round a case has been through becomes a Presentation row; assessments
# point at the presentation of their round, and the case at its latest presentation.
# A case that was never accepted (referred, or declined straight away) has no presentation.

from django.db import migrations


def forward(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Presentation = apps.get_model("cases", "Presentation")
    SpecialtyAssessment = apps.get_model("cases", "SpecialtyAssessment")
    CaseStatusChange = apps.get_model("cases", "CaseStatusChange")
    for case in Case.objects.order_by("pk"):
        openings = list(
            CaseStatusChange.objects.filter(
                case=case, transition__in=["accept", "re_present"]
            ).order_by("changed_at", "pk")
        )
        accepted = (
            bool(openings)
            or case.status not in ("referred", "declined")
            or SpecialtyAssessment.objects.filter(case=case).exists()
        )
        if not accepted:
            continue
        latest = None
        for number in range(1, case.presentation_round + 1):
            opening = openings[number - 1] if number - 1 < len(openings) else None
            latest = Presentation.objects.create(
                case=case,
                number=number,
                kind="first" if number == 1 else "re_presentation",
                reason=opening.reason if opening and number > 1 else "",
                opened_at=opening.changed_at if opening else case.created_at,
                opened_by_id=opening.changed_by_id if opening else case.created_by_id,
            )
            SpecialtyAssessment.objects.filter(case=case, presentation_round=number).update(
                presentation=latest
            )
        Case.objects.filter(pk=case.pk).update(current_presentation=latest)


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_presentations")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
