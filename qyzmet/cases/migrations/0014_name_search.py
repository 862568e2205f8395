# The office case list's name search (?q=) from an index instead of reading every case of the office
# (qyzmet/cases/name_search.py says how each database answers it).  Raw SQL guarded by the database
# vendor: neither index can be described in the models (a GIN index on an expression with an operator
# class would need django.contrib.postgres, whose import needs psycopg, which a SQLite-only install
# lacks; an FTS5 table and its triggers are SQLite's own), and another database keeps the LIKE scan.
#
# SQLite: note that a later migration which makes Django rebuild cases_case (SQLite's ALTER TABLE
# emulation: new table, copy, drop, rename) drops these triggers with the old table;
# tests/test_name_search.py fails then (a case made after all migrations would not be found).

from django.db import migrations

FTS = "cases_case_names"

SQLITE_FORWARD = [
    f"CREATE VIRTUAL TABLE {FTS} USING fts5(applicant_name, representative_name, content='cases_case', "
    "content_rowid='id', tokenize='trigram case_sensitive 0')",
    f"CREATE TRIGGER {FTS}_insert AFTER INSERT ON cases_case BEGIN "
    f"INSERT INTO {FTS}(rowid, applicant_name, representative_name) "
    "VALUES (new.id, new.applicant_name, new.representative_name); END",
    # An external-content FTS table forgets a row by being told its old values.
    f"CREATE TRIGGER {FTS}_delete AFTER DELETE ON cases_case BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, applicant_name, representative_name) "
    "VALUES ('delete', old.id, old.applicant_name, old.representative_name); END",
    # Case.save() writes every column on each transition: re-index only when a name really changed.
    f"CREATE TRIGGER {FTS}_update AFTER UPDATE OF applicant_name, representative_name ON cases_case "
    "WHEN old.applicant_name IS NOT new.applicant_name OR old.representative_name IS NOT new.representative_name "
    f"BEGIN INSERT INTO {FTS}({FTS}, rowid, applicant_name, representative_name) "
    "VALUES ('delete', old.id, old.applicant_name, old.representative_name); "
    f"INSERT INTO {FTS}(rowid, applicant_name, representative_name) "
    "VALUES (new.id, new.applicant_name, new.representative_name); END",
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",  # the cases already there
]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS {FTS}_{what}" for what in ("insert", "delete", "update")] + [
    f"DROP TABLE IF EXISTS {FTS}"]

# On the expression Django writes for icontains, UPPER("applicant_name"::text) LIKE UPPER('%…%').
PG_INDEXES = {"cases_case_applicant_name_trgm": "applicant_name",
              "cases_case_representative_name_trgm": "representative_name"}
POSTGRESQL_FORWARD = ["CREATE EXTENSION IF NOT EXISTS pg_trgm"] + [
    f"CREATE INDEX IF NOT EXISTS {name} ON cases_case USING gin ((UPPER({column}::text)) gin_trgm_ops)"
    for name, column in PG_INDEXES.items()]
POSTGRESQL_BACKWARD = [f"DROP INDEX IF EXISTS {name}" for name in PG_INDEXES]


def _run(schema_editor, sqlite, postgresql):
    for sql in {"sqlite": sqlite, "postgresql": postgresql}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def forward(apps, schema_editor):
    _run(schema_editor, SQLITE_FORWARD, POSTGRESQL_FORWARD)


def backward(apps, schema_editor):
    _run(schema_editor, SQLITE_BACKWARD, POSTGRESQL_BACKWARD)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0013_shared_cache_table'),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
