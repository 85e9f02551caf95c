"""Loading the demo data drawn from the seed articles (``seeds.json``); safe to run again:
records that exist (by name and region, or by their parent) are kept as they are."""

import json
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from promcluster.auth.audit import Actor
from promcluster.chains.models import Chain
from promcluster.imports.models import ImportRun
from promcluster.imports.service import run_import
from promcluster.registry import service
from promcluster.registry.models import (
    Cluster,
    DeclaredFigure,
    Enterprise,
    InvestmentProject,
    Membership,
    Source,
)
from promcluster.statistics.store import Stored, load_shipped


@dataclass
class DemoReport:
    """How many records of each kind the load added."""

    added: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str) -> None:
        self.added[kind] = self.added.get(kind, 0) + 1


def demo_data() -> dict[str, Any]:
    """The demo data set as stored in the package."""
    return json.loads((resources.files("promcluster.demo") / "seeds.json").read_text("utf-8"))


def load_demo(session: Session) -> DemoReport:
    """Add the seeds' sources, organisations, clusters, chains, projects and figures."""
    data, report = demo_data(), DemoReport()
    sources = {s["key"]: _source(session, s, report) for s in data["sources"]}
    orgs = {o["key"]: _organisation(session, o, report) for o in data["organisations"]}
    for spec in data["clusters"]:
        cluster = _cluster(session, spec, orgs, report)
        for m in spec.get("members", []):
            _membership(session, cluster, orgs[m["org"]], m, report)
        for f in spec.get("figures", []):
            _figure(session, f, sources, report, cluster_id=cluster.id)
        for c in spec.get("chains", []):
            chain = _chain(session, cluster, c, report)
            for f in c.get("figures", []):
                _figure(session, f, sources, report, cluster_id=cluster.id, chain_id=chain.id)
            for p in c.get("projects", []):
                _project(session, cluster, p, orgs, report, chain_id=chain.id)
        for p in spec.get("projects", []):
            _project(session, cluster, p, orgs, report)
    for f in data["region_figures"]:
        _figure(session, f, sources, report, region_code=f["region_code"])
    session.flush()
    return report


def load_official_statistics(session: Session) -> tuple[str, Stored]:
    """The shipped real ЕМИСС export (Rosstat, indicator 58109, organisations by region and
    OKVED2 section; statistics/data/PROVENANCE.md): official figures stored with their source —
    real data, not synthetic. Safe to run again (unchanged figures stay as they are). Returns
    the indicator and what was written."""
    export, stored = load_shipped(session)
    return export.indicator, stored


# The real FNS open-data samples (data/PROVENANCE.md) in load order: the register, then the
# headcount and income of 2023 (other firms: they become minimal cards, marked so).
OPEN_DATA = (
    ("fns-sme", "VO_RRMSPSV_*.xml"),
    ("fns-headcount", "VO_OTKRDAN_3_*.xml"),
    ("fns-revenue", "VO_OTKRDAN_5_*.xml"),
)


def open_data_samples() -> list[tuple[str, Path]]:
    """The shipped FNS samples as (import kind, file)."""
    folder = Path(str(resources.files("promcluster.demo") / "data" / "fns"))
    return [(kind, next(folder.glob(pattern))) for kind, pattern in OPEN_DATA]


def load_open_data(factory: sessionmaker[Session], actor: Actor) -> list[ImportRun]:
    """Import the shipped real FNS samples as import runs of their kinds (listed on the imports
    page with their reports): real firms and figures with their source, not synthetic. Safe to
    run again: the second time every document is unchanged."""
    return [
        run_import(factory, kind, path, actor=actor, options={"create_missing": True})
        for kind, path in open_data_samples()
    ]


def _source(session: Session, spec: dict, report: DemoReport) -> Source:
    source = session.scalar(select(Source).where(Source.key == spec["key"]))
    if source is None:
        published = spec.get("published_on")
        source = Source(
            **{**spec, "published_on": date.fromisoformat(published) if published else None}
        )
        session.add(source)
        session.flush()
        report.count("sources")
    return source


def _organisation(session: Session, spec: dict, report: DemoReport) -> Enterprise:
    existing = session.scalar(
        select(Enterprise).where(
            Enterprise.name == spec["name"], Enterprise.region_code == spec["region_code"]
        )
    )
    if existing is not None:
        return existing
    report.count("enterprises")
    fields = {k: v for k, v in spec.items() if k != "key"}
    return service.create_enterprise(session, None, fields)


def _cluster(session: Session, spec: dict, orgs: dict, report: DemoReport) -> Cluster:
    existing = session.scalar(select(Cluster).where(Cluster.name == spec["name"]))
    if existing is not None:
        return existing
    report.count("clusters")
    keys = (
        "name",
        "kind",
        "status",
        "status_note",
        "description",
        "region_codes",
        "specialisation",
    )
    fields = {k: spec[k] for k in keys if k in spec}
    if "specialised_org" in spec:
        fields["specialised_org_id"] = orgs[spec["specialised_org"]].id
    return service.create_cluster(session, None, fields)


def _membership(
    session: Session, cluster: Cluster, org: Enterprise, spec: dict, report: DemoReport
) -> None:
    if session.scalar(
        select(Membership).where(
            Membership.cluster_id == cluster.id, Membership.enterprise_id == org.id
        )
    ):
        return
    report.count("memberships")
    service.create_record(
        session,
        None,
        Membership,
        {
            "cluster_id": cluster.id,
            "enterprise_id": org.id,
            "status": spec["status"],
            "role": spec.get("role", "participant"),
            "note": spec.get("note"),
        },
    )


def _chain(session: Session, cluster: Cluster, spec: dict, report: DemoReport) -> Chain:
    existing = session.scalar(
        select(Chain).where(Chain.cluster_id == cluster.id, Chain.name == spec["name"])
    )
    if existing is not None:
        return existing
    report.count("chains")
    fields = {k: spec[k] for k in ("name", "position", "status", "description", "products")}
    return service.create_record(session, None, Chain, {"cluster_id": cluster.id, **fields})


def _project(
    session: Session,
    cluster: Cluster,
    spec: dict,
    orgs: dict,
    report: DemoReport,
    chain_id: int | None = None,
) -> None:
    if session.scalar(
        select(InvestmentProject).where(
            InvestmentProject.cluster_id == cluster.id, InvestmentProject.name == spec["name"]
        )
    ):
        return
    report.count("projects")
    fields = {k: v for k, v in spec.items() if k != "initiator"}
    if "initiator" in spec:
        fields["initiator_id"] = orgs[spec["initiator"]].id
    fields.setdefault("description", "Сумма по отдельному проекту в источнике не указана.")
    service.create_record(
        session, None, InvestmentProject, {"cluster_id": cluster.id, "chain_id": chain_id, **fields}
    )


def _figure(
    session: Session, spec: dict, sources: dict[str, Source], report: DemoReport, **scope: Any
) -> None:
    source = sources[spec["source"]]
    where = [DeclaredFigure.source_id == source.id, DeclaredFigure.indicator == spec["indicator"]]
    for key in ("cluster_id", "chain_id", "region_code"):
        column = getattr(DeclaredFigure, key)
        value = scope.get(key)
        where.append(column.is_(None) if value is None else column == value)
    if session.scalar(select(DeclaredFigure).where(*where)):
        return
    report.count("declared_figures")
    session.add(
        DeclaredFigure(
            indicator=spec["indicator"],
            value=spec["value"],
            unit=spec["unit"],
            qualifier=spec.get("qualifier"),
            period_end=spec.get("period_end"),
            quote=spec.get("quote"),
            source_id=source.id,
            as_of=source.published_on,
            **scope,
        )
    )
