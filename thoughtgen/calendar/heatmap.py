"""The publishing heatmap as data: seven rows, one column per week, like a contribution graph.

The terminal and the HTML page draw the same grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from thoughtgen.calendar.periods import WEEKDAYS, Cadence
from thoughtgen.calendar.report import CalendarReport

WEEKS = 52


@dataclass(frozen=True)
class Cell:
    day: date
    published: int
    scheduled: int
    future: bool

    @property
    def level(self) -> int:
        """0 for none, 1, 2 or 3 for three or more posts that day."""
        return min(self.published, 3)


@dataclass(frozen=True)
class Heatmap:
    columns: tuple[tuple[Cell, ...], ...]  # oldest week first; each column has seven days
    month_labels: tuple[tuple[int, str], ...]  # (column index, "Jan") where a month begins
    row_labels: tuple[str, ...]  # weekday names from the week's first day

    @property
    def total(self) -> int:
        return sum(c.published for column in self.columns for c in column)

    @property
    def active_days(self) -> int:
        return sum(1 for column in self.columns for c in column if c.published)

    @property
    def first_day(self) -> date:
        return self.columns[0][0].day

    @property
    def last_day(self) -> date:
        return self.columns[-1][-1].day


def heatmap(report: CalendarReport, weeks: int = WEEKS) -> Heatmap:
    week_start = WEEKDAYS.index(report.week_start)
    this_week = Cadence("weekly", week_start).period_of(report.today).start
    first = this_week - timedelta(weeks=weeks - 1)
    columns = []
    labels = []
    for index in range(weeks):
        start = first + timedelta(weeks=index)
        column = tuple(
            Cell(
                day,
                report.published_by_day.get(day, 0),
                report.scheduled_by_day.get(day, 0),
                day > report.today,
            )
            for day in (start + timedelta(days=n) for n in range(7))
        )
        columns.append(column)
        month_start = next((c.day for c in column if c.day.day == 1), None)
        if month_start is not None:
            labels.append((index, month_start.strftime("%b")))
    if not labels or labels[0][0] > 3:  # name the first month unless its successor is close
        labels.insert(0, (0, first.strftime("%b")))
    rows = tuple(WEEKDAYS[(week_start + n) % 7][:3].title() for n in range(7))
    return Heatmap(tuple(columns), tuple(labels), rows)
