# The stored scores now belong to the cases app (cases 0005 takes over the model state); the
# table stays where it is. The scoring app keeps the pure calculators and their API only.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0001_initial"),
        ("cases", "0005_scorerecord_moved_from_scoring"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="ScoreRecord")],
        ),
    ]
