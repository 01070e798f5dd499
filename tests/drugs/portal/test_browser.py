"""A real browser (Playwright driving Debian's Chromium, headless, no background networking)
loads the pages of a genuine, a recalled, a counterfeit and an expired pack from
``medchain serve --demo``, checks what each shows and saves screenshots in test-artifacts/portal/."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from .conftest import ARTIFACTS

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if CHROMIUM is None:
        if os.environ.get("MEDCHAIN_REQUIRE_BROWSER"):
            pytest.fail("MEDCHAIN_REQUIRE_BROWSER is set but Debian's chromium is not installed "
                        "(apt-get install -y --no-install-recommends chromium; `make test` does it)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium; `make test` installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (dev extra) drives the browser")
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, headless=True, args=ARGS,
            viewport={"width": 1000, "height": 1400}, locale="zh-CN")
        yield context
        context.close()


PACKS = [  # situation, data-status, what the page must say (English, Chinese)
    ("genuine", "genuine", "Genuine: this pack is registered", "正品"),
    ("recalled", "recalled", "potency below specification", "已召回"),
    ("dispensed", "dispensed", "already dispensed", "已被发放"),
    ("unknown_serial", "unknown_serial", "may be counterfeit", "可能是假药"),
    ("expired", "expired", "Expired: do not use", "已过期"),
]


@pytest.mark.parametrize("situation,status,english,chinese", PACKS)
def test_the_browser_shows_the_verdict(browser, server, situation, status, english, chinese):
    _, urls = server
    page = browser.new_page()
    try:
        answer = page.goto(urls[situation])
        assert answer is not None and answer.status == 200
        verdict = page.locator("#verdict")
        assert verdict.get_attribute("data-status") == status
        shown = verdict.inner_text()
        assert english in shown and chinese in shown
        assert "VaxCo Influenza Vaccine" in page.locator(".facts").inner_text()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{situation}.png"), full_page=True)
    finally:
        page.close()


def test_the_browser_shows_the_custody_path_and_the_temperature_chart(browser, server):
    _, urls = server
    page = browser.new_page()
    try:
        page.goto(urls["quarantined"])
        assert "ColdLine Distribution" in page.locator("ol.custody").inner_text()
        chart = page.locator(".chart img").first
        chart.wait_for()
        assert page.evaluate("img => img.complete && img.naturalWidth", chart.element_handle()) == 900
        page.screenshot(path=str(ARTIFACTS / "quarantined.png"), full_page=True)
    finally:
        page.close()


def test_the_organisation_page_lists_holders_and_offers_the_csv(browser, server):
    base, _ = server
    page = browser.new_page()
    try:
        page.goto(base + "/batches/09506000134352/FLU24B")
        assert "Hospital B (Beijing Union)" in page.locator("#holders").inner_text()
        with page.expect_download() as download:
            page.click("a.button")
        assert download.value.suggested_filename == "recall-09506000134352-FLU24B.csv"
        page.screenshot(path=str(ARTIFACTS / "batch-FLU24B.png"), full_page=True)
    finally:
        page.close()
