"""The supply graph as data: plain records (the JSON API and the page), GraphML (Gephi, yEd)
and an Excel workbook with a sheet of nodes and a sheet of edges."""

from dataclasses import dataclass
from datetime import date
from typing import Any
from xml.etree import ElementTree as ET

from sqlalchemy.orm import Session

from promcluster.chains.graph import Cooperation, SupplyGraph, cooperation, supply_graph
from promcluster.labels import MEMBERSHIP_ROLES, MEMBERSHIP_STATUSES
from promcluster.records import get
from promcluster.registry.models import Cluster
from promcluster.sheets import Book

GRAPHML = "http://graphml.graphdrawing.org/xmlns"
NODE_KEYS = {  # GraphML key → type
    "name": "string",
    "status": "string",
    "role": "string",
    "region": "string",
    "participant": "boolean",
    "synthetic": "boolean",
}
EDGE_KEYS = {"okpd2": "string", "product": "string", "value": "long"}


@dataclass
class ClusterGraph:
    """A cluster, its supply graph and the cooperation share read from it."""

    cluster: Cluster
    graph: SupplyGraph
    cooperation: Cooperation


def cluster_graph(
    session: Session, cluster_id: int, as_of: date | None = None, year: int | None = None
) -> ClusterGraph:
    """The supply graph of ``cluster_id`` (404 when there is no such cluster)."""
    cluster = get(session, Cluster, cluster_id)
    graph = supply_graph(session, cluster_id, as_of, year)
    return ClusterGraph(cluster, graph, cooperation(graph))


def graph_record(g: ClusterGraph) -> dict[str, Any]:
    """Nodes, edges, the year and the cooperation share as plain values."""
    coop = g.cooperation
    return {
        "cluster_id": g.cluster.id,
        "cluster": g.cluster.name,
        "as_of": g.graph.as_of,
        "year": g.graph.year,
        "cooperation": {
            "inside": coop.inside,
            "purchases": coop.purchases,
            "participants": coop.participants,
            "share": None if coop.share is None else round(coop.share, 6),
        },
        "nodes": [
            {
                "id": n.enterprise_id,
                "name": n.name,
                "status": n.status,
                "role": n.role,
                "region_code": n.region_code,
                "participant": n.participant,
                "synthetic": n.is_synthetic,
            }
            for n in g.graph.nodes.values()
        ],
        "edges": [
            {
                "source": e.supplier_id,
                "target": e.buyer_id,
                "okpd2_code": e.okpd2_code,
                "product": e.product,
                "value": e.value,
            }
            for e in g.graph.edges
        ],
    }


def graphml(g: ClusterGraph) -> bytes:
    """The graph in GraphML with typed attributes on nodes and edges."""
    ET.register_namespace("", GRAPHML)
    root = ET.Element(f"{{{GRAPHML}}}graphml")
    for scope, keys in (("node", NODE_KEYS), ("edge", EDGE_KEYS)):
        for name, kind in keys.items():
            ET.SubElement(
                root,
                f"{{{GRAPHML}}}key",
                {"id": name, "for": scope, "attr.name": name, "attr.type": kind},
            )
    graph = ET.SubElement(
        root, f"{{{GRAPHML}}}graph", {"id": f"cluster-{g.cluster.id}", "edgedefault": "directed"}
    )
    record = graph_record(g)
    for n in record["nodes"]:
        node = ET.SubElement(graph, f"{{{GRAPHML}}}node", {"id": f"n{n['id']}"})
        values = {**n, "region": n["region_code"]}
        _data(node, NODE_KEYS, values)
    for i, e in enumerate(record["edges"], 1):
        edge = ET.SubElement(
            graph,
            f"{{{GRAPHML}}}edge",
            {"id": f"e{i}", "source": f"n{e['source']}", "target": f"n{e['target']}"},
        )
        _data(edge, EDGE_KEYS, {**e, "okpd2": e["okpd2_code"]})
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _data(parent: ET.Element, keys: dict[str, str], values: dict[str, Any]) -> None:
    for name, kind in keys.items():
        value = values.get(name)
        if value is None:
            continue
        text = str(value).lower() if kind == "boolean" else str(value)
        ET.SubElement(parent, f"{{{GRAPHML}}}data", {"key": name}).text = text


def workbook(g: ClusterGraph) -> bytes:
    """An Excel workbook: «Узлы» (members) and «Поставки» (edges), with a header note."""
    from openpyxl.styles import Font

    record, names = graph_record(g), {n.enterprise_id: n.name for n in g.graph.nodes.values()}
    book = Book()
    book.table(
        "Узлы",
        ["id", "Организация", "Статус", "Роль", "Регион", "Участник на дату", "Синтетика"],
        [[n["id"], n["name"], MEMBERSHIP_STATUSES.get(n["status"], n["status"]),
          MEMBERSHIP_ROLES.get(n["role"], n["role"]), n["region_code"],
          "да" if n["participant"] else "нет", "да" if n["synthetic"] else ""]
         for n in record["nodes"]],
    )  # fmt: skip
    book.table(
        "Поставки",
        ["Поставщик (id)", "Поставщик", "Покупатель (id)", "Покупатель", "ОКПД2", "Продукция",
         "Сумма, руб."],
        [[e["source"], names[e["source"]], e["target"], names[e["target"]], e["okpd2_code"],
          e["product"], e["value"]] for e in record["edges"]],
    )  # fmt: skip
    about = book.sheet("О графе")
    share = record["cooperation"]["share"]
    for row in (
        ["Кластер", g.cluster.name],
        ["На дату", g.graph.as_of.strftime("%d.%m.%Y")],
        ["Год поставок", g.graph.year if g.graph.year is not None else "поставок нет"],
        ["Поставки между участниками, руб.", record["cooperation"]["inside"]],
        ["Закупки участников, руб.", record["cooperation"]["purchases"]],
        ["Доля кооперации", share if share is not None else "нет данных"],
    ):
        book.append(about, row)[0].font = Font(bold=True)
    about.column_dimensions["A"].width = 36
    about.column_dimensions["B"].width = 60
    return book.content()
