"""``python -m promcluster.cli``: the same command line as ``promcluster``."""

from promcluster.cli import app

app()
