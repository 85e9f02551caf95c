"""Pickers in a real browser: an administrator creates a cluster choosing its regions and its
specialised organisation from the lists the pickers offer (keyboard and mouse), and adds a
member by typing part of its name."""

import re

import pytest
from playwright.sync_api import Page, expect

ADMIN = ("admin", "admin-password-1")
ASSOCIATION = "Ассоциация «Строительно-индустриальный кластер»"
GLASS = "«Гласс Систем»"
NAME = "Кластер, созданный в браузере"


@pytest.mark.browser
def test_admin_creates_a_cluster_with_pickers_and_adds_a_member(page: Page, live_server, log_in):
    page.goto("/clusters")
    log_in(page, *ADMIN)
    page.get_by_role("link", name="Новый кластер").click()
    page.wait_for_url("**/clusters/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("Новый кластер")
    page.get_by_label("Название", exact=True).fill(NAME)

    # Regions: one chosen with the keyboard, one with the mouse.
    regions = page.get_by_role("combobox", name="Регионы")
    regions.press_sequentially("Тюмен")
    options = page.locator("#picker-region_codes-list [role=option]")
    expect(options.first).to_have_text(re.compile("Тюменская область"))
    regions.press("ArrowDown")
    expect(regions).to_have_attribute("aria-expanded", "true")
    expect(options.first).to_have_attribute("aria-selected", "true")
    regions.press("Enter")  # chooses; does not submit the form
    expect(page).to_have_url(re.compile(r"/clusters/new$"))
    chosen = page.locator("[data-picker-name=region_codes] .chip")
    expect(chosen).to_have_count(1)
    expect(chosen.first).to_contain_text("Тюменская область")
    regions.press_sequentially("Краснодар")
    page.locator("#picker-region_codes-list [role=option]", has_text="Краснодарский край").click()
    expect(chosen).to_have_count(2)
    expect(regions).to_have_value("")

    # The specialised organisation: part of its name, chosen from the list.
    organisation = page.get_by_role("combobox", name="Специализированная организация")
    organisation.press_sequentially("Ассоциация строит")
    page.locator("#picker-specialised_org_id-list [role=option]", has_text=ASSOCIATION).click()
    expect(organisation).to_have_value(ASSOCIATION)
    association = live_server.scalar("SELECT id FROM enterprises WHERE name = :n", n=ASSOCIATION)
    expect(page.locator("input[type=hidden][name=specialised_org_id]")).to_have_value(
        str(association)
    )

    page.get_by_role("button", name="Создать кластер").click()
    page.wait_for_url(re.compile(r"/clusters/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    cluster = live_server.cluster_id(NAME)
    regions_saved = live_server.sql(
        "SELECT region_code FROM cluster_regions WHERE cluster_id = :id ORDER BY region_code",
        id=cluster,
    )
    assert [r for (r,) in regions_saved] == ["23", "72"]
    assert (
        live_server.scalar("SELECT specialised_org_id FROM clusters WHERE id = :id", id=cluster)
        == association
    )

    # A member added by typing part of its name.
    member = page.get_by_role("combobox", name="Предприятие")
    member.press_sequentially("Гласс")
    page.locator("#picker-enterprise_id-list [role=option]", has_text=GLASS).click()
    page.get_by_role("button", name="Добавить", exact=True).click()
    page.wait_for_url(re.compile(rf"/clusters/{cluster}#members$"))
    expect(page.locator("#members")).to_contain_text(GLASS)
    glass = live_server.scalar("SELECT id FROM enterprises WHERE name = :n", n=GLASS)
    memberships = live_server.sql(
        "SELECT count(*) FROM memberships WHERE cluster_id = :c AND enterprise_id = :e",
        c=cluster,
        e=glass,
    )
    assert memberships == [(1,)]

    # The edit form shows the names chosen, never ids.
    page.goto(f"/clusters/{cluster}/edit")
    chips = page.locator("[data-picker-name=region_codes] .chip")
    expect(chips).to_have_count(2)
    expect(page.locator("[data-picker-name=region_codes]")).to_contain_text("Краснодарский край")
    expect(page.locator("[data-picker-name=region_codes]")).to_contain_text("Тюменская область")
    expect(page.get_by_role("combobox", name="Специализированная организация")).to_have_value(
        ASSOCIATION
    )
