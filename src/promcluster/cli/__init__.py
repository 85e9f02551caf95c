"""The ``promcluster`` command line: each command a thin call into a domain service.

One module per area, each a Typer app merged here in the order ``--help`` lists them."""

import typer

from promcluster import models  # noqa: F401  (every table mapped)
from promcluster.cli import (
    analytics,
    compliance,
    database,
    discovery,
    dossier,
    imports,
    matching,
    report,
    server,
    users,
)
from promcluster.cli.support import Commands

app = typer.Typer(
    help="promcluster — платформа промышленных кластеров региона.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=Commands,
)
for commands in (
    imports,
    server,
    database,
    users,
    analytics,
    matching,
    compliance,
    dossier,
    report,
    discovery,
):
    app.add_typer(commands.app)
