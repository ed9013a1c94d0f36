"""The movement ledger is append-only: a trigger refuses UPDATE (and on PostgreSQL DELETE) of a row.

SQLite keeps DELETE allowed: the test runner empties tables with DELETE between transactional tests
(PostgreSQL uses TRUNCATE, which row triggers do not see).
"""

from django.db import migrations

PG_GUARD = """
CREATE OR REPLACE FUNCTION inventory_movement_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'stock movements are append-only: movement % cannot be changed', OLD.id;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS inventory_movement_append_only ON inventory_movement;
CREATE TRIGGER inventory_movement_append_only BEFORE UPDATE OR DELETE ON inventory_movement
    FOR EACH ROW EXECUTE FUNCTION inventory_movement_append_only();
"""
PG_UNGUARD = """
DROP TRIGGER IF EXISTS inventory_movement_append_only ON inventory_movement;
DROP FUNCTION IF EXISTS inventory_movement_append_only();
"""
SQLITE_GUARD = """
CREATE TRIGGER IF NOT EXISTS inventory_movement_append_only BEFORE UPDATE ON inventory_movement
BEGIN SELECT RAISE(ABORT, 'stock movements are append-only'); END;
"""
SQLITE_UNGUARD = "DROP TRIGGER IF EXISTS inventory_movement_append_only;"


def guard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_GUARD, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_GUARD, params=None)


def unguard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_UNGUARD, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UNGUARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]
    operations = [migrations.RunPython(guard, unguard)]
