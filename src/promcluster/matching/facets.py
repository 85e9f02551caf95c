"""The facet terms of the search index: a document's kind and region written as index terms
(«zzkindneed», «zzregion72»), so that the full-text index itself filters the hits."""

KINDS = ("cluster", "chain", "project", "enterprise", "product", "need", "offer")
FACET = "zz"  # the prefix of facet terms: no Russian or English word starts with it


def facet(name: str, value: str) -> str:
    """The index term that marks a document's kind or region."""
    return f"{FACET}{name}{value}"
