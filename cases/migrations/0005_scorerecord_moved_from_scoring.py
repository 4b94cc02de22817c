# Stored scores are part of a case's clinical record: the model moves from the scoring app to
# the cases app. The table keeps its name; only Django's model state moves (no data touched).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_scoring_inputs"),
        ("scoring", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="ScoreRecord",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("calculator", models.CharField(max_length=40)),
                        ("status", models.CharField(max_length=30)),
                        ("total", models.FloatField(blank=True, null=True)),
                        ("category", models.CharField(blank=True, max_length=60)),
                        ("inputs", models.JSONField(help_text="Exactly what the calculator was given.")),
                        ("inputs_digest", models.CharField(max_length=64)),
                        ("result", models.JSONField(help_text="The calculator's full result, with its breakdown.")),
                        ("version", models.CharField(max_length=40)),
                        ("computed_at", models.DateTimeField()),
                        ("is_current", models.BooleanField(default=True)),
                        ("superseded_at", models.DateTimeField(blank=True, null=True)),
                        ("case", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="score_records", to="cases.case")),
                        ("lesion", models.ForeignKey(blank=True, help_text="Set for per-lesion scores (SINS, ESCC, NOMS).", null=True, on_delete=django.db.models.deletion.PROTECT, related_name="score_records", to="cases.spinallesion")),
                    ],
                    options={
                        "db_table": "scoring_scorerecord",
                        "ordering": ["case", "lesion", "calculator", "-computed_at", "-id"],
                        "indexes": [models.Index(fields=["case", "is_current"], name="scoring_sco_case_id_b30ce5_idx")],
                        "constraints": [
                            models.UniqueConstraint(condition=models.Q(("is_current", True), ("lesion__isnull", False)), fields=("case", "lesion", "calculator"), name="score_one_current_per_lesion"),
                            models.UniqueConstraint(condition=models.Q(("is_current", True), ("lesion__isnull", True)), fields=("case", "calculator"), name="score_one_current_per_case"),
                        ],
                    },
                ),
            ],
        ),
    ]
