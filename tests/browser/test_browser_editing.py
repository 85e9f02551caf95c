"""Logging in and editing as the manager of the Tyumen cluster: the card, field errors,
membership statuses, and refusals for a cluster the manager does not manage."""

import re

import pytest
from playwright.sync_api import Page, expect

TYUMEN = "Строительно-индустриальный кластер Тюменской области"
KALININGRAD = "Янтарный промышленный кластер Калининградской области"
ASSOCIATION = "Ассоциация «Строительно-индустриальный кластер»"
MANAGER = ("tyumen-manager", "tyumen-password-1")
MANAGER_NAME = "Менеджер Тюменского кластера"


def _card(live_server, cluster_id: int) -> tuple:
    """What the database holds for a cluster's card: description, specialisation, version."""
    description, version = live_server.sql(
        "SELECT description, version FROM clusters WHERE id = :id", id=cluster_id
    )[0]
    codes = [
        code
        for (code,) in live_server.sql(
            "SELECT okved_code FROM cluster_okved WHERE cluster_id = :id ORDER BY okved_code",
            id=cluster_id,
        )
    ]
    return description, codes, version


def _save_description(page: Page, cluster_id: int, text: str) -> None:
    page.get_by_role("link", name="Изменить", exact=True).click()
    page.wait_for_url(f"**/clusters/{cluster_id}/edit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Изменить кластер")
    page.get_by_label("Описание").fill(text)
    page.get_by_role("button", name="Сохранить").click()
    page.wait_for_url(f"**/clusters/{cluster_id}")


@pytest.mark.browser
def test_manager_logs_in_edits_own_cluster_and_is_refused_elsewhere(
    page: Page, live_server, monitor, log_in
):
    tyumen = live_server.cluster_id(TYUMEN)
    kaliningrad = live_server.cluster_id(KALININGRAD)
    original, codes, version = _card(live_server, tyumen)

    # A visitor who is not logged in sees the card without an edit button.
    page.goto(f"/clusters/{tyumen}")
    expect(page.get_by_role("heading", level=1)).to_have_text(TYUMEN)
    expect(page.get_by_role("link", name="Изменить")).to_have_count(0)
    expect(page.get_by_label("Статус участия")).to_have_count(0)

    log_in(page, *MANAGER)
    expect(page.locator(".account .who")).to_have_text(MANAGER_NAME)
    expect(page.get_by_role("link", name="Изменить", exact=True)).to_be_visible()

    # A valid change is saved and shown on the cluster page.
    changed = "Описание, изменённое менеджером кластера в браузерном тесте."
    _save_description(page, tyumen, changed)
    description = page.locator("dl.facts dt:text-is('Описание') + dd")
    expect(description).to_have_text(changed)
    assert _card(live_server, tyumen) == (changed, codes, version + 1)

    # An unknown OKVED2 code is reported beside its field and nothing is stored.
    monitor.allow_console(rf"status of 422 .*/clusters/{tyumen}/edit\]$")
    page.get_by_role("link", name="Изменить", exact=True).click()
    page.wait_for_url(f"**/clusters/{tyumen}/edit")
    picker = page.locator("[data-picker-name=specialisation]")
    ticked = picker.locator('input[type=checkbox][name="specialisation"]')
    expect(ticked).to_have_count(len(codes))
    assert sorted(ticked.evaluate_all("boxes => boxes.map(b => b.value)")) == codes
    specialisation = page.get_by_role("combobox", name="Специализация (виды деятельности ОКВЭД2)")
    specialisation.fill("23, 99.99.99")
    page.get_by_label("Описание").fill("Это описание не должно сохраниться.")
    page.get_by_role("button", name="Сохранить").click()
    error = page.locator('[data-error-for="specialisation"]')
    expect(error).to_be_visible()
    expect(error).to_contain_text("99.99.99")
    field = page.locator(".has-error")
    expect(field).to_have_count(1)
    expect(field.locator('input[name="specialisation__text"]')).to_have_value("99.99.99")
    expect(field.locator('input[type=checkbox][value="23"]')).to_be_checked()  # 23 was read
    expect(page.get_by_role("alert").first).to_contain_text("Изменения не сохранены")
    assert _card(live_server, tyumen) == (changed, codes, version + 1)

    # Put the demo description back (the README screenshots show this page).
    page.goto(f"/clusters/{tyumen}")
    _save_description(page, tyumen, original)
    expect(description).to_have_text(original)
    assert _card(live_server, tyumen) == (original, codes, version + 2)

    # Another cluster: no edit button, no membership forms, and a direct post is refused.
    before = _card(live_server, kaliningrad)
    page.goto(f"/clusters/{kaliningrad}")
    expect(page.get_by_role("heading", level=1)).to_have_text(KALININGRAD)
    expect(page.locator(".account .who")).to_have_text(MANAGER_NAME)
    expect(page.get_by_role("link", name="Изменить")).to_have_count(0)
    expect(page.get_by_label("Статус участия")).to_have_count(0)
    expect(page.get_by_role("button", name="Добавить")).to_have_count(0)
    token = page.locator('form[action="/logout"] input[name="csrf_token"]').input_value()

    monitor.allow_console(rf"status of 403 .*/clusters/{kaliningrad}/edit\]$")
    response = page.goto(f"/clusters/{kaliningrad}/edit")
    assert response is not None
    if response.status == 200:  # the form may be shown; saving it must be refused
        page.get_by_label("Описание").fill("Чужой кластер: не должно сохраниться.")
        with page.expect_response(f"**/clusters/{kaliningrad}/edit") as posted:
            page.get_by_role("button", name="Сохранить").click()
        assert posted.value.status == 403
    else:
        assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Доступ запрещён")
    expect(page.locator("main")).to_contain_text("вы не управляете этим кластером")

    # The same post sent straight to the server with a valid CSRF token is refused too.
    refused = page.request.post(
        f"/clusters/{kaliningrad}/edit",
        form={"csrf_token": token, "version": str(before[2]), "description": "Чужой кластер"},
        max_redirects=0,
    )
    assert refused.status == 403
    assert "Доступ запрещён" in refused.text()
    assert _card(live_server, kaliningrad) == before


@pytest.mark.browser
def test_manager_changes_membership_status_on_cluster_page(page: Page, live_server, log_in):
    tyumen = live_server.cluster_id(TYUMEN)
    membership, status, version = live_server.sql(
        "SELECT m.id, m.status, m.version FROM memberships m "
        "JOIN enterprises e ON e.id = m.enterprise_id "
        "WHERE m.cluster_id = :cluster AND e.name = :name",
        cluster=tyumen,
        name=ASSOCIATION,
    )[0]
    assert status == "member"

    page.goto(f"/clusters/{tyumen}")
    log_in(page, *MANAGER)
    members = page.locator("#members")

    def change(label: str, value: str, now: int) -> None:
        item = members.locator("ul.members > li", has=page.get_by_role("link", name=ASSOCIATION))
        item.get_by_label("Статус участия").select_option(label=label)
        with page.expect_navigation(url=re.compile(rf"/clusters/{tyumen}#members$")):
            item.get_by_role("button", name="Сохранить").click()
        expect(members.get_by_role("heading", name=f"{label.capitalize()} — 1")).to_be_visible()
        expect(page.locator(f'[data-count="{value}"]')).to_have_text("1")
        item = members.locator("ul.members > li", has=page.get_by_role("link", name=ASSOCIATION))
        expect(item.get_by_label("Статус участия")).to_have_value(value)
        assert live_server.sql(
            "SELECT status, version FROM memberships WHERE id = :id", id=membership
        )[0] == (value, now)

    change("в стадии вступления", "applicant", version + 1)
    expect(page.locator('[data-count="member"]')).to_have_text("0")
    change("участник", "member", version + 2)


@pytest.mark.browser
def test_refusal_page_still_shows_the_logged_in_user(page: Page, live_server, monitor, log_in):
    kaliningrad = live_server.cluster_id(KALININGRAD)
    monitor.allow_console(rf"status of 403 .*/clusters/{kaliningrad}/edit\]$")
    page.goto(f"/clusters/{kaliningrad}")
    log_in(page, *MANAGER)
    page.goto(f"/clusters/{kaliningrad}/edit")
    if page.get_by_role("button", name="Сохранить").count():
        page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Доступ запрещён")
    # The manager is still logged in: the header must say so, not offer «Войти».
    account = page.locator(".account")
    expect(account, "the 403 page shows the logged-in manager as logged out").to_contain_text(
        MANAGER_NAME
    )
    expect(account.get_by_role("button", name="Выйти")).to_be_visible()
