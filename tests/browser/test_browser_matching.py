"""Needs in Chromium: the Tyumen cluster manager posts a need for a member through the form and
sees ranked candidate suppliers with their explanations; a supplier's representative finds the
match among notifications, responds; the manager sees the response and accepts it.

A supplier (a co-member of the Tyumen cluster making wall blocks) and its representative are
added for this module and removed afterwards with everything the test wrote (the audit log keeps
its records), so that the other browser tests see the demo they expect."""

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from promcluster.accounts.service import create_user
from promcluster.db import make_sessionmaker, transaction
from promcluster.registry import service as registry
from promcluster.registry.models import Membership, ProductLine

TYUMEN = "Строительно-индустриальный кластер Тюменской области"
ASSOCIATION = "Ассоциация «Строительно-индустриальный кластер»"
MANAGER = ("tyumen-manager", "tyumen-password-1")
SUPPLIER = "ООО «Тюменский газобетон (тест)»"
SUPPLIER_REP = ("gazobeton-rep", "gazobeton-password-1")
BLOCKS = "23.61.11.140"
PRODUCT = "Блоки стеновые газобетонные"


@pytest.fixture(scope="module")
def supplier(live_server) -> Iterator[int]:
    engine = live_server.engine
    with transaction(make_sessionmaker(engine)) as session:
        cluster = live_server.cluster_id(TYUMEN)
        data = {
            "name": SUPPLIER,
            "region_code": "72",
            "okved_main": "23.61",
            "lat": 57.1,
            "lon": 65.6,
        }
        supplier_id = registry.create_enterprise(session, None, data).id
        registry.create_record(
            session,
            None,
            Membership,
            {"cluster_id": cluster, "enterprise_id": supplier_id, "status": "member"},
        )
        session.add(
            ProductLine(
                enterprise_id=supplier_id,
                okpd2_code=BLOCKS,
                direction="produces",
                name="Газобетонные блоки D500",
                volume=5000,
                unit="м3",
            )
        )
        create_user(
            session,
            *SUPPLIER_REP,
            "enterprise_rep",
            enterprise_id=supplier_id,
            full_name="Представитель газобетона",
        )
    yield supplier_id
    with engine.begin() as connection:
        for statement in (
            "DELETE FROM notifications WHERE link LIKE '/needs/%'",
            "DELETE FROM responses WHERE supplier_id = :id",
            "DELETE FROM needs WHERE product_name = :product",
            "DELETE FROM product_lines WHERE enterprise_id = :id",
            "DELETE FROM memberships WHERE enterprise_id = :id",
            "DELETE FROM users WHERE username = :rep",
            "DELETE FROM enterprises WHERE id = :id",
        ):
            params = {"id": supplier_id, "rep": SUPPLIER_REP[0], "product": PRODUCT}
            connection.execute(text(statement), params)


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Выйти").click()
    page.wait_for_url(re.compile(r"/$"))


@pytest.mark.browser
def test_post_need_see_candidates_respond_and_accept(page: Page, live_server, supplier, log_in):
    deadline = (date.today() + timedelta(days=90)).isoformat()

    # The manager posts a need on behalf of the cluster's association.
    page.goto("/needs")
    log_in(page, *MANAGER)
    page.get_by_role("link", name="Разместить потребность").click()
    page.wait_for_url("**/needs/new")
    page.locator('select[name="customer_id"]').select_option(label=ASSOCIATION)
    page.locator('input[name="product_name"]').fill(PRODUCT)
    page.get_by_role("combobox", name="Код ОКПД2").fill(BLOCKS)  # a picker: the code typed
    page.locator('input[name="volume"]').fill("1000")
    page.locator('input[name="unit"]').fill("м3")
    page.locator('input[name="deadline"]').fill(deadline)
    page.get_by_role("button", name="Разместить").click()
    page.wait_for_url(re.compile(r"/needs/\d+$"))
    need_id = int(page.url.rsplit("/", 1)[1])
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Потребность: {PRODUCT}")
    expect(page.locator('[data-field="customer"]')).to_have_text(ASSOCIATION)
    stored = live_server.sql(
        "SELECT region_code, okpd2_code, volume, status FROM needs WHERE id = :id", id=need_id
    )
    assert stored == [("72", BLOCKS, 1000.0, "open")]

    # The co-member comes first, with the reasons for it.
    first = page.locator("#candidates tbody tr").first
    expect(first).to_have_attribute("data-candidate", str(supplier))
    expect(first).to_have_attribute("data-tier", "0")
    reasons = first.locator("ul.reasons li")
    expect(reasons.first).to_have_text(f"тот же код ОКПД2 {BLOCKS}")
    expect(first).to_contain_text(f"участник кластера «{TYUMEN}», как и заказчик")
    expect(first).to_contain_text("покрывает потребность 1 000 м3")
    expect(first).to_contain_text(re.compile(r"тот же регион, \d+ км"))
    log_out(page)

    # The supplier's representative finds the match among the notifications and responds.
    page.goto("/needs")
    log_in(page, *SUPPLIER_REP)
    badge = page.locator(".notifications-link [data-unread]")
    expect(badge).to_have_text("1")
    page.locator(".notifications-link").click()
    page.wait_for_url("**/notifications")
    item = page.locator("ul.notifications li.unread")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(f"«{SUPPLIER}» — среди подходящих поставщиков")
    item.get_by_role("button", name="прочитано").click()
    page.wait_for_url("**/notifications")
    expect(page.locator("ul.notifications li.unread")).to_have_count(0)
    expect(page.locator("[data-unread-total]")).to_have_text("0")
    page.locator("ul.notifications li").first.get_by_role("link").click()
    page.wait_for_url(f"**/needs/{need_id}")
    form = page.locator("form#respond")
    form.locator('input[name="price"]').fill("4500000")
    form.locator('textarea[name="message"]').fill("Поставим за два месяца")
    form.get_by_role("button", name="Откликнуться").click()
    page.wait_for_url(re.compile(rf"/needs/{need_id}#responses$"))
    mine = page.locator("ul.responses li", has_text=SUPPLIER)
    expect(mine).to_contain_text("новый")
    expect(mine).to_contain_text("Поставим за два месяца")
    expect(page.get_by_role("button", name="Принять")).to_have_count(0)
    expect(page.locator("form#respond")).to_have_count(0)  # one response per supplier
    log_out(page)

    # The manager is told of the response and accepts it; the supplier hears of that.
    page.goto("/needs")
    log_in(page, *MANAGER)
    page.goto("/notifications")
    notice = page.locator("ul.notifications li.unread", has_text=f"от «{SUPPLIER}»")
    expect(notice).to_have_count(1)
    notice.get_by_role("link").click()
    page.wait_for_url(f"**/needs/{need_id}")
    page.locator("ul.responses li", has_text=SUPPLIER).get_by_role("button", name="Принять").click()
    page.wait_for_url(re.compile(rf"/needs/{need_id}#responses$"))
    expect(page.locator("ul.responses li", has_text=SUPPLIER)).to_contain_text("принят")
    rows = live_server.sql(
        "SELECT status, price FROM responses WHERE need_id = :id AND supplier_id = :s",
        id=need_id,
        s=supplier,
    )
    assert rows == [("accepted", 4_500_000)]
    told = live_server.sql(
        "SELECT n.kind, n.text FROM notifications n JOIN users u ON u.id = n.user_id "
        "WHERE u.username = :rep ORDER BY n.id",
        rep=SUPPLIER_REP[0],
    )
    assert [k for k, _ in told] == ["match", "status"]
    assert told[-1][1].endswith(": принят")
    audit = live_server.sql(
        "SELECT action, actor FROM audit_log WHERE entity = 'responses' ORDER BY id DESC LIMIT 2"
    )
    assert audit == [("update", MANAGER[0]), ("create", SUPPLIER_REP[0])]
