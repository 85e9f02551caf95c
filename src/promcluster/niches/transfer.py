"""The feasibility model the niche ranking uses, learned from the one real multi-year regional
panel the platform ships: Australian census employment, SA3 regions × ANZSIC industries, 2011,
2016, 2021 (``data/PROVENANCE.md``).

A region's records in the platform are one snapshot, and the predictor needs a transition to learn
from; so the model learns on the Australian transition 2016→2021 from scale-free relatedness
features only (no counts, sizes or ranks that depend on how many regions or activities a table
has) and scores the platform's regions × OKVED2 matrix. Its held-out figures on the Australian
panel are in docs/PREDICT.md; density is always shown beside it.
"""

import csv
import gzip
import threading
from functools import cache
from importlib import resources
from pathlib import Path

from promcluster import artefacts
from promcluster.analytics.panel import Panel, build_panel
from promcluster.analytics.predict import FeasibilityModel, train

REFERENCE_PANEL = Path(str(resources.files("promcluster.niches") / "data")) / (
    "au_sa3_anzsic3_employment.csv.gz"
)
TRANSFER_FEATURES = (
    "rca",
    "density",
    "rca_density",
    "max_proximity",
    "related_rca",
    "peer_rca",
    "peer_mcp",
    "pci",
    "eci",
    "cog",
)
TRAINED_ON = (2016, 2021)


@cache
def reference_panel() -> Panel:
    """The Australian panel (216,782 rows), read once per process."""
    with gzip.open(REFERENCE_PANEL, "rt", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return build_panel(
        [r["location"] for r in rows],
        [r["product"] for r in rows],
        [float(r["value"]) for r in rows],
        [int(r["year"]) for r in rows],
    )


_training = threading.Lock()


def _inputs() -> list[bytes | str]:
    return [REFERENCE_PANEL.read_bytes(), repr((TRANSFER_FEATURES, TRAINED_ON))]


@cache
def _trained() -> FeasibilityModel:
    def fit() -> FeasibilityModel:
        return train(reference_panel(), *TRAINED_ON, names=TRANSFER_FEATURES)

    return artefacts.fitted("transfer-model", _inputs, fit)


def transfer_model() -> FeasibilityModel:
    """The model trained on the latest Australian transition (about 2 s, once per process, or
    loaded from the artefact the first worker saved; a request arriving during the warm-up
    waits for it instead of training again)."""
    with _training:
        return _trained()
