"""The issue-20 pictures: PNGs of the pages into /tmp/shot20/png (see README.md)."""

from pathlib import Path

from playwright.sync_api import sync_playwright

base, out = "http://127.0.0.1:8020", Path("/tmp/shot20/png")
out.mkdir(exist_ok=True)
with sync_playwright() as p:
    b = p.chromium.launch(
        executable_path="/usr/bin/chromium",
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--lang=ru-RU",
        ],
    )
    ctx = b.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    page = ctx.new_page()
    page.set_default_timeout(120000)
    page.goto(base + "/login")
    page.fill("input[name=username]", "shotadmin")
    page.fill("input[name=password]", "shot-password-123")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    for name, path, full in [
        ("documents", "/clusters/2/documents", True),
        ("application-package", "/clusters/2/application", True),
        ("targets", "/clusters/2/targets?year=2025", True),
        ("yearly-report", "/clusters/2/report?year=2025", True),
        ("region-reports", "/regions/72/reports?year=2025", True),
        ("checklist-cited", "/clusters/2/compliance", False),
        ("document", "/documents/1", True),
    ]:
        page.goto(base + path, wait_until="networkidle")
        if name == "checklist-cited":
            page.locator(".cited-document").first.evaluate(
                "e => { e.scrollIntoView(); window.scrollBy(0, -200); }"
            )
        page.screenshot(path=str(out / f"{name}.png"), full_page=full)
        print(name, page.title())
    b.close()
