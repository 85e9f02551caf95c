"""The registry dossier of a cluster (issue 20): the application package for the Ministry's
registry of industrial clusters, kept as generated, and the yearly report against the
development programme's targets."""
