"""SQLite: a batch of new search documents enters the full-text index in one statement
(matching/documents.py), not by the insert trigger row by row — FTS5 flushes its pending terms at
the end of each trigger statement, and a million enterprises took 95 s to index instead of 55 s
(docs/BENCHMARKS.md, issue 22). While a batch writes, its transaction holds a row in
``search_fts_batch`` and the trigger stands aside; any other insert, by any SQL, is still indexed
by the trigger

Revision ID: 0014
Revises: 0013
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

INDEX_NEW_ROW = "INSERT INTO search_fts(rowid, lemmas) VALUES (new.id, new.lemmas); END"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE TABLE search_fts_batch (id INTEGER PRIMARY KEY)")
        op.execute("DROP TRIGGER search_documents_ai")
        op.execute(
            "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents "
            f"WHEN NOT EXISTS (SELECT 1 FROM search_fts_batch) BEGIN {INDEX_NEW_ROW}"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER search_documents_ai")
        op.execute(
            "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents "
            f"BEGIN {INDEX_NEW_ROW}"
        )
        op.execute("DROP TABLE search_fts_batch")
