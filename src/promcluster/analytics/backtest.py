"""Backtests of the feasibility model against density and last period's RCA.

Candidates are the pairs present in both years of a transition with RCA below a cut at the start;
a candidate is positive when its RCA is ≥ 1 at the end (definitions in docs/PREDICT.md).
"""

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import GroupKFold

from promcluster.analytics.complexity import ComplexityError
from promcluster.analytics.panel import Panel
from promcluster.analytics.predict import FEATURES, Features, fit, train, transition

CUTS = (1.0, 0.5)
TOP = 10


@dataclass(frozen=True)
class BacktestRow:
    """One scorer on one candidate set: ``candidates`` pairs with RCA < ``cut``, ``positives``
    of them specialised at the end, ``locations`` counted in precision at ``TOP``."""

    scorer: str
    cut: float
    candidates: int
    positives: int
    locations: int
    roc_auc: float
    average_precision: float
    precision_at_10: float


def precision_at_k(
    score: np.ndarray, label: np.ndarray, group: np.ndarray, k: int = TOP
) -> tuple[float, int]:
    """Mean over groups with at least ``k`` candidates of the share of positives among each
    group's ``k`` highest scores (ties in the order given), and the number of such groups."""
    shares = []
    for g in np.unique(group):
        members = np.flatnonzero(group == g)
        if members.size < k:
            continue
        top = members[np.argsort(-score[members], kind="stable")[:k]]
        shares.append(label[top].mean())
    return (float(np.mean(shares)) if shares else float("nan")), len(shares)


def evaluate(
    scorer: str, cut: float, score: np.ndarray, label: np.ndarray, group: np.ndarray
) -> BacktestRow:
    """ROC AUC, average precision (AUC-PR) and precision at ``TOP`` per location of a score."""
    if label.min(initial=1) == label.max(initial=0):
        raise ComplexityError("метрики не определены: все кандидаты одного класса")
    top, locations = precision_at_k(score, label, group)
    return BacktestRow(
        scorer,
        cut,
        int(label.size),
        int(label.sum()),
        locations,
        float(roc_auc_score(label, score)),
        float(average_precision_score(label, score)),
        top,
    )


def _rows(found: Features, label: np.ndarray, model_score: np.ndarray) -> list[BacktestRow]:
    scorers = {"model": model_score, "density": found.density, "rca": found.rca}
    return [
        evaluate(
            name, cut, s[found.rca < cut], label[found.rca < cut], found.location[found.rca < cut]
        )
        for cut in CUTS
        for name, s in scorers.items()
    ]


def backtest(
    panel: Panel,
    train_years: tuple[int, int] = (2011, 2016),
    test_years: tuple[int, int] = (2016, 2021),
    names: tuple[str, ...] = FEATURES,
    **params: Any,
) -> list[BacktestRow]:
    """Train on ``train_years``, evaluate the model, density and RCA at the start of
    ``test_years`` on candidates with RCA < 1 and < 0.5."""
    model = train(panel, *train_years, names, **params)
    found, label = transition(panel, *test_years, names)
    return _rows(found, label, model.classifier.predict_proba(found.values)[:, 1])


def cross_validate(
    panel: Panel,
    years: tuple[int, int] = (2011, 2016),
    names: tuple[str, ...] = FEATURES,
    folds: int = 5,
    group: Literal["product", "location"] = "product",
    **params: Any,
) -> list[BacktestRow]:
    """Out-of-fold scores on one transition, folds grouped by ``group`` (a product's or
    location's pairs are never both trained and scored), evaluated as in ``backtest``."""
    found, label = transition(panel, *years, names)
    out_of_fold = np.zeros(label.size)
    groups = found.product if group == "product" else found.location
    for learn, held in GroupKFold(folds).split(found.values, label, groups):
        model = fit(found.values[learn], label[learn], **params)
        out_of_fold[held] = model.predict_proba(found.values[held])[:, 1]
    return _rows(found, label, out_of_fold)


def table(rows: list[BacktestRow]) -> str:
    """A Markdown table of backtest rows."""
    lines = [
        "| candidates | scorer | pairs | positives | ROC AUC | AUC-PR | P@10 (locations) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| RCA < {r.cut:g} | {r.scorer} | {r.candidates:,} | {r.positives:,} | {r.roc_auc:.3f} | "
        f"{r.average_precision:.3f} | {r.precision_at_10:.3f} ({r.locations}) |"
        for r in rows
    ]
    return "\n".join(lines)
