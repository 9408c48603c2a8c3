"""Incremental == clean, over seeded random walks of edits to a small site.

Each step changes the site the way people do (edit, retitle, retag, rename, move, add,
delete, draft, config, templates, theme and static files, the clock, --drafts/--future),
then builds incrementally into public/ and with --clean into another folder; the two
trees must match byte for byte, and nothing temporary may be left beside the output.
Steps follow each other at full speed, so many edits land within one mtime tick: that is
on purpose, and no step waits for the clock.

THOUGHTGEN_WALK_STEPS=N runs N steps in all (spread over the seeds) instead of the default.
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import output_files
from output_support import leftovers

from thoughtgen.cli import main

SEEDS = (11, 23, 37, 41)
DEFAULT_STEPS = 80
WORDS = [
    "trust",
    "network",
    "letter",
    "coffee",
    "mentor",
    "habit",
    "signal",
    "honest",
    "quiet",
    "steady",
    "answer",
]
TAGS = ("Career", "career", "Craft", "Writing", "Remote", "Teams")
START = datetime(2026, 11, 22, 12, 0)
PERMALINKS = ("/posts/:slug/", "/:year/:slug/", "/:year/:month/:day/:slug.html")


def steps_per_seed() -> int:
    total = int(os.environ.get("THOUGHTGEN_WALK_STEPS", DEFAULT_STEPS))
    return max(1, -(-total // len(SEEDS)))


@dataclass
class PostSource:
    title: str
    date: datetime
    tags: list[str]
    body: str
    slug: str = ""
    draft: bool = False
    aliases: list[str] = field(default_factory=list)
    updated: datetime | None = None
    canonical_url: str = ""

    def text(self) -> str:
        lines = ["---", f"title: {self.title}", f"date: {self.date:%Y-%m-%d %H:%M}"]
        lines.append("tags: [" + ", ".join(self.tags) + "]")
        if self.updated:
            lines.append(f"updated: {self.updated:%Y-%m-%d %H:%M}")
        if self.canonical_url:
            lines.append(f"canonical_url: {self.canonical_url}")
        if self.slug:
            lines.append(f"slug: {self.slug}")
        if self.draft:
            lines.append("draft: true")
        if self.aliases:
            lines.append("aliases: [" + ", ".join(self.aliases) + "]")
        return "\n".join([*lines, "---", self.body]) + "\n"


@dataclass
class Walk:
    root: Path
    clean_out: Path
    rng: random.Random
    posts: dict[str, PostSource] = field(default_factory=dict)  # path below content/posts
    pages: dict[str, str] = field(default_factory=dict)  # file name → title
    config: dict[str, object] = field(default_factory=dict)
    now: datetime = START
    drafts: bool = False
    future: bool = False
    counter: int = 0
    runner: CliRunner = field(default_factory=CliRunner)

    # -- writing the site -------------------------------------------------------------------
    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, str):
            text = text.encode("utf-8")
        path.write_bytes(text)
        return path

    def write_post(self, name: str) -> None:
        self.write(f"content/posts/{name}", self.posts[name].text())

    def write_page(self, name: str, body: str = "") -> None:
        self.write(f"content/pages/{name}", f"---\ntitle: {self.pages[name]}\n---\n{body}\n")

    def write_config(self) -> None:
        c = self.config
        self.write(
            "thoughtgen.yaml",
            f"title: {c['title']}\nbase_url: https://example.com/\ntimezone: Europe/Berlin\n"
            f"author:\n  name: Walker\nposts_per_page: {c['per_page']}\n"
            f"feed:\n  limit: {c['feed_limit']}\ncalendar:\n  page: true\n  ics: true\n"
            f"permalinks:\n  posts: {c.get('permalink', '/posts/:slug/')}\n",
        )

    def fresh_name(self, stem: str) -> str:
        self.counter += 1
        return f"{stem}-{self.counter}"

    def sentence(self) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(3, 12))) + "."

    def new_post(self) -> PostSource:
        day = START - timedelta(days=self.rng.randint(1, 300), hours=self.rng.randint(0, 20))
        return PostSource(
            title=self.sentence().rstrip(".").capitalize(),
            date=day,
            tags=self.rng.sample(TAGS, self.rng.randint(0, 2)),
            body=self.sentence() + "\n\n" + self.sentence(),
        )

    def setup(self) -> None:
        self.config = {"title": "Walk", "per_page": 3, "feed_limit": 5}
        self.write_config()
        for _ in range(7):
            name = self.fresh_name("post") + ".md"
            self.posts[name] = self.new_post()
            self.write_post(name)
        soon = self.new_post()
        soon.date = START + timedelta(days=3)  # scheduled: goes live when the clock moves
        self.posts["soon.md"] = soon
        self.write_post("soon.md")
        self.setup_pages_and_files()

    def take_one(self, actions: list[tuple[Callable[[], str], int]]) -> str:
        """Run one of ``actions``, drawn by weight; what it did, in words."""
        action = self.rng.choices([a for a, _ in actions], [w for _, w in actions])[0]
        return action()

    def setup_pages_and_files(self) -> None:
        """Two pages, two static files and a theme override: what every walk starts with."""
        self.pages = {"about.md": "About", "contact.md": "Contact"}
        for name in self.pages:
            self.write_page(name, self.sentence())
        self.write("content/static/notes.txt", "first notes\n")
        self.write("content/static/img/dot.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>\n")
        self.write("themes/default/templates/404.html", self.template_404())
        self.write("themes/default/static/extra.css", "body { color: #123 }\n")

    def template_404(self) -> str:
        shown = self.rng.choice(
            ["{{ site.posts|length }} posts", "{{ site.config.title }}", "Gone", "{{ site.now }}"]
        )
        return (
            "{% extends '!default/404.html' %}{% block content %}"
            f"<p>{shown}</p>{{{{ super() }}}}{{% endblock %}}\n"
        )

    # -- steps ------------------------------------------------------------------------------
    def pick_post(self) -> str:
        return self.rng.choice(sorted(self.posts))

    def edit_body(self) -> str:
        name = self.pick_post()
        post = self.posts[name]
        if self.rng.random() < 0.5 and post.body:
            # Same size, same second: only the bytes (and ctime) tell the edit apart.
            i = self.rng.randrange(len(post.body))
            old = post.body[i]
            new = "x" if old != "x" else "y"
            post.body = post.body[:i] + new + post.body[i + 1 :]
        else:
            post.body = self.sentence() + "\n\n" + self.sentence()
        self.write_post(name)
        return f"edit body of {name}"

    def retitle(self) -> str:
        name = self.pick_post()
        self.posts[name].title = self.sentence().rstrip(".").capitalize()
        self.write_post(name)
        return f"retitle {name}"

    def redate(self) -> str:
        """A new date (the order, neighbours, archive and feeds change; the URL does not)."""
        name = self.pick_post()
        post = self.posts[name]
        post.date = START - timedelta(days=self.rng.randint(1, 300), hours=self.rng.randint(0, 20))
        if post.updated is not None and post.updated < post.date:
            post.updated = None
        self.write_post(name)
        return f"redate {name}"

    def mark_updated(self) -> str:
        """An ``updated:`` date or a ``canonical_url`` given, changed or taken away (what the
        sitemap and feeds show of a post, and nothing else)."""
        name = self.pick_post()
        post = self.posts[name]
        if self.rng.random() < 0.5:
            later = post.date + timedelta(days=self.rng.randint(1, 40))
            post.updated = None if post.updated else later
        else:
            where = self.rng.choice(["", "https://elsewhere.example/x/", f"/posts/{name}/"])
            post.canonical_url = "" if post.canonical_url else where
        self.write_post(name)
        return f"mark {name} updated or elsewhere"

    def retag(self) -> str:
        name = self.pick_post()
        self.posts[name].tags = self.rng.sample(TAGS, self.rng.randint(0, 3))
        self.write_post(name)
        return f"retag {name}"

    def rename_post(self) -> str:
        name = self.pick_post()
        if name.endswith("/index.md"):
            return self.edit_body()
        folder = name.rpartition("/")[0]
        new = (folder + "/" if folder else "") + self.fresh_name("renamed") + ".md"
        (self.root / "content/posts" / new).parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.root / "content/posts" / name, self.root / "content/posts" / new)
        self.posts[new] = self.posts.pop(name)
        return f"rename {name} → {new}"

    def move_post(self) -> str:
        name = self.pick_post()
        if name.endswith("/index.md"):
            return self.retitle()
        base = name.rpartition("/")[2]
        folder = self.rng.choice(["2025", "2026/notes", ""])
        new = f"{folder}/{base}" if folder else base
        if new == name or new in self.posts:
            return "move nothing"
        (self.root / "content/posts" / new).parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.root / "content/posts" / name, self.root / "content/posts" / new)
        self.posts[new] = self.posts.pop(name)
        return f"move {name} → {new}"

    def change_slug(self) -> str:
        name = self.pick_post()
        post = self.posts[name]
        post.slug = "" if post.slug and self.rng.random() < 0.5 else self.fresh_name("slug")
        self.write_post(name)
        return f"slug of {name} → {post.slug or '(from the file name)'}"

    def add_post(self) -> str:
        name = self.fresh_name("added") + ".md"
        self.posts[name] = self.new_post()
        if self.rng.random() < 0.3:
            self.posts[name].date = self.now + timedelta(days=self.rng.randint(1, 5))
        self.write_post(name)
        return f"add {name}"

    def delete_post(self) -> str:
        if len(self.posts) <= 3:
            return self.add_post()
        name = self.pick_post()
        (self.root / "content/posts" / name).unlink()
        del self.posts[name]
        return f"delete {name}"

    def toggle_draft(self) -> str:
        name = self.pick_post()
        self.posts[name].draft = not self.posts[name].draft
        self.write_post(name)
        return f"draft of {name} → {self.posts[name].draft}"

    def change_page(self) -> str:
        name = self.rng.choice(sorted(self.pages))
        if self.rng.random() < 0.5:
            new = self.fresh_name("page") + ".md"
            os.replace(self.root / "content/pages" / name, self.root / "content/pages" / new)
            self.pages[new] = self.pages.pop(name)
            return f"rename page {name} → {new}"
        self.pages[name] = self.sentence().rstrip(".").capitalize()
        self.write_page(name, self.sentence())
        return f"edit page {name}"

    def change_config(self) -> str:
        key = self.rng.choice(["title", "per_page", "feed_limit", "permalink"])
        if key == "title":
            self.config[key] = self.rng.choice(["Walk", "Another walk", "Steps"])
        elif key == "permalink":
            self.config[key] = self.rng.choice(PERMALINKS)
        else:
            self.config[key] = self.rng.randint(1, 6)
        self.write_config()
        return f"config {key} → {self.config[key]}"

    def change_theme(self) -> str:
        if self.rng.random() < 0.5:
            self.write("themes/default/templates/404.html", self.template_404())
            return "template 404.html"
        css = self.root / "themes/default/static/extra.css"
        color = "".join(self.rng.choice("0123456789abcdef") for _ in range(3))
        self.same_size_or_not(css, f"body {{ color: #{color} }}\n".encode())
        return "theme static extra.css"

    def change_static(self) -> str:
        path = self.root / "content/static" / self.rng.choice(["notes.txt", "img/dot.svg"])
        data = path.read_bytes()
        i = self.rng.randrange(len(data) - 1)
        swapped = data[:i] + bytes([data[i] ^ 1]) + data[i + 1 :]
        self.same_size_or_not(path, swapped if self.rng.random() < 0.7 else data + b"\n")
        return f"static {path.name}"

    def same_size_or_not(self, path: Path, data: bytes) -> None:
        """Write ``data``; when the size is unchanged, put the old mtime back as ``cp -p`` does."""
        before = path.stat()
        with open(path, "r+b" if len(data) == before.st_size else "wb") as handle:
            handle.write(data)
        if len(data) == before.st_size and self.rng.random() < 0.7:
            os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))

    def advance_clock(self) -> str:
        self.now += timedelta(days=self.rng.randint(0, 4), hours=self.rng.randint(0, 23))
        return f"now → {self.now:%Y-%m-%d %H:%M}"

    def toggle_flags(self) -> str:
        if self.rng.random() < 0.5:
            self.drafts = not self.drafts
        else:
            self.future = not self.future
        return f"--drafts {self.drafts}, --future {self.future}"

    def add_alias(self) -> str:
        name = self.pick_post()
        post = self.posts[name]
        if post.aliases and self.rng.random() < 0.3:
            post.aliases.pop(self.rng.randrange(len(post.aliases)))
        else:
            shape = self.rng.choice(["/old/{}/", "/{}.html", "/archive/{}"])
            post.aliases.append(shape.format(self.fresh_name("was")))
        self.write_post(name)
        return f"aliases of {name} → {post.aliases}"

    def link_post(self) -> str:
        """A link from one post to another's source file (resolved to its URL at build)."""
        name, target = self.pick_post(), self.pick_post()
        relative = os.path.relpath(f"/{target}", os.path.dirname(f"/{name}"))
        self.posts[name].body += f"\n\nSee [this]({relative})."
        self.write_post(name)
        return f"link {name} → {target}"

    def make_bundle(self) -> str:
        """A post becomes a page bundle with an image beside it (or its image changes)."""
        name = self.pick_post()
        if not name.endswith("/index.md"):
            folder = name.removesuffix(".md")
            new = f"{folder}/index.md"
            (self.root / "content/posts" / folder).mkdir(parents=True, exist_ok=True)
            os.replace(self.root / "content/posts" / name, self.root / "content/posts" / new)
            self.posts[new] = self.posts.pop(name)
            self.posts[new].body += "\n\n![picture](pic.svg)"
            self.write_post(new)
            name = new
        pic = self.root / "content/posts" / name.replace("index.md", "pic.svg")
        pic.write_text(f"<svg xmlns='http://www.w3.org/2000/svg' id='p{self.counter}'/>\n")
        self.counter += 1
        return f"bundle {name}"

    def nothing(self) -> str:
        return "no change"

    def step(self) -> str:
        actions: list[tuple[Callable[[], str], int]] = [
            (self.edit_body, 5),
            (self.retitle, 2),
            (self.retag, 2),
            (self.redate, 2),
            (self.mark_updated, 2),
            (self.rename_post, 2),
            (self.move_post, 1),
            (self.change_slug, 2),
            (self.add_post, 2),
            (self.delete_post, 1),
            (self.toggle_draft, 2),
            (self.change_page, 2),
            (self.change_config, 2),
            (self.change_theme, 2),
            (self.change_static, 3),
            (self.advance_clock, 1),
            (self.toggle_flags, 1),
            (self.add_alias, 2),
            (self.link_post, 2),
            (self.make_bundle, 1),
            (self.nothing, 1),
        ]
        return self.take_one(actions)

    # -- building and comparing -------------------------------------------------------------
    def build(self, *extra: str) -> tuple[int, str]:
        args = ["build", "--source", str(self.root), "--now", f"{self.now:%Y-%m-%d %H:%M}"]
        args.append("--accept-new-ids")  # renames and new slugs change feed ids on purpose
        args += ["--drafts"] * self.drafts + ["--future"] * self.future
        result = self.runner.invoke(main, [*args, *extra])
        assert "Traceback" not in result.output, result.output
        return result.exit_code, result.output

    def check(self, history: list[str]) -> None:
        code, output = self.build()
        clean_code, clean_output = self.build("--clean", "--output", str(self.clean_out))
        where = "after: " + " / ".join(history[-6:])
        assert code == clean_code, f"{where}\n{output}\n{clean_output}"
        assert code == 0, f"{where}\n{output}"
        ours, theirs = output_files(self.root / "public"), output_files(self.clean_out)
        differ = sorted(p for p in ours.keys() | theirs.keys() if ours.get(p) != theirs.get(p))
        assert not differ, f"{where}\nincremental and clean builds differ in {differ}"
        for folder, name in ((self.root, "public"), (self.clean_out.parent, self.clean_out.name)):
            assert leftovers(folder, name) == [], where


@pytest.mark.parametrize("seed", SEEDS)
def test_incremental_equals_clean_over_a_random_walk(tmp_path: Path, seed: int) -> None:
    walk = Walk(tmp_path / "site", tmp_path / "clean" / "out", random.Random(seed))
    walk.root.mkdir()
    walk.clean_out.parent.mkdir()
    walk.setup()
    history = ["setup"]
    walk.check(history)
    for _ in range(steps_per_seed()):
        history.append(walk.step())
        walk.check(history)
    shutil.rmtree(tmp_path)
