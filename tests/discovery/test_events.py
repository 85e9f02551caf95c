"""Membership events: written by the registry service, the members import and the migration's
back-fill, one per creation or status change."""

from datetime import date
from urllib.parse import quote

import pytest
from alembic import command
from factories import fresh_inn, postgres_url, reset_postgres
from imports.kit import run, write_csv
from sqlalchemy import select, text

from promcluster import dbadmin
from promcluster.db import make_engine
from promcluster.registry import service
from promcluster.registry.events import MembershipEvent
from promcluster.registry.models import Membership

SCHEMA = "promcluster_events_test"


def enterprises(db, count):
    made = []
    for _ in range(count):
        inn = fresh_inn()
        made.append((db.add_enterprise(inn=inn), inn))
    return made


def events(db, cluster_id=None):
    with db.sessions() as session:
        query = select(
            MembershipEvent.enterprise_id, MembershipEvent.status, MembershipEvent.on
        ).order_by(MembershipEvent.id)
        if cluster_id is not None:
            query = query.where(MembershipEvent.cluster_id == cluster_id)
        return [tuple(r) for r in session.execute(query)]


def test_creation_is_dated_by_since_else_today_and_each_status_change_adds_one(db):
    cluster = db.add_cluster()
    a, b = db.add_enterprise(), db.add_enterprise()
    first = db.add_membership(cluster, a, status="member", since=date(2023, 5, 17))
    second = db.add_membership(cluster, b, status="potential")
    with db.session() as session:
        service.update_record(session, None, Membership, second, {"status": "applicant"})
    with db.session() as session:  # a change of role only: no event
        service.update_record(session, None, Membership, second, {"role": "anchor"})

    today = date.today()
    assert events(db, cluster) == [
        (a, "member", date(2023, 5, 17)),
        (b, "potential", today),
        (b, "applicant", today),
    ]
    assert first is not None


def test_deleting_a_membership_deletes_its_events(db):
    cluster, firm = db.add_cluster(), db.add_enterprise()
    membership = db.add_membership(cluster, firm)
    with db.session() as session:
        service.delete_record(session, None, Membership, membership)
    assert events(db) == []


def test_members_import_records_creations_and_status_changes_only(db, tmp_path):
    cluster = db.add_cluster(name="Кластер импорта событий")
    (first, first_inn), (second, second_inn) = enterprises(db, 2)
    header = ["Кластер", "ИНН", "Статус", "Дата вступления"]
    run(
        db,
        "members",
        write_csv(
            tmp_path / "a.csv",
            [header, [str(cluster), first_inn, "потенциальный участник", None],
             [str(cluster), second_inn, "участник", "01.03.2024"]],
        ),
    )  # fmt: skip
    result = run(
        db,
        "members",
        write_csv(
            tmp_path / "b.csv",
            [header, [str(cluster), first_inn, "в стадии вступления", None],
             [str(cluster), second_inn, "участник", "01.03.2024"]],
        ),
    )  # fmt: skip

    assert result.status == "done"
    today = date.today()
    assert sorted(events(db, cluster)) == sorted(
        [
            (first, "potential", today),
            (second, "member", date(2024, 3, 1)),
            (first, "applicant", today),
        ]
    )


@pytest.fixture(params=["sqlite", "postgres"])
def old_database(request, tmp_path):
    """An empty database migrated to 0004 (before the events)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'events.db'}"
    else:
        base = postgres_url()
        if base is None:
            pytest.skip("PROMCLUSTER_TEST_POSTGRES_URL is not set")
        reset_postgres(base, SCHEMA)
        separator = "&" if "?" in base else "?"
        url = f"{base}{separator}options={quote(f'-csearch_path={SCHEMA}')}"
    command.upgrade(dbadmin.alembic_config(url), "0004")
    yield url
    if request.param == "postgres":
        engine = make_engine(postgres_url())
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        engine.dispose()


def test_migration_back_fills_one_event_per_membership(old_database):
    engine = make_engine(old_database)
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO regions (code, name, short_name, federal_district, capital, "
                "lat, lon) VALUES ('72', 'Тюменская область', 'Тюменская', 'Уральский', "
                "'Тюмень', 57.2, 68.5)"
            )
        )
        c.execute(
            text(
                "INSERT INTO clusters (id, name, search_text, kind, version) "
                "VALUES (1, 'К', '', 'industrial', 1)"
            )
        )
        for i in (1, 2):
            c.execute(
                text(
                    "INSERT INTO enterprises (id, name, search_text, region_code, "
                    "is_synthetic, version) VALUES (:i, 'П', '', '72', false, 1)"
                ),
                {"i": i},
            )
        c.execute(
            text(
                "INSERT INTO memberships (id, cluster_id, enterprise_id, status, role, "
                "since, without_output, version, created_at) VALUES "
                "(1, 1, 1, 'member', 'participant', '2022-04-01', false, 1, "
                "'2024-01-02 10:00:00'), "
                "(2, 1, 2, 'applicant', 'participant', NULL, false, 1, "
                "'2024-06-30 23:00:00')"
            )
        )
    command.upgrade(dbadmin.alembic_config(old_database), "0005")
    with engine.connect() as c:
        rows = c.execute(text(
            'SELECT membership_id, cluster_id, enterprise_id, status, "on" '
            "FROM membership_events ORDER BY membership_id"
        )).all()  # fmt: skip
    engine.dispose()
    assert [(m, cl, e, s, str(on)[:10]) for m, cl, e, s, on in rows] == [
        (1, 1, 1, "member", "2022-04-01"),
        (2, 1, 2, "applicant", "2024-06-30"),
    ]
