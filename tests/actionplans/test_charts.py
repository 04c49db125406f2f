"""Server-drawn SVG charts: titled, described in words, no script."""

import datetime
import re

from actionplans.charts import quarter_chart, status_bar, today_note
from actionplans.dashboards import QuarterRow

STATUSES = {"not_started": 2, "in_progress": 1, "blocked": 0, "completed": 1, "cancelled": 0}


def test_status_bar_draws_one_segment_per_present_status():
    svg = status_bar(STATUSES, title="By status", width=400)
    assert re.findall(r'class="s-(\w+)"', svg) == ["not_started", "in_progress", "completed"]
    assert re.findall(r'width="([\d.]+)" height="30"', svg) == ["200.0", "100.0", "100.0"]
    assert "<title>Not started: 2</title>" in svg
    assert "Not started 2, In progress 1, Blocked 0, Completed 1, Cancelled 0.</desc>" in svg
    assert 'role="img"' in svg and "<script" not in svg


def test_status_bar_escapes_titles():
    svg = status_bar(STATUSES, title="<b>Group</b> & co")
    assert "&lt;b&gt;Group&lt;/b&gt; &amp; co" in svg


def test_status_bar_without_points_says_so():
    svg = status_bar(dict.fromkeys(STATUSES, 0), title="Empty")
    assert "No action points" in svg and "<desc" in svg


def _quarters():
    return [
        QuarterRow(datetime.date(2019, 1, 1), 3, 1),
        QuarterRow(datetime.date(2019, 4, 1), 0, 0),
        QuarterRow(datetime.date(2019, 7, 1), 2, 2),
    ]


def test_quarter_chart_draws_due_and_done_with_today_line():
    svg = quarter_chart(_quarters(), today=datetime.date(2019, 5, 15), title="Due and done")
    assert svg.count('class="chart-due"') == 3
    assert svg.count('class="chart-done"') == 3
    assert 'class="chart-today"' in svg
    assert (
        "Q1 2019: 3 due, 1 done; Q2 2019: 0 due, 0 done; Q3 2019: 2 due, 2 done. "
        "Today, 15 May 2019, falls in Q2 2019 (dashed line).</desc>" in svg
    )


def test_quarter_chart_today_outside_the_span_has_no_line():
    today = datetime.date(2026, 11, 25)
    svg = quarter_chart(_quarters(), today=today, title="Due and done")
    assert 'class="chart-today"' not in svg
    assert today_note(_quarters(), today) == (
        "Today, 25 Nov 2026, is after the last quarter shown."
    )
    assert today_note(_quarters(), datetime.date(2018, 1, 1)) == (
        "Today, 01 Jan 2018, is before the first quarter shown."
    )
