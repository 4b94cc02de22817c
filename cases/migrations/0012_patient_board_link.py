"""Registering a known patient at another board of the institution links it to that board;
MRN look-ups, links and refused registrations are audited; serum albumin states its unit."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import cases.models.records


def albumin() -> models.DecimalField:
    return models.DecimalField(
        blank=True,
        decimal_places=1,
        help_text="In g/dL, 0.5–7.0 (e.g. 3.8), not g/L (38) or µmol/L (570).",
        max_digits=3,
        null=True,
        validators=[cases.models.records.validate_albumin_g_dl],
        verbose_name="serum albumin (g/dL)",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_board_expected_specialties"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PatientBoardLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("linked_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "board",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="patient_links",
                        to="cases.board",
                    ),
                ),
                (
                    "linked_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="board_links",
                        to="cases.patient",
                    ),
                ),
            ],
            options={
                "ordering": ["patient", "board"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("patient", "board"),
                        name="patient_board_link_unique",
                        violation_error_message="The patient is already linked to this board.",
                    )
                ],
            },
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("view", "Viewed"),
                    ("list", "Listed"),
                    ("create", "Created"),
                    ("update", "Updated"),
                    ("transition", "Status changed"),
                    ("permission", "Permissions changed"),
                    ("lookup", "Looked up by MRN"),
                    ("link", "Linked to another board"),
                    ("conflict", "Refused: conflicting registration"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="clinicalstatus", name="serum_albumin_g_dl", field=albumin()
        ),
        migrations.AlterField(
            model_name="historicalclinicalstatus", name="serum_albumin_g_dl", field=albumin()
        ),
    ]
