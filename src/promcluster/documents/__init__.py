"""Documents of a cluster (issue 20): agreements, the development programme, statutes, contracts
that prove cooperation, decisions of the registry; their files kept outside the database,
addressed by their SHA-256, every replaced file kept as an earlier version."""
