"""The default theme in a real browser: accessibility, layout on a phone, keyboard, print.

Each page type of the starter site is served by a local static server and opened in
Debian's Chromium through Playwright; axe-core (from npm) checks WCAG 2.1 AA in the light
and the dark colour scheme. Screenshots go to ``artifacts/screens/`` (not committed).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import (
    ARTIFACTS,
    PAGES,
    node_module,
    static_server,
)

pytestmark = pytest.mark.browser

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WEIGHT_LIMIT = 30 * 1024


@pytest.fixture(scope="session")
def site_url(starter_build: Path) -> Iterator[str]:
    with static_server(starter_build) as url:
        yield url


def open_page(browser, url: str, *, width: int = 1280, height: int = 800, scheme: str = "light"):
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.on(
        "response",
        lambda r: (
            problems.append(f"HTTP {r.status}: {r.url}")
            if r.status >= 400 and not r.url.endswith("404.html")
            else None
        ),
    )
    page.goto(url, wait_until="load")
    return context, page, problems


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_no_accessibility_violations(browser, site_url: str, name: str, scheme: str) -> None:
    axe = node_module("axe-core", "axe.min.js")
    context, page, _problems = open_page(browser, site_url + PAGES[name], scheme=scheme)
    try:
        page.add_script_tag(path=str(axe))
        violations = page.evaluate(
            """async (tags) => {
                const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
                return result.violations.map(v => `${v.id} (${v.impact}): ${v.help} at ` +
                    v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
            }""",
            WCAG_AA,
        )
    finally:
        context.close()
    assert violations == []


@pytest.mark.parametrize("name", list(PAGES))
def test_fits_a_phone_and_logs_no_errors(browser, site_url: str, name: str) -> None:
    context, page, problems = open_page(browser, site_url + PAGES[name], width=375, height=812)
    try:
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        blocks = page.evaluate(
            """() => [...document.querySelectorAll("pre, table")].map(el => ({
                tag: el.tagName,
                overflowX: getComputedStyle(el).overflowX,
                right: el.getBoundingClientRect().right,
            }))"""
        )
    finally:
        context.close()
    assert overflow <= 0, f"{overflow}px of horizontal scrolling at 375px"
    for block in blocks:
        assert block["overflowX"] in ("auto", "scroll"), block
        assert block["right"] <= 375, block
    assert problems == []


def test_post_code_blocks_scroll_inside_themselves(browser, site_url: str) -> None:
    context, page, _problems = open_page(browser, site_url + PAGES["post"], width=375, height=812)
    try:
        page.evaluate("""() => {
            const pre = document.querySelector(".highlight pre, pre");
            pre.querySelector("code").textContent += "\\n" + "x".repeat(400);
        }""")
        sizes = page.evaluate("""() => {
            const pre = document.querySelector(".highlight pre, pre");
            return {inner: pre.scrollWidth, box: pre.clientWidth,
                    page: document.documentElement.scrollWidth,
                    viewport: document.documentElement.clientWidth};
        }""")
    finally:
        context.close()
    assert sizes["inner"] > sizes["box"]  # the long line scrolls inside the block...
    assert sizes["page"] <= sizes["viewport"]  # ...and the page itself does not


@pytest.mark.parametrize(
    ("name", "width", "height"),
    [("home", 375, 812), ("home", 1280, 800), ("post", 375, 812), ("post", 1280, 800)],
)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots(
    browser, site_url: str, name: str, width: int, height: int, scheme: str
) -> None:
    target = ARTIFACTS / "screens" / f"{name}-{width}x{height}-{scheme}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    context, page, problems = open_page(
        browser, site_url + PAGES[name], width=width, height=height, scheme=scheme
    )
    try:
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        page.screenshot(path=str(target))
    finally:
        context.close()
    assert target.stat().st_size > 5000
    assert background == ("rgb(18, 20, 23)" if scheme == "dark" else "rgb(255, 255, 255)")
    assert problems == []


def test_skip_link_is_the_first_stop_and_focus_is_always_visible(browser, site_url: str) -> None:
    context, page, _problems = open_page(browser, site_url + PAGES["post"])
    visible_focus = """() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        return {tag: el.tagName, cls: el.className, id: el.id,
                outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
                top: el.getBoundingClientRect().top};
    }"""
    try:
        page.keyboard.press("Tab")
        first = page.evaluate(visible_focus)
        page.keyboard.press("Enter")
        after_skip = page.evaluate("document.activeElement.id")
        stops = []
        for _ in range(12):
            page.keyboard.press("Tab")
            stops.append(page.evaluate(visible_focus))
    finally:
        context.close()
    assert first["cls"] == "skip-link" and first["outline"] and first["top"] >= 0
    assert after_skip == "main"
    assert stops and all(stop["outline"] for stop in stops), stops


def test_print_leaves_out_navigation(browser, site_url: str) -> None:
    context, page, _problems = open_page(browser, site_url + PAGES["post"])
    try:
        page.emulate_media(media="print")
        hidden = page.evaluate("""() => [".site-header nav", ".site-footer", ".post-nav",
            ".skip-link"].map(s => { const el = document.querySelector(s);
            return el === null || getComputedStyle(el).display === "none"; })""")
        article = page.evaluate("getComputedStyle(document.querySelector('article')).display")
    finally:
        context.close()
    assert all(hidden)
    assert article != "none"


def test_a_post_is_light(browser, site_url: str, starter_build: Path) -> None:
    context, page, _problems = open_page(browser, site_url + PAGES["post"])
    requests: list[str] = []
    try:
        page.on("request", lambda r: requests.append(r.url))
        page.reload(wait_until="load")
        scripts = page.evaluate(
            "[...document.scripts].filter(s => s.type !== 'application/ld+json').length"
        )
    finally:
        context.close()
    html = (starter_build / PAGES["post"] / "index.html").stat().st_size
    css = sum(p.stat().st_size for p in (starter_build / "theme").glob("*.css"))
    assert html + css < WEIGHT_LIMIT, f"{html} + {css} bytes"
    assert scripts == 0
    assert requests and all(url.startswith(site_url) for url in requests), requests
    assert not [url for url in requests if url.endswith((".woff", ".woff2", ".ttf", ".otf"))]


def test_serve_reloads_the_open_page_and_shows_build_errors(browser, tmp_path: Path) -> None:
    """The writer's loop: edit, see the page reload; break it, see the error; fix it."""
    import time

    from conftest import SiteMaker, post
    from test_serve import free_port, start

    site = SiteMaker(tmp_path / "site")
    site.root.mkdir()
    site.config()
    source = site.write("content/posts/hello.md", post("Hello", body="First version."))
    port = free_port()
    proc = start(site, port)
    context = browser.new_context()
    try:
        page = context.new_page()
        deadline = time.monotonic() + 20
        while True:
            try:
                page.goto(f"http://127.0.0.1:{port}/posts/hello/")
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        page.wait_for_function("() => document.querySelector('h1')?.textContent === 'Hello'")
        time.sleep(1.0)  # let the watcher start
        source.write_text(post("Hello again", body="Second version."))
        page.wait_for_function(
            "() => document.querySelector('h1').textContent === 'Hello again'", timeout=15000
        )
        source.write_text("---\ntitle: [broken\n---\n")
        alert = page.wait_for_selector("[role=alert]", timeout=15000)
        assert "content/posts/hello.md:2: the list opened with '['" in alert.inner_text()
        assert page.locator("h1").inner_text() == "Hello again"  # the last good page
        source.write_text(post("Hello, fixed", body="Third version."))
        page.wait_for_function(
            "() => document.querySelector('h1').textContent === 'Hello, fixed'", timeout=15000
        )
        assert page.locator("[role=alert]").count() == 0
    finally:
        context.close()
        proc.terminate()
        proc.wait(timeout=10)
