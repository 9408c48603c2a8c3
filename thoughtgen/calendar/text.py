"""The calendar report for a person at a terminal."""

from __future__ import annotations

from datetime import date

import click

from thoughtgen.calendar.heatmap import Heatmap, heatmap
from thoughtgen.calendar.report import BEHIND, DUE_SOON, CalendarReport, LiveMarks

UNIT = {"daily": "day", "weekly": "week", "biweekly": "fortnight", "monthly": "month"}
STATUS_TEXT = {
    "on_track": "On track",
    "due_soon": "Due soon",
    "behind": "Behind",
}
PLAIN = {"none": ".", 1: "o", 2: "O", 3: "@", "scheduled": "+", "future": " "}
COLOURED = {"none": "·", 1: "■", 2: "■", 3: "■", "scheduled": "◆", "future": " "}
SHADES = {1: (120, 200, 120), 2: (40, 160, 60), 3: (0, 110, 40)}


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def short(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def render_text(report: CalendarReport, colour: bool = False) -> str:
    unit = UNIT[report.cadence]
    lines = []
    posts = plural(report.target, "post")
    lines.append(
        f"Goal: {posts} per {unit} (weeks start on {report.week_start.title()}); "
        f"today is {short(report.today)}"
    )
    status = STATUS_TEXT[report.status]
    if report.status == BEHIND:
        status += f": last {unit} missed the goal"
    elif report.status == DUE_SOON:
        status += f": this {unit} ends {short(report.current.period.end)} with nothing yet"
    if colour:
        status = click.style(
            status,
            fg={"on_track": "green", "due_soon": "yellow", "behind": "red"}[report.status],
            bold=True,
        )
    lines.append(f"Status: {status}")
    lines.append(
        f"Current streak: {plural(report.current_streak, unit)}    "
        f"Longest streak: {plural(report.longest_streak, unit)}"
    )
    met = round(report.consistency * report.consistency_periods)
    lines.append(
        f"Consistency: {report.consistency:.0%} "
        f"({met} of the last {plural(report.consistency_periods, 'completed ' + unit)} met)"
    )
    if report.longest_gap:
        gap = report.longest_gap
        lines.append(
            f"Longest gap: {plural(gap.days, 'day')} ({short(gap.start)} → {short(gap.end)})"
        )
    else:
        lines.append("Longest gap: none yet")
    since = report.days_since_last_post
    lines.append("Days since last post: " + ("no posts yet" if since is None else str(since)))
    lines.append("Next due: " + (short(report.next_due) if report.next_due else "nothing due"))
    lines.append("")
    lines.extend(render_heatmap(heatmap(report), colour))
    lines.append("")
    if report.live is not None:
        lines.extend(render_recent(report, report.live))
    lines.append("Scheduled:" if report.scheduled else "Scheduled: nothing")
    for entry in report.scheduled:
        assert entry.post.date is not None
        when = entry.post.date.astimezone(report.now.tzinfo)
        lines.append(
            f"  {short(when.date())} {when:%H:%M}  {entry.post.title}  ({entry.post.source})"
        )
    backlog = [("draft", e) for e in report.drafts] + [("idea", e) for e in report.ideas]
    lines.append("Backlog:" if backlog else "Backlog: empty")
    for kind, entry in backlog:
        waited = (
            "" if entry.waiting_days is None else f", waiting {plural(entry.waiting_days, 'day')}"
        )
        lines.append(f"  {kind:<5}  {entry.post.title}  ({entry.post.source}{waited})")
    return "\n".join(lines) + "\n"


def render_recent(report: CalendarReport, live: LiveMarks) -> list[str]:
    """The newest published posts, each marked live or not seen by the last verify."""
    checked = live.checked_at.astimezone(report.now.tzinfo)
    lines = [f"Recent (live: seen at {live.url} on {short(checked.date())} {checked:%H:%M}):"]
    if not report.recent:
        lines.append("  nothing published yet")
    for entry in report.recent:
        assert entry.post.date is not None
        when = entry.post.date.astimezone(report.now.tzinfo)
        mark = "live" if entry.post.source in live.sources else "not seen"
        lines.append(
            f"  {mark:<8}  {short(when.date())} {when:%H:%M}  {entry.post.title}  "
            f"({entry.post.source})"
        )
    return lines


def render_heatmap(grid: Heatmap, colour: bool) -> list[str]:
    glyphs = COLOURED if colour else PLAIN
    width = len(grid.columns)
    header = [" "] * (width * 2)
    for index, label in grid.month_labels:
        position = index * 2
        if all(ch == " " for ch in header[position : position + len(label) + 1]):
            header[position : position + len(label)] = list(label)
    lines = ["     " + "".join(header).rstrip()]
    for row in range(7):
        cells = []
        for column in grid.columns:
            cell = column[row]
            if cell.scheduled and not cell.published:
                glyph = glyphs["scheduled"]
                cells.append(click.style(glyph, fg="blue") if colour else glyph)
            elif cell.future:
                cells.append(glyphs["future"])
            elif cell.level == 0:
                glyph = glyphs["none"]
                cells.append(click.style(glyph, fg="bright_black") if colour else glyph)
            else:
                glyph = glyphs[cell.level]
                cells.append(click.style(glyph, fg=SHADES[cell.level]) if colour else glyph)
        label = grid.row_labels[row] if row % 2 == 0 else ""
        lines.append(f"{label:<4} " + " ".join(cells).rstrip())
    legend = (
        f"{glyphs['none']} none  {glyphs[1]} 1  {glyphs[2]} 2  {glyphs[3]} 3+ posts  "
        f"{glyphs['scheduled']} scheduled"
    )
    lines.append(f"     {legend}   ({plural(grid.total, 'post')} in 52 weeks)")
    return lines
