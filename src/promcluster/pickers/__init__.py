"""Pickers: choosing an enterprise, a region or a classifier code by name instead of its id."""
