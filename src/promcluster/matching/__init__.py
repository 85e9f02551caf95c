"""Matching: Russian search, OKPD2 classification, needs and offers meeting counterparts."""

from promcluster.matching import documents  # noqa: F401  (keeps the search index in step)
