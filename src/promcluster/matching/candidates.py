"""Candidate partners of a posting: suppliers for a need, buyers for an offer, ranked by
``scoring`` with a score and a readable explanation.

The queries collect a bounded pool per source and tier with indexed code-range conditions
(OKPD2 group ``XX.X`` of the posting, or the OKVED2 group that the niche module maps it to), so
nothing scans a whole table."""

from sqlalchemy import Select, case, select
from sqlalchemy.orm import Session

from promcluster.geo import haversine_km
from promcluster.matching.models import Need, Offer
from promcluster.matching.scoring import TOP, Candidate, Evidence, Party, Target, rank, terms_of
from promcluster.reference.levels import DEFAULT_LEVEL, PREFIX, code_range, group_of
from promcluster.reference.models import City, Okpd, Region
from promcluster.registry import maps
from promcluster.registry.models import Cluster, Enterprise, Membership, ProductLine

POOL = 60  # rows read per source and tier (three times the default top)


def supplier_candidates(session: Session, need: Need, limit: int = TOP) -> list[Candidate]:
    """Suppliers for ``need``: open offers, producers of the product, firms whose activity fits."""
    target = _target(session, "supplier", need, need.customer_id)
    return _suppliers(session, target, need.customer_id, limit)


def suppliers_of(
    session: Session,
    code: str,
    product: str | None,
    region_code: str,
    members: dict[int, str],
    limit: int = TOP,
) -> list[Candidate]:
    """Suppliers of the OKPD2 product ``code`` for a buyer in ``region_code`` whose partners of
    the first tier are ``members`` (enterprise id → the shared cluster's name), ranked as for a
    need: those members, then the region, then elsewhere (a chain stage has no customer)."""
    region = session.get(Region, region_code)
    target = _make_target(
        session, "supplier", code, product, None, None, region_code, (region.lat, region.lon),
        members,
    )  # fmt: skip
    return _suppliers(session, target, None, limit)


def _suppliers(
    session: Session, target: Target, exclude: int | None, limit: int
) -> list[Candidate]:
    """The ranked suppliers of ``target`` (``exclude``: the customer itself)."""
    prefix = target.code[:4] if target.code else None
    parties: dict[str, Party] = {}
    offers = maps.located(
        Offer.id.label("ref_id"), Offer.okpd2_code.label("code"),
        Offer.product_name.label("product"), Offer.volume, Offer.unit, Enterprise.region_code,
    ).join(Offer, Offer.supplier_id == Enterprise.id).where(Offer.status == "open")  # fmt: skip
    if prefix is None:  # no code: open offers read by their words only, the newest first
        rows = session.execute(offers.order_by(Offer.id.desc()).limit(POOL * 4))
        _collect(parties, "offer", rows, exclude)
        return rank(target, list(parties.values()), limit)
    scopes = _scopes(session, target)
    offers = offers.where(code_range(Offer.okpd2_code, prefix))
    _collect(parties, "offer", scopes(offers, Offer.okpd2_code, target.code), exclude)
    lines = _lines("produces", prefix)
    _collect(parties, "produces", scopes(lines, ProductLine.okpd2_code, target.code), exclude)
    activity = group_of(target.code)[: PREFIX[DEFAULT_LEVEL]]
    firms = maps.located(
        Enterprise.okved_main.label("code"), Enterprise.region_code
    ).where(code_range(Enterprise.okved_main, activity))  # fmt: skip
    _collect(parties, "activity", scopes(firms, None, None, Enterprise.employees), exclude)
    return rank(target, list(parties.values()), limit)


def buyer_candidates(session: Session, offer: Offer, limit: int = TOP) -> list[Candidate]:
    """Buyers for ``offer``: open needs and consumption lines of the product."""
    target = _target(session, "buyer", offer, offer.supplier_id)
    parties: dict[str, Party] = {}
    need_rows = _needs(offer.okpd2_code[:4] if offer.okpd2_code else None)
    _collect_needs(parties, session.execute(need_rows), offer.supplier_id)
    if offer.okpd2_code:
        scopes = _scopes(session, target)
        lines = _lines("consumes", offer.okpd2_code[:4])
        rows = scopes(lines, ProductLine.okpd2_code, offer.okpd2_code)
        _collect(parties, "consumes", rows, offer.supplier_id)
    return rank(target, list(parties.values()), limit)


def _target(session: Session, side: str, posting: Need | Offer, party_id: int | None) -> Target:
    point = (posting.region.lat, posting.region.lon)
    if party_id is not None:
        party = session.get(Enterprise, party_id)
        if party is not None and party.region_code == posting.region_code:
            p = maps.enterprise_point(party)
            point = (p["lat"], p["lon"])
    return _make_target(
        session, side, posting.okpd2_code, posting.product_name, posting.volume, posting.unit,
        posting.region_code, point, _co_members(session, party_id),
    )  # fmt: skip


def _make_target(
    session: Session,
    side: str,
    code: str | None,
    product: str | None,
    volume: float | None,
    unit: str | None,
    region_code: str,
    point: tuple[float, float],
    members: dict[int, str],
) -> Target:
    names = {}
    if code:
        wanted = {group_of(code), code[:4]}
        names = dict(
            session.execute(select(Okpd.code, Okpd.name).where(Okpd.code.in_(wanted))).all()
        )
    return Target(
        side=side,
        code=code,
        terms=terms_of(product),
        volume=volume,
        unit=unit,
        region_code=region_code,
        point=point,
        group_names=names,
        members=members,
    )


def _co_members(session: Session, enterprise_id: int | None) -> dict[int, str]:
    """Members of the clusters where ``enterprise_id`` is a member, with one shared cluster."""
    if enterprise_id is None:
        return {}
    own = select(Membership.cluster_id).where(
        Membership.enterprise_id == enterprise_id, Membership.status == "member"
    )
    rows = session.execute(
        select(Membership.enterprise_id, Cluster.name)
        .join(Cluster, Cluster.id == Membership.cluster_id)
        .where(Membership.cluster_id.in_(own), Membership.status == "member")
        .order_by(Cluster.name)
    )
    found: dict[int, str] = {}
    for member, name in rows:
        found.setdefault(member, name)
    found.pop(enterprise_id, None)
    return found


def _scopes(session: Session, target: Target):
    """A reader of one source in three tiers: co-members, the region, the nearest elsewhere;
    each ordered by closeness of the code (when given) and capped at ``POOL`` rows."""
    centres = session.execute(select(Region.code, Region.lat, Region.lon)).all()
    by_distance = sorted(centres, key=lambda r: haversine_km(target.point, (r.lat, r.lon)))
    nearest = case({r.code: i for i, r in enumerate(by_distance)}, value=Enterprise.region_code)

    def read(query: Select, code_column, code: str | None, size=None) -> list:
        order = []
        if code_column is not None and code:
            order.append(case((code_column == code, 0), (code_column.startswith(code), 1), else_=2))
            order.append(case((code_column.startswith(group_of(code)), 0), else_=1))
        larger = [size.desc().nulls_last()] if size is not None else []
        rows = []
        if target.members:
            members = query.where(Enterprise.id.in_(list(target.members)))
            rows += session.execute(members.order_by(*order, *larger, Enterprise.id).limit(POOL))
        region = query.where(Enterprise.region_code == target.region_code)
        rows += session.execute(region.order_by(*order, *larger, Enterprise.id).limit(POOL))
        elsewhere = query.where(Enterprise.region_code != target.region_code)
        rows += session.execute(
            elsewhere.order_by(*order, nearest, *larger, Enterprise.id).limit(POOL)
        )
        return rows

    return read


def _lines(direction: str, prefix: str) -> Select:
    return (
        maps.located(
            ProductLine.id.label("ref_id"), ProductLine.okpd2_code.label("code"),
            ProductLine.name.label("product"), ProductLine.volume, ProductLine.unit,
            Enterprise.region_code,
        )
        .join(ProductLine, ProductLine.enterprise_id == Enterprise.id)
        .where(ProductLine.direction == direction, code_range(ProductLine.okpd2_code, prefix))
    )  # fmt: skip


def _collect(parties: dict[str, Party], source: str, rows, exclude: int | None) -> None:
    for x in rows:
        if x.id == exclude:
            continue
        key = f"e{x.id}"
        if key not in parties:
            lat, lon, precision = maps.placed(
                (x.lat, x.lon), (x.city_lat, x.city_lon), (x.region_lat, x.region_lon)
            )
            parties[key] = Party(
                key, x.id, x.name, x.region_code, x.region, (lat, lon), precision, x.is_synthetic
            )
        party = parties[key]
        ref = getattr(x, "ref_id", None)
        if any(e.source == source and e.ref_id == ref for e in party.evidence):
            continue  # the same row read in two tiers
        if source == "activity" and party.evidence:
            continue  # already there for its products
        party.evidence.append(
            Evidence(
                source,
                ref,
                x.code,
                getattr(x, "product", None),
                getattr(x, "volume", None),
                getattr(x, "unit", None),
            )
        )


def _needs(prefix: str | None) -> Select:
    """Open needs under an OKPD2 prefix (or all open needs, newest first, without one)."""
    e, c, r = Enterprise.__table__, City.__table__, Region.__table__
    query = (
        select(
            Need.id.label("ref_id"), Need.okpd2_code.label("code"),
            Need.product_name.label("product"), Need.volume, Need.unit, Need.region_code,
            Need.customer_id, Need.customer_name, e.c.name, e.c.region_code.label("home"),
            e.c.lat, e.c.lon, e.c.is_synthetic, c.c.lat.label("city_lat"),
            c.c.lon.label("city_lon"), r.c.lat.label("region_lat"), r.c.lon.label("region_lon"),
            r.c.name.label("region"),
        )
        .select_from(Need)
        .join(r, r.c.code == Need.region_code)
        .outerjoin(e, e.c.id == Need.customer_id)
        .outerjoin(c, c.c.id == e.c.city_id)
        .where(Need.status == "open")
    )  # fmt: skip
    if prefix is not None:
        return query.where(code_range(Need.okpd2_code, prefix)).limit(POOL * 4)
    return query.order_by(Need.id.desc()).limit(POOL * 4)


def _collect_needs(parties: dict[str, Party], rows, exclude: int) -> None:
    """Each need's customer is a party; a need placed away from its customer's region is placed
    at that region's centre."""
    for x in rows:
        if x.customer_id == exclude:
            continue
        at_home = x.customer_id is not None and x.home == x.region_code
        own = (x.lat, x.lon) if at_home else (None, None)
        city = (x.city_lat, x.city_lon) if at_home else (None, None)
        lat, lon, precision = maps.placed(own, city, (x.region_lat, x.region_lon))
        key = f"e{x.customer_id}" if x.customer_id is not None else f"n{x.ref_id}"
        if key not in parties:
            parties[key] = Party(
                key, x.customer_id, x.name or x.customer_name or "—", x.region_code, x.region,
                (lat, lon), precision, bool(x.is_synthetic),
            )  # fmt: skip
        parties[key].evidence.append(
            Evidence("need", x.ref_id, x.code, x.product, x.volume, x.unit)
        )
