"""The command line speaks Russian: every command's help, and every option's and argument's,
is Russian text (option names stay English); ``--help`` of each command shows it."""

import re

import pytest
import typer.main
from typer.testing import CliRunner

from promcluster.cli import app

CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)
TYPER_OWN = {"install_completion", "show_completion", "help"}  # Typer's and Click's built-ins


def _commands(command, path: tuple[str, ...] = ()):
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))


COMMANDS = list(_commands(typer.main.get_command(app)))


def test_every_command_is_listed():
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"import", "db upgrade", "user add", "search reindex", "discover", "niches"} <= names
    assert len(COMMANDS) >= 30


@pytest.mark.parametrize(
    ("path", "command"), COMMANDS, ids=[" ".join(path) or "promcluster" for path, _ in COMMANDS]
)
def test_help_is_russian(path, command):
    assert CYRILLIC.search(command.help or ""), f"{' '.join(path)}: {command.help!r}"
    for param in command.params:
        if param.name in TYPER_OWN:
            continue
        assert CYRILLIC.search(getattr(param, "help", None) or ""), (path, param.name)
    shown = CliRunner().invoke(app, [*path, "--help"], terminal_width=200)
    assert shown.exit_code == 0, shown.output
    first_words = " ".join(command.help.split()[:3])
    assert first_words in " ".join(shown.output.replace("│", " ").split())
