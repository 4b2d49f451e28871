# The full-text index differs by database; guides/search/engine.py queries each the same
# way. Local examples (possibly many thousands) are indexed apart from the library's own
# content (a few hundred documents), so a search of the content never scans examples.
#
# The PostgreSQL tsvector is a generated column made here rather than a GeneratedField on
# the model: the same model also runs on SQLite, which has no tsvector, and Django 5.2
# gives a field one expression for every database. SQLite's index is FTS5 tables kept
# in step by triggers.

from django.db import migrations

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """ALTER TABLE search_searchdocument ADD COLUMN search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || coalesce(keywords, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B')
        || setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'C')
    ) STORED""",
    "CREATE INDEX search_searchdocument_content ON search_searchdocument USING GIN (search) WHERE kind <> 'example'",
    "CREATE INDEX search_searchdocument_example ON search_searchdocument USING GIN (search) WHERE kind = 'example'",
    "CREATE INDEX search_searchword_trgm ON search_searchword USING GIN (word gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_searchword_trgm",
    "DROP INDEX IF EXISTS search_searchdocument_example",
    "DROP INDEX IF EXISTS search_searchdocument_content",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS search",
]

COLUMNS = "title, keywords, summary, body"


def _sqlite_index(table: str, condition: str) -> list[str]:
    """An external-content FTS5 table over the documents that meet `condition`, kept in
    step by triggers (the 'delete' form, as FTS5 needs the old values)."""
    old = "old.title, old.keywords, old.summary, old.body"
    new = "new.title, new.keywords, new.summary, new.body"
    cond_old, cond_new = condition.format(row="old"), condition.format(row="new")
    return [
        f"""CREATE VIRTUAL TABLE {table} USING fts5({COLUMNS},
            content='search_searchdocument', content_rowid='id',
            tokenize='porter unicode61 remove_diacritics 2')""",
        f"""CREATE TRIGGER {table}_ai AFTER INSERT ON search_searchdocument WHEN {cond_new} BEGIN
            INSERT INTO {table}(rowid, {COLUMNS}) VALUES (new.id, {new});
        END""",
        f"""CREATE TRIGGER {table}_ad AFTER DELETE ON search_searchdocument WHEN {cond_old} BEGIN
            INSERT INTO {table}({table}, rowid, {COLUMNS}) VALUES ('delete', old.id, {old});
        END""",
        # One trigger, so the old entry is always removed before the new one is added.
        f"""CREATE TRIGGER {table}_au AFTER UPDATE ON search_searchdocument BEGIN
            INSERT INTO {table}({table}, rowid, {COLUMNS})
                SELECT 'delete', old.id, {old} WHERE {cond_old};
            INSERT INTO {table}(rowid, {COLUMNS}) SELECT new.id, {new} WHERE {cond_new};
        END""",
    ]


SQLITE_FORWARD = [
    *_sqlite_index("search_searchdocument_fts", "{row}.kind <> 'example'"),
    *_sqlite_index("search_searchexample_fts", "{row}.kind = 'example'"),
]
SQLITE_BACKWARD = [
    f"DROP {kind} IF EXISTS {table}{suffix}"
    for table in ("search_searchdocument_fts", "search_searchexample_fts")
    for kind, suffix in [("TRIGGER", "_ai"), ("TRIGGER", "_ad"), ("TRIGGER", "_au"), ("TABLE", "")]
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


forward = _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD})
backward = _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD})


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]
