"""Each board says which specialties are expected to assess its cases.

Existing boards expect their quorum specialties and every specialty they have a specialist
for: the boards go on asking (and counting as missing) exactly the specialties they can hear
from, and pain, palliative care or rehabilitation members are now asked too. A specialty
without a member on the board is not expected (it could never be anything but missing);
staff add it in the admin when they want it chased.
"""

from django.db import migrations, models


def expect_quorum_and_members(apps, schema_editor):
    Board = apps.get_model("cases", "Board")
    Membership = apps.get_model("cases", "Membership")
    for board in Board.objects.all():
        quorum = set(board.quorum_specialties.values_list("pk", flat=True))
        members = set(
            Membership.objects.filter(board=board, specialty__isnull=False).values_list(
                "specialty_id", flat=True
            )
        )
        board.expected_specialties.set(sorted(quorum | members))


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_outbox_replaces_email_log")]

    operations = [
        migrations.AddField(
            model_name="board",
            name="expected_specialties",
            field=models.ManyToManyField(
                help_text="Specialties asked to assess every case (the quorum ones and any "
                "others, e.g. pain or palliative care): they receive the assessment requests, "
                "and a case lacking their submitted assessment lists them as missing.",
                related_name="expected_by_boards",
                to="cases.specialty",
            ),
        ),
        migrations.RunPython(expect_quorum_and_members, migrations.RunPython.noop),
    ]
