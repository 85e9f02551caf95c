"""Production cooperation chains of a cluster: the chain with its target products, its stages
(input products) and the enterprises assigned to supply each stage. The registry's records
learn of them here: ``Cluster.chains``, ``InvestmentProject.chain`` and ``.stage``."""

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from promcluster.db import Base
from promcluster.records import Versioned
from promcluster.reference.models import Okpd
from promcluster.registry.models import Cluster, Enterprise, InvestmentProject

chain_product = Table(
    "chain_products",
    Base.metadata,
    Column("chain_id", ForeignKey("chains.id", ondelete="CASCADE"), primary_key=True),
    Column("okpd2_code", ForeignKey("okpd2.code"), primary_key=True),
)


class Chain(Versioned, Base):
    """A production cooperation chain of a cluster, with its target products."""

    record_label = "цепочка"

    __tablename__ = "chains"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(
        ForeignKey("clusters.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=1)
    name: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), default="formed")
    description: Mapped[str | None] = mapped_column(Text)

    cluster: Mapped[Cluster] = relationship(
        backref=backref("chains", cascade="all, delete-orphan", order_by="Chain.position")
    )
    products: Mapped[list[Okpd]] = relationship(secondary=chain_product, lazy="selectin")
    projects: Mapped[list[InvestmentProject]] = relationship(
        backref="chain", order_by=InvestmentProject.id
    )
    stages: Mapped[list["ChainStage"]] = relationship(
        back_populates="chain", cascade="all, delete-orphan", order_by="ChainStage.position"
    )

    @property
    def project_count(self) -> int:
        return len(self.projects)

    @property
    def project_amount(self) -> int:
        """Sum of the known amounts of the chain's projects, in roubles."""
        return sum(p.amount or 0 for p in self.projects)


class ChainStage(Versioned, Base):
    """A stage of a chain: an input product (OKPD2) with the enterprises assigned to supply it;
    a stage without a supplier in the cluster's regions is a gap."""

    record_label = "этап цепочки"

    __tablename__ = "chain_stages"
    __table_args__ = (UniqueConstraint("chain_id", "okpd2_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chain_id: Mapped[int] = mapped_column(ForeignKey("chains.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=1)
    okpd2_code: Mapped[str] = mapped_column(ForeignKey("okpd2.code"))
    name: Mapped[str | None] = mapped_column(String(500))
    # The chain's yearly need of this input, in roubles (when known; else read from the
    # consumption lines of the cluster's members).
    value: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(Text)

    chain: Mapped[Chain] = relationship(back_populates="stages")
    product: Mapped[Okpd] = relationship(lazy="joined")
    suppliers: Mapped[list["StageSupplier"]] = relationship(
        back_populates="stage", cascade="all, delete-orphan", order_by="StageSupplier.id"
    )
    projects: Mapped[list[InvestmentProject]] = relationship(
        backref="stage", order_by=InvestmentProject.id
    )


class StageSupplier(Versioned, Base):
    """An enterprise assigned to supply a chain stage."""

    record_label = "поставщик этапа"

    __tablename__ = "stage_suppliers"
    __table_args__ = (UniqueConstraint("stage_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stage_id: Mapped[int] = mapped_column(
        ForeignKey("chain_stages.id", ondelete="CASCADE"), index=True
    )
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    note: Mapped[str | None] = mapped_column(Text)

    stage: Mapped[ChainStage] = relationship(back_populates="suppliers")
    enterprise: Mapped[Enterprise] = relationship(lazy="joined")
