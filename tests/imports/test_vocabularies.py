"""Words of a vocabulary in a file or form cell: the stored name, the Russian label, the usual
short forms (issue 23: «микро», «малый»), and a clear refusal of anything else."""

import pytest

from promcluster.imports import values
from promcluster.imports.columns import KINDS

SME = KINDS["enterprises"].column("sme_category")


@pytest.mark.parametrize(
    ("cell", "stored"),
    [
        ("микро", "micro"),
        ("Микропредприятие", "micro"),
        ("малое", "small"),
        ("малый", "small"),
        ("Малое предприятие", "small"),
        ("средн", "medium"),
        ("КРУПНЫЙ", "large"),
        ("medium", "medium"),
    ],
)
def test_the_sme_category_in_its_usual_forms(cell, stored):
    assert SME.parse(cell, None) == stored


@pytest.mark.parametrize("cell", ["мал", "микроб", "большое", "-"])
def test_a_word_of_no_category_is_refused_naming_the_allowed_ones(cell):
    with pytest.raises(ValueError, match="допустимо «микропредприятие», «малое»"):
        SME.parse(cell, None)


def test_a_beginning_shared_by_two_values_is_refused():
    parse = values.choice({"design": "проектирование", "project": "проект"})
    assert parse("проектир") == "design"
    with pytest.raises(ValueError, match="допустимо"):
        parse("проек")
