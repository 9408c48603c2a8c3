"""Share cards: real builds, every card reopened with Pillow, layout bounds for any title,
incremental rebuilds, the font warning, and two cards looked at in a real browser."""

from __future__ import annotations

import hashlib
import html
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from browser_support import ARTIFACTS, static_server
from conftest import SiteMaker, post
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from thoughtgen.build import BuildOptions, BuildResult, build
from thoughtgen.cards import draw
from thoughtgen.cards.draw import (
    BAR,
    FOOTER_BLOCK,
    HEIGHT,
    SITE_BLOCK,
    TITLE_BLOCK,
    WIDTH,
    Block,
    layout,
    palette,
    render,
)
from thoughtgen.cards.fonts import font_book
from thoughtgen.session import BuildSession

OG_IMAGE = re.compile(r'<meta property="og:image" content="([^"]+)"')
BRAIN = "\U0001f9e0"  # an emoji few systems have a monochrome font for


def open_card(path_or_bytes: Path | bytes) -> Image.Image:
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else path_or_bytes.read_bytes()
    image = Image.open(io.BytesIO(data))
    image.load()  # decodes every row: a broken stream fails here
    return image


def assert_card(image: Image.Image) -> None:
    assert image.format == "PNG"
    assert image.size == (WIDTH, HEIGHT) == (1200, 630)
    assert image.mode == "P"


# --- the starter site --------------------------------------------------------------------


def test_every_starter_card_is_a_1200_by_630_png(starter_build: Path) -> None:
    cards = sorted((starter_build / "cards").rglob("*.png"))
    assert len(cards) >= 13
    sizes = []
    for card in cards:
        assert_card(open_card(card))
        sizes.append(card.stat().st_size)
    sizes.sort()
    assert sizes[len(sizes) // 2] < 40_000  # light on bytes


def test_every_post_head_names_an_existing_card(starter_build: Path) -> None:
    posts = sorted((starter_build / "posts").glob("*/index.html"))
    assert posts
    for page in posts:
        found = OG_IMAGE.search(page.read_text(encoding="utf-8"))
        assert found, page
        url = html.unescape(found.group(1))
        assert url.startswith("https://example.com/cards/"), url
        card = starter_build / url.removeprefix("https://example.com/")
        assert card.is_file(), url
        assert_card(open_card(card))


# --- drawing -----------------------------------------------------------------------------


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_text_colours_pass_wcag_aa() -> None:
    colours = palette()
    background = colours[0]
    assert len(colours) == 16
    assert contrast(colours[8], background) >= 4.5  # title and site name, full shade
    assert contrast(colours[15], background) >= 4.5  # author and date, full shade


def test_same_texts_give_the_same_bytes() -> None:
    texts = ("Site", "A title – with ümlauts and 日本語", "Ann · 3 March 2026")
    assert render(*texts) == render(*texts)
    assert render(*texts) != render("Site", "Another title", "Ann · 3 March 2026")


SAME_TEXTS = ("Site", "A title – with ümlauts, Ελληνικά and 日本語 WAVE", "Ann · 3 March 2026")


def test_cards_are_the_same_in_other_processes_and_hash_seeds() -> None:
    code = (
        "import hashlib, sys\n"
        "from thoughtgen.cards.draw import render\n"
        f"sys.stdout.write(hashlib.sha256(render(*{SAME_TEXTS!r})).hexdigest())\n"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert digests == {hashlib.sha256(render(*SAME_TEXTS)).hexdigest()}


def test_what_the_caches_hold_never_changes_a_card_and_their_memory_is_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = [
        ("Site", f"Word{n} meets Word{n + 1} and AVATAR Type {n * 7}", f"Ann · {n} May 2026")
        for n in range(1, 30)
    ]
    first = [render(*t) for t in texts]
    words = draw._drawn_words()
    monkeypatch.setattr(words, "limit", 100_000)  # a few words at the largest size
    render("Site", "Every word here is new to the cache", "Ann")  # forgets most words
    assert words.pixels <= 100_000
    layout.cache_clear()
    draw._site_bands.cache_clear()
    again = [render(*t) for t in reversed(texts)]  # drawn anew, and forgotten again
    assert again[::-1] == first
    assert words.pixels <= 100_000


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("ab Z.-/–—‐‑日本語\u3000"), max_size=60))
def test_simple_text_is_cut_into_tokens_as_the_grapheme_walk_does(text: str) -> None:
    draw._plain().learn(text, True)
    assert draw._tokens(text) == draw._grapheme_tokens(text)


def test_long_titles_shrink_and_are_cut_only_at_the_smallest_size() -> None:
    short = layout("Give Before You Ask")
    assert short.size == TITLE_BLOCK.sizes[0] and not short.truncated
    long = layout("Networking " * 12)
    assert long.size < TITLE_BLOCK.sizes[0] and not long.truncated
    endless = layout("word " * 400)
    assert endless.size == TITLE_BLOCK.sizes[-1] and endless.truncated
    assert endless.lines[-1].text.endswith("…")


def test_right_to_left_titles_are_aligned_right() -> None:
    laid = layout("كيف تبني شبكة علاقات مهنية")
    assert laid.lines
    assert all(line.box[2] > TITLE_BLOCK.right - 20 for line in laid.lines)


titles = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
        st.sampled_from("Networking 日本語の見出し كيف تبني שלום नमस्ते Ελληνικά Кириллица 😀🧠"),
        st.sampled_from("\u0301\u0308\u0651\u093f\u200d\ufe0f"),  # combining marks, joiners
        st.just(" "),
    ),
    max_size=400,
)


def _allowed(x: int, y: int) -> bool:
    """Where anything but background may be on a card."""
    if x < BAR:
        return True
    for block in (SITE_BLOCK, TITLE_BLOCK, FOOTER_BLOCK):
        if block.left <= x < block.right and block.top <= y < block.bottom:
            return True
    return 528 <= y < 530 and TITLE_BLOCK.left <= x < TITLE_BLOCK.right  # the rule


def _inside(box: tuple[int, int, int, int], block: Block) -> bool:
    left, top, right, bottom = box
    return block.left <= left <= right <= block.right and block.top <= top <= bottom <= block.bottom


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(title=titles, site=titles, byline=titles)
def test_any_text_gives_a_card_with_its_text_inside_its_boxes(
    title: str, site: str, byline: str
) -> None:
    for text, block in ((title, TITLE_BLOCK), (site, SITE_BLOCK), (byline, FOOTER_BLOCK)):
        laid = layout(text, block)
        assert laid.size in block.sizes
        for line in laid.lines:
            assert _inside(line.box, block), (text, line)
    image = open_card(render(site, title, byline))
    assert_card(image)
    # Nothing was drawn outside the boxes: every such pixel is the background.
    pixels = image.load()
    for y in range(0, HEIGHT, 3):
        for x in range(0, WIDTH, 3):
            if not _allowed(x, y):
                assert pixels[x, y] == 0, (x, y)


# --- builds ------------------------------------------------------------------------------


def _cards(site: SiteMaker) -> dict[str, tuple[int, int]]:
    """Each card with its inode and mtime: a remade card changes at least one."""
    found = {}
    for path in sorted((site.out / "cards").rglob("*.png")):
        stat = path.stat()
        found[path.relative_to(site.out).as_posix()] = (stat.st_ino, stat.st_mtime_ns)
    return found


def _three_posts(site: SiteMaker) -> None:
    site.write("content/posts/one.md", post("First Post", "2024-03-01 09:00"))
    site.write("content/posts/two.md", post("Second Post", "2024-03-02 09:00"))
    site.write("content/posts/three.md", post("Third Post", "2024-03-03 09:00"))


def test_incremental_builds_keep_unchanged_cards_and_remake_an_edited_one(
    site: SiteMaker,
) -> None:
    _three_posts(site)
    assert site.build().exit_code == 0
    first = _cards(site)
    assert set(first) == {
        "cards/posts/one.png",
        "cards/posts/two.png",
        "cards/posts/three.png",
        "cards/site.png",
    }
    result = site.build()
    assert result.exit_code == 0, result.output
    assert _cards(site) == first

    site.write("content/posts/two.md", post("Second Post, Renamed", "2024-03-02 09:00"))
    result = site.build()
    assert result.exit_code == 0, result.output
    after = _cards(site)
    changed = {path for path in first if after[path] != first[path]}
    assert changed == {"cards/posts/two.png"}
    assert open_card(site.out / "cards/posts/two.png").size == (1200, 630)


def test_cards_off_makes_none(site: SiteMaker) -> None:
    site.config("share_cards: false\n")
    _three_posts(site)
    result = site.build()
    assert result.exit_code == 0, result.output
    assert not (site.out / "cards").exists()
    assert "og:image" not in site.page("posts/one/index.html")


def test_a_post_image_wins_over_its_card(site: SiteMaker) -> None:
    _three_posts(site)
    site.write("content/posts/two.md", post("Second Post", image="/images/mine.png"))
    site.write("content/static/images/mine.png", render("x", "Mine", "y"))
    result = site.build()
    assert result.exit_code == 0, result.output
    assert not (site.out / "cards/posts/two.png").exists()
    assert (site.out / "cards/posts/one.png").is_file()
    found = OG_IMAGE.search(site.page("posts/two/index.html"))
    assert found and found.group(1) == "https://example.com/images/mine.png"


def test_a_site_image_replaces_the_site_card(site: SiteMaker) -> None:
    site.config("image: /images/site.png\n")
    _three_posts(site)
    site.write("content/static/images/site.png", render("x", "Site", "y"))
    result = site.build()
    assert result.exit_code == 0, result.output
    assert not (site.out / "cards/site.png").exists()
    assert (site.out / "cards/posts/one.png").is_file()


def test_a_title_no_font_can_draw_warns_and_the_card_is_still_made(site: SiteMaker) -> None:
    if font_book().face_for(BRAIN, True) is not None:
        pytest.skip("an installed font draws the test emoji")
    site.write("content/posts/brain.md", f"---\ndate: 2024-03-01\ntitle: Think {BRAIN}\n---\nHi\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    assert (
        f"content/posts/brain.md:3: no installed font can draw {BRAIN} on the share card "
        "(they show as boxes); install a font with emoji and symbols, such as Noto Emoji or "
        "Symbola, then build again"
    ) in result.output
    assert_card(open_card(site.out / "cards/posts/brain.png"))


def test_serve_warns_of_titles_no_font_can_draw_as_a_build_does(
    site: SiteMaker, tmp_path: Path
) -> None:
    """Serve's rebuilds look again only at the edited posts' titles: the warnings they give
    are a clean build's, as titles gain and lose what no font draws."""
    if font_book().face_for(BRAIN, True) is not None:
        pytest.skip("an installed font draws the test emoji")
    site.config()

    def write(n: int, title: str) -> Path:
        return site.write(f"content/posts/p{n}.md", post(title, f"2024-03-0{n + 1} 09:00", "Hi."))

    for n in range(4):
        write(n, f"Post {n}")

    def options(out: Path, **extra: object) -> BuildOptions:
        return BuildOptions(site_dir=site.root, output_dir=out, accept_new_ids=True, **extra)  # type: ignore[arg-type]

    def font_warnings(result: BuildResult) -> list[str]:
        return [str(warning) for warning in result.warnings if "no installed font" in str(warning)]

    served = tmp_path / "served"
    build(options(served))
    session = BuildSession(options(served))
    edits = [(1, f"Think {BRAIN}"), (2, "Plain"), (1, "Plain again"), (0, f"{BRAIN} too")]
    edits += [(3, f"And {BRAIN}"), (0, f"{BRAIN} still"), (3, "Done")]
    try:
        session.prime()
        assert session.warm
        for step, (n, title) in enumerate(edits):
            shown = font_warnings(session.rebuild([write(n, title)]))
            clean = build(options(tmp_path / f"clean{step}", clean=True, use_cache=False, jobs=1))
            assert shown == font_warnings(clean), f"step {step}"
            assert session.warm, f"step {step}: the edit went the whole way"
    finally:
        session.close()


def test_chinese_titles_need_no_warning_when_a_cjk_font_is_installed(site: SiteMaker) -> None:
    if font_book().face_for("中", True) is None:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    site.write("content/posts/zh.md", post("如何建立职业人脉"))
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "on the share card" not in result.output  # no font warning
    assert_card(open_card(site.out / "cards/posts/zh.png"))


# --- in a browser ------------------------------------------------------------------------

SHOWN = {
    "short": ("Warm Introductions", "Give Before You Ask", "Jordan Avery · 3 March 2026"),
    "long-japanese": (
        "温かい紹介",
        "必要になる前に人脈を築く：同僚、元上司、同窓生、そして業界の集まりで出会った人々と"
        "長く続く関係を育てるための、毎週一時間の習慣についての非常に長い見出し",
        "山田 花子 · 12 November 2026",
    ),
    "long-arabic": (
        "مقدمات دافئة",
        "كيف تبني شبكة علاقات مهنية قبل أن تحتاج إليها، ولماذا يبدأ ذلك بتقديم المساعدة "
        "للآخرين دون انتظار مقابل، مع أمثلة من العمل عن بعد",
        "جوردان · 3 March 2026",
    ),
}


@pytest.mark.browser
def test_cards_show_in_a_browser(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    figures = []
    for name, texts in SHOWN.items():
        (tmp_path / f"{name}.png").write_bytes(render(*texts))
        figures.append(
            f'<figure><img src="{name}.png" width="600" height="315" alt="{name}">'
            f"<figcaption>{name}</figcaption></figure>"
        )
    (tmp_path / "index.html").write_text(
        "<!doctype html><html lang=en><meta charset=utf-8><title>Cards</title>"
        "<body style='margin:16px;background:#e9ecef;font:14px sans-serif'>"
        + "".join(figures)
        + "</body></html>",
        encoding="utf-8",
    )
    target = ARTIFACTS / "cards" / "cards.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    with static_server(tmp_path) as url:
        context = browser.new_context(viewport={"width": 680, "height": 1100})
        page = context.new_page()
        page.goto(url)
        sizes = page.eval_on_selector_all(
            "img", "els => els.map(e => [e.complete, e.naturalWidth, e.naturalHeight])"
        )
        page.screenshot(path=str(target), full_page=True)
        context.close()
    assert sizes == [[True, 1200, 630]] * len(SHOWN)
    assert open_card(target.read_bytes()).size[0] >= 600
