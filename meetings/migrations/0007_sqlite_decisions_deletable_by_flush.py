"""SQLite (the embedded default, for the demo and local tests) keeps its triggers refusing any
UPDATE of a signed decision and any change to its actions, but no longer refuses DELETE at the
database: SQLite has no TRUNCATE, so emptying the database (``manage.py flush``, and the test
runner between transactional tests) deletes row by row and the DELETE triggers made that
impossible once a decision was signed. The model still refuses to delete a signed decision,
and an action still refers to it. PostgreSQL, the production database, keeps refusing DELETE
too (TRUNCATE does not fire row triggers, so its flush is unaffected).
"""

from django.db import migrations

DROP = [
    "DROP TRIGGER IF EXISTS meetings_decision_no_delete;",
    "DROP TRIGGER IF EXISTS meetings_decisionaction_no_delete;",
]
RESTORE = [
    """CREATE TRIGGER meetings_decision_no_delete BEFORE DELETE ON meetings_decision
    WHEN OLD.signed_at IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'signed decision is immutable'); END;""",
    """CREATE TRIGGER meetings_decisionaction_no_delete BEFORE DELETE ON meetings_decisionaction
    WHEN (SELECT signed_at FROM meetings_decision WHERE id = OLD.decision_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'the actions of a signed decision are immutable'); END;""",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in DROP:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in RESTORE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0006_packet_patient_ids")]

    operations = [migrations.RunPython(forward, backward)]
