"""The supply graph and the chain designer in Chromium: the cluster page's graph fragment
draws a Cytoscape canvas with one node per member, and the Tyumen manager assigns a candidate
supplier to a stage of a demo chain with one click and takes it off again.

The synthetic supplement (with the demo chains' synthetic stages) is loaded into the shared
browser database for this module (``synthetic_demo``) and removed afterwards."""

import pytest
from playwright.sync_api import Page, expect

TYUMEN = "Строительно-индустриальный кластер Тюменской области"
LENINGRAD = "Кластер химической промышленности Ленинградской области"
MANAGER = ("tyumen-manager", "tyumen-password-1")


@pytest.mark.browser
def test_cluster_page_draws_the_supply_graph(page: Page, live_server):
    cluster = live_server.cluster_id(LENINGRAD)
    members = live_server.scalar(
        "SELECT count(*) FROM memberships WHERE cluster_id = :id", id=cluster
    )
    page.goto(f"/clusters/{cluster}")
    graph = page.locator('#graph [data-supply-graph][data-drawn="yes"]')
    expect(graph).to_be_visible()
    assert members == 6
    assert graph.get_attribute("data-nodes") == str(members)
    assert graph.evaluate("el => el.cy.nodes().length") == members
    assert graph.evaluate("el => el.cy.edges().length") == 0
    expect(graph.locator("canvas").first).to_be_attached()
    expect(page.locator("#graph [data-graph-empty]")).to_contain_text("не записаны")
    expect(page.locator("#graph .graph-legend")).to_contain_text("якорное предприятие")
    expect(page.get_by_role("link", name="GraphML (Gephi, yEd)")).to_be_visible()
    # a click on a node opens the enterprise's card; Cytoscape learns where its box is from the
    # scroll event, which fires on the next animation frame, so the click waits for two frames
    page.wait_for_load_state("networkidle")
    graph.scroll_into_view_if_needed()
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    box = graph.evaluate(
        "el => { const p = el.cy.nodes()[0].renderedPosition();"
        " const r = el.getBoundingClientRect(); return [r.left + p.x, r.top + p.y,"
        " el.cy.nodes()[0].data('enterprise')]; }"
    )
    page.mouse.click(box[0], box[1])
    page.wait_for_url(f"**/enterprises/{box[2]}")


@pytest.mark.browser
def test_manager_assigns_a_candidate_in_one_click(page: Page, live_server, synthetic_demo, log_in):
    cluster = live_server.cluster_id(TYUMEN)
    chain = live_server.scalar(
        "SELECT id FROM chains WHERE cluster_id = :c AND position = 2", c=cluster
    )
    page.goto(f"/chains/{chain}")
    expect(page.locator("[data-chain-projects]")).to_have_text("5")
    expect(page.locator("#declared")).to_contain_text("808,5 млн ₽")
    log_in(page, *MANAGER)
    stage = (
        page.locator("article.stage.gap")
        .filter(has=page.locator("button", has_text="Назначить"))
        .first
    )
    stage_id = int(stage.get_attribute("id").removeprefix("stage-"))
    row = stage.locator("tr[data-candidate]").filter(has=page.locator("button")).first
    enterprise = int(row.get_attribute("data-candidate"))
    name = row.locator("td").first.locator("a").inner_text()
    row.get_by_role("button", name="Назначить").click()
    page.wait_for_url(f"**/chains/{chain}#stage-{stage_id}")
    assigned = page.locator(f"#stage-{stage_id} ul.suppliers li[data-supplier='{enterprise}']")
    expect(assigned).to_contain_text(name)
    assert (
        live_server.scalar(
            "SELECT count(*) FROM stage_suppliers WHERE stage_id = :s AND enterprise_id = :e",
            s=stage_id,
            e=enterprise,
        )
        == 1
    )
    assigned.get_by_role("button").click()
    page.wait_for_url(f"**/chains/{chain}#stage-{stage_id}")
    expect(page.locator(f"#stage-{stage_id} li[data-supplier='{enterprise}']")).to_have_count(0)
