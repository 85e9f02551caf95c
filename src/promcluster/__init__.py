"""promcluster — a regional industrial-cluster platform."""

__version__ = "0.1.0"
