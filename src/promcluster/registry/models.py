"""Registry tables: enterprises, clusters, memberships, investment projects, figures (a
project's ``chain`` and ``stage`` and a cluster's ``chains`` are declared by ``chains.models``)."""

from datetime import date

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    func,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from promcluster.db import Base
from promcluster.records import Versioned
from promcluster.reference.models import City, Okpd, Okved, Region

enterprise_okved = Table(
    "enterprise_okved",
    Base.metadata,
    Column("enterprise_id", ForeignKey("enterprises.id", ondelete="CASCADE"), primary_key=True),
    Column("okved_code", ForeignKey("okved2.code"), primary_key=True, index=True),
)
cluster_region = Table(
    "cluster_regions",
    Base.metadata,
    Column("cluster_id", ForeignKey("clusters.id", ondelete="CASCADE"), primary_key=True),
    Column("region_code", ForeignKey("regions.code"), primary_key=True, index=True),
)
cluster_okved = Table(
    "cluster_okved",
    Base.metadata,
    Column("cluster_id", ForeignKey("clusters.id", ondelete="CASCADE"), primary_key=True),
    Column("okved_code", ForeignKey("okved2.code"), primary_key=True, index=True),
)
project_product = Table(
    "project_products",
    Base.metadata,
    Column(
        "project_id", ForeignKey("investment_projects.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("okpd2_code", ForeignKey("okpd2.code"), primary_key=True),
)


class Enterprise(Versioned, Base):
    """An organisation: an industrial enterprise, a fund, a university, an association."""

    record_label = "предприятие"

    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inn: Mapped[str | None] = mapped_column(String(12), unique=True)
    ogrn: Mapped[str | None] = mapped_column(String(15), unique=True)
    name: Mapped[str] = mapped_column(String(500), index=True)
    full_name: Mapped[str | None] = mapped_column(String(1000))
    search_text: Mapped[str] = mapped_column(Text, default="")
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id"))
    address: Mapped[str | None] = mapped_column(String(500))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    okved_main: Mapped[str | None] = mapped_column(ForeignKey("okved2.code"), index=True)
    employees: Mapped[int | None] = mapped_column(Integer)
    revenue: Mapped[int | None] = mapped_column(BigInteger)
    sme_category: Mapped[str | None] = mapped_column(String(10))
    website: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    description: Mapped[str | None] = mapped_column(Text)
    is_synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    # Official open data (issue 19): the import kind that last wrote the card (``fns-sme`` …,
    # labels.DATA_SOURCES), the SME register's dates (inclusion, the state the card shows, the
    # state the firm was first missing from), a place known only to its region (drawn at the
    # region's centre) and a card made from an INN alone by ``--create-missing``.
    data_source: Mapped[str | None] = mapped_column(String(30))
    sme_included_on: Mapped[date | None] = mapped_column(Date)
    sme_state_date: Mapped[date | None] = mapped_column(Date, index=True)
    sme_left_on: Mapped[date | None] = mapped_column(Date)
    place_approximate: Mapped[bool] = mapped_column(Boolean, default=False)
    is_minimal: Mapped[bool] = mapped_column(Boolean, default=False)

    region: Mapped[Region] = relationship(lazy="joined")
    city: Mapped[City | None] = relationship(lazy="joined")
    main_activity: Mapped[Okved | None] = relationship(lazy="joined")
    extra_activities: Mapped[list[Okved]] = relationship(
        secondary=enterprise_okved, order_by=Okved.code
    )
    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="enterprise", cascade="all, delete-orphan"
    )

    @property
    def okved_extra(self) -> list[str]:
        return [a.code for a in self.extra_activities]


# Enterprises in the order people read a list: «№2» before «№10». Digits, closing quotes and
# spaces at the end of a name are set apart; names alike but for them go shorter first. An index
# on the same expressions (migration 0015) keeps a page of a million names fast.
NAME_TAIL = literal_column("""'0123456789»" '""")
NAME_ORDER = (func.rtrim(Enterprise.name, NAME_TAIL), func.length(Enterprise.name), Enterprise.name)
Index("ix_enterprises_name_order", *NAME_ORDER)


class Cluster(Versioned, Base):
    """An industrial cluster with its status in the regional and federal registries."""

    record_label = "кластер"

    __tablename__ = "clusters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(500), index=True)
    search_text: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20), default="industrial")
    status: Mapped[str | None] = mapped_column(String(20), index=True)
    status_note: Mapped[str | None] = mapped_column(Text)
    registry_number: Mapped[str | None] = mapped_column(String(50))
    registry_date: Mapped[date | None] = mapped_column(Date)
    specialised_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="SET NULL")
    )
    description: Mapped[str | None] = mapped_column(Text)
    founded_on: Mapped[date | None] = mapped_column(Date)
    strategy_period: Mapped[str | None] = mapped_column(String(50))
    strategy_url: Mapped[str | None] = mapped_column(String(500))

    regions: Mapped[list[Region]] = relationship(secondary=cluster_region, lazy="selectin")
    specialisation: Mapped[list[Okved]] = relationship(secondary=cluster_okved, lazy="selectin")
    specialised_org: Mapped[Enterprise | None] = relationship(lazy="joined")
    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="cluster", cascade="all, delete-orphan"
    )
    # Loaded on delete so that each removed project gets its own audit row.
    projects: Mapped[list["InvestmentProject"]] = relationship(
        back_populates="cluster", cascade="all, delete-orphan"
    )

    @property
    def region_codes(self) -> list[str]:
        return [r.code for r in self.regions]


class Membership(Versioned, Base):
    """An enterprise in a cluster, with its place in the membership pipeline and its role."""

    record_label = "участие в кластере"

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("cluster_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id", ondelete="CASCADE"))
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), index=True)
    role: Mapped[str] = mapped_column(String(30), default="participant")
    since: Mapped[date | None] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    # A participant that made no industrial products in the previous reporting period and is
    # organising production in the cluster (rule C4 of the federal requirements).
    without_output: Mapped[bool] = mapped_column(Boolean, default=False)

    cluster: Mapped[Cluster] = relationship(back_populates="memberships")
    enterprise: Mapped[Enterprise] = relationship(back_populates="memberships", lazy="joined")


class InvestmentProject(Versioned, Base):
    """An investment project of a cluster, optionally hung on one of its chains."""

    record_label = "инвестиционный проект"

    __tablename__ = "investment_projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(
        ForeignKey("clusters.id", ondelete="CASCADE"), index=True
    )
    chain_id: Mapped[int | None] = mapped_column(
        ForeignKey("chains.id", ondelete="SET NULL"), index=True
    )
    # The chain stage the project fills (a done project covers its stage).
    stage_id: Mapped[int | None] = mapped_column(
        ForeignKey("chain_stages.id", ondelete="SET NULL"), index=True
    )
    initiator_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="SET NULL")
    )
    name: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    amount: Mapped[int | None] = mapped_column(BigInteger)
    start_year: Mapped[int | None] = mapped_column(Integer)
    end_year: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="planned", index=True)
    import_substitution: Mapped[bool] = mapped_column(Boolean, default=False)
    jobs: Mapped[int | None] = mapped_column(Integer)

    cluster: Mapped[Cluster] = relationship(back_populates="projects")
    initiator: Mapped[Enterprise | None] = relationship(lazy="joined")
    products: Mapped[list[Okpd]] = relationship(secondary=project_product, lazy="selectin")


class ProductLine(Versioned, Base):
    """What an enterprise makes or buys: an OKPD2 product with yearly volume and value.

    A line from the registry of industrial products made in Russia (ГИСП, Decree No. 719)
    carries its registry entry: one line per entry, so a firm may have several lines of one
    OKPD2 code; the enterprise's own lines stay one per code and direction."""

    __tablename__ = "product_lines"
    __table_args__ = (
        Index(
            "uq_product_lines_own",
            "enterprise_id",
            "okpd2_code",
            "direction",
            unique=True,
            sqlite_where=text("registry_number IS NULL"),
            postgresql_where=text("registry_number IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    okpd2_code: Mapped[str] = mapped_column(ForeignKey("okpd2.code"), index=True)
    direction: Mapped[str] = mapped_column(String(10))
    name: Mapped[str | None] = mapped_column(String(500))
    volume: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(30))
    value: Mapped[int | None] = mapped_column(BigInteger)
    outside_share: Mapped[float | None] = mapped_column(Float)
    import_share: Mapped[float | None] = mapped_column(Float)
    year: Mapped[int | None] = mapped_column(Integer)
    # The registry entry (ГИСП, Decree No. 719): Registernumber, TNVED, Docdate, Docvalidtill,
    # Enddate (the day the entry was excluded from the registry).
    registry_number: Mapped[str | None] = mapped_column(String(50), unique=True)
    tnved_code: Mapped[str | None] = mapped_column(String(100))
    registry_date: Mapped[date | None] = mapped_column(Date)
    registry_valid_until: Mapped[date | None] = mapped_column(Date)
    registry_end_date: Mapped[date | None] = mapped_column(Date)
    # Lines derived from official data (``procurement``: a customer's purchases, issue 21),
    # rewritten by each import of it; empty for lines typed in or imported as tables.
    data_source: Mapped[str | None] = mapped_column(String(30))

    enterprise: Mapped[Enterprise] = relationship()
    product: Mapped[Okpd] = relationship(lazy="joined")


class EnterpriseFigure(Versioned, Base):
    """An enterprise's headcount and revenue in one reporting year, from its accounts: the dated
    figures that growth is measured on (``Enterprise.employees`` and ``revenue`` are current)."""

    __tablename__ = "enterprise_figures"
    __table_args__ = (UniqueConstraint("enterprise_id", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer, index=True)
    employees: Mapped[int | None] = mapped_column(Integer)
    revenue: Mapped[int | None] = mapped_column(BigInteger)
    expenses: Mapped[int | None] = mapped_column(BigInteger)
    # Where each figure comes from (an import kind of official data, labels.DATA_SOURCES) and
    # the state date the source gives for it; empty for figures typed in or imported as tables.
    employees_source: Mapped[str | None] = mapped_column(String(30))
    employees_as_of: Mapped[date | None] = mapped_column(Date)
    revenue_source: Mapped[str | None] = mapped_column(String(30))
    revenue_as_of: Mapped[date | None] = mapped_column(Date)

    enterprise: Mapped[Enterprise] = relationship()


class Supply(Versioned, Base):
    """A cooperation link: a supplier sells a product to a buyer in a year, for a value."""

    __tablename__ = "supplies"
    __table_args__ = (UniqueConstraint("supplier_id", "buyer_id", "okpd2_code", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    supplier_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    buyer_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    okpd2_code: Mapped[str] = mapped_column(ForeignKey("okpd2.code"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[int | None] = mapped_column(BigInteger)
    volume: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(30))
    data_source: Mapped[str | None] = mapped_column(String(30))  # ``procurement``: from contracts

    supplier: Mapped[Enterprise] = relationship(foreign_keys=[supplier_id])
    buyer: Mapped[Enterprise] = relationship(foreign_keys=[buyer_id])
    product: Mapped[Okpd] = relationship(lazy="joined")


class Source(Base):
    """A document a figure comes from: an article, a decree, a report."""

    __audited__ = True
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    publisher: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    published_on: Mapped[date | None] = mapped_column(Date)
    date_note: Mapped[str | None] = mapped_column(String(200))


class DeclaredFigure(Base):
    """A figure stated in a document (not computed from records), with its source and quote."""

    __audited__ = True
    __tablename__ = "declared_figures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[int | None] = mapped_column(
        ForeignKey("clusters.id", ondelete="CASCADE"), index=True
    )
    chain_id: Mapped[int | None] = mapped_column(ForeignKey("chains.id", ondelete="CASCADE"))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    indicator: Mapped[str] = mapped_column(String(50))
    value: Mapped[float] = mapped_column(Float)
    qualifier: Mapped[str | None] = mapped_column(String(20))
    unit: Mapped[str] = mapped_column(String(20))
    as_of: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[int | None] = mapped_column(Integer)
    quote: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))

    source: Mapped[Source] = relationship(lazy="joined")


def search_key(*parts: str | None) -> str:
    """Lower-cased text for substring search; SQLite's own lower() ignores Cyrillic."""
    return " ".join(p for p in parts if p).casefold().replace("ё", "е")


@event.listens_for(Enterprise, "before_insert")
@event.listens_for(Enterprise, "before_update")
def _enterprise_search(_mapper, _conn, e: Enterprise) -> None:
    e.search_text = search_key(e.name, e.full_name, e.inn, e.ogrn)


@event.listens_for(Cluster, "before_insert")
@event.listens_for(Cluster, "before_update")
def _cluster_search(_mapper, _conn, c: Cluster) -> None:
    c.search_text = search_key(c.name, c.description)
