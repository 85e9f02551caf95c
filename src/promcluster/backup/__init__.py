"""Backups of the whole platform: the database (SQLite's online backup API, or ``pg_dump`` in
its custom format) with the uploads kept on disk and a manifest, in one archive; restoring one
into an empty database, checked against the code's migrations (``service.py``)."""
