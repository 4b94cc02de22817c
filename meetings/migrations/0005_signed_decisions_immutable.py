"""Signed decisions are immutable in the database itself, not only in the model: a trigger
refuses UPDATE and DELETE of a signed decision and any change to the actions of a signed
decision (raw SQL and other clients included). A correction is an amendment, a new row.

Both PostgreSQL (CI, production) and SQLite (the embedded default) get the triggers.
"""

from django.db import migrations

POSTGRES = """
CREATE OR REPLACE FUNCTION meetings_decision_signed_immutable() RETURNS trigger AS $$
BEGIN
    IF OLD.signed_at IS NOT NULL THEN
        RAISE EXCEPTION 'signed decision % is immutable: amend it', OLD.id;
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER meetings_decision_signed_immutable
    BEFORE UPDATE OR DELETE ON meetings_decision
    FOR EACH ROW EXECUTE FUNCTION meetings_decision_signed_immutable();

CREATE OR REPLACE FUNCTION meetings_decisionaction_signed_immutable() RETURNS trigger AS $$
DECLARE
    target integer;
BEGIN
    IF TG_OP = 'INSERT' THEN target := NEW.decision_id; ELSE target := OLD.decision_id; END IF;
    IF EXISTS (SELECT 1 FROM meetings_decision WHERE id = target AND signed_at IS NOT NULL)
       OR (TG_OP = 'UPDATE' AND EXISTS (
            SELECT 1 FROM meetings_decision WHERE id = NEW.decision_id AND signed_at IS NOT NULL))
    THEN
        RAISE EXCEPTION 'the actions of signed decision % are immutable', target;
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER meetings_decisionaction_signed_immutable
    BEFORE INSERT OR UPDATE OR DELETE ON meetings_decisionaction
    FOR EACH ROW EXECUTE FUNCTION meetings_decisionaction_signed_immutable();
"""

POSTGRES_BACK = """
DROP TRIGGER IF EXISTS meetings_decisionaction_signed_immutable ON meetings_decisionaction;
DROP FUNCTION IF EXISTS meetings_decisionaction_signed_immutable();
DROP TRIGGER IF EXISTS meetings_decision_signed_immutable ON meetings_decision;
DROP FUNCTION IF EXISTS meetings_decision_signed_immutable();
"""

SQLITE = [
    """CREATE TRIGGER meetings_decision_no_update BEFORE UPDATE ON meetings_decision
    WHEN OLD.signed_at IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'signed decision is immutable: amend it'); END;""",
    """CREATE TRIGGER meetings_decision_no_delete BEFORE DELETE ON meetings_decision
    WHEN OLD.signed_at IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'signed decision is immutable'); END;""",
    """CREATE TRIGGER meetings_decisionaction_no_insert BEFORE INSERT ON meetings_decisionaction
    WHEN (SELECT signed_at FROM meetings_decision WHERE id = NEW.decision_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'the actions of a signed decision are immutable'); END;""",
    """CREATE TRIGGER meetings_decisionaction_no_update BEFORE UPDATE ON meetings_decisionaction
    WHEN (SELECT signed_at FROM meetings_decision WHERE id = OLD.decision_id) IS NOT NULL
      OR (SELECT signed_at FROM meetings_decision WHERE id = NEW.decision_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'the actions of a signed decision are immutable'); END;""",
    """CREATE TRIGGER meetings_decisionaction_no_delete BEFORE DELETE ON meetings_decisionaction
    WHEN (SELECT signed_at FROM meetings_decision WHERE id = OLD.decision_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'the actions of a signed decision are immutable'); END;""",
]
SQLITE_BACK = [
    "DROP TRIGGER IF EXISTS meetings_decision_no_update;",
    "DROP TRIGGER IF EXISTS meetings_decision_no_delete;",
    "DROP TRIGGER IF EXISTS meetings_decisionaction_no_insert;",
    "DROP TRIGGER IF EXISTS meetings_decisionaction_no_update;",
    "DROP TRIGGER IF EXISTS meetings_decisionaction_no_delete;",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACK, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_BACK:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0004_decisions_pathways_attendance_fasttrack_packets")]

    operations = [migrations.RunPython(forward, backward)]
