"""The server-drawn charts in a right-to-left language: the mirror image of the
left-to-right chart, with the SVG's text running right to left.

Only x coordinates change: the SVG says direction="rtl", so a label's text-anchor
("start", "end") keeps its meaning relative to where the label reads from.
"""

import datetime
import re

from django.utils import translation

from actionplans.charts import quarter_chart, status_bar
from actionplans.dashboards import QuarterRow

STATUSES = {"not_started": 2, "in_progress": 1, "blocked": 0, "completed": 1, "cancelled": 0}


def _quarters():
    return [
        QuarterRow(datetime.date(2019, 1, 1), 3, 1),
        QuarterRow(datetime.date(2019, 4, 1), 0, 0),
        QuarterRow(datetime.date(2019, 7, 1), 2, 2),
    ]


def _svg_attributes(svg: str) -> tuple[str, str]:
    root = re.match(r"<svg [^>]*>", svg).group(0)
    return (
        re.search(r'direction="(\w+)"', root).group(1),
        re.search(r'preserveAspectRatio="([^"]+)"', root).group(1),
    )


def _segments(svg: str) -> list[tuple[str, str, str]]:
    """(status, x, width) of each segment of a status bar, in document order."""
    return re.findall(
        r'<rect x="([\d.]+)" y="0" width="([\d.]+)" height="30" class="s-(\w+)"/>', svg
    )


def test_status_bar_in_arabic_stacks_the_statuses_from_the_right():
    with translation.override("ar"):
        svg = status_bar(STATUSES, title="By status", width=400)

    assert _svg_attributes(svg) == ("rtl", "xMaxYMin meet")
    # Not started first, from the right edge (400) leftwards, as the legend reads.
    assert _segments(svg) == [
        ("200.0", "200.0", "not_started"),
        ("100.0", "100.0", "in_progress"),
        ("0.0", "100.0", "completed"),
    ]
    # Each count starts 6 units inside its segment's right edge and runs leftwards.
    assert re.findall(r'<text x="([\d.]+)" y="20" class="chart-on-colour">(\d+)</text>', svg) == [
        ("394.0", "2"),
        ("194.0", "1"),
        ("94.0", "1"),
    ]


def test_status_bar_in_english_and_french_is_unchanged():
    for language in ("en", "fr"):
        with translation.override(language):
            svg = status_bar(STATUSES, title="By status", width=400)
        assert _svg_attributes(svg) == ("ltr", "xMinYMin meet")
        assert _segments(svg) == [
            ("0.0", "200.0", "not_started"),
            ("200.0", "100.0", "in_progress"),
            ("300.0", "100.0", "completed"),
        ]
        assert re.findall(r'<text x="([\d.]+)" y="20" class="chart-on-colour">', svg) == [
            "6.0",
            "206.0",
            "306.0",
        ]


def test_status_bar_in_arabic_is_the_mirror_image_of_the_english_one():
    with translation.override("en"):
        ltr = _segments(status_bar(STATUSES, title="t", width=600))
    with translation.override("ar"):
        rtl = _segments(status_bar(STATUSES, title="t", width=600))
    assert [(status, w) for _x, w, status in rtl] == [(status, w) for _x, w, status in ltr]
    for (ltr_x, width, _s), (rtl_x, _w, _t) in zip(ltr, rtl, strict=True):
        assert float(rtl_x) == 600 - float(ltr_x) - float(width)


def test_quarter_chart_in_arabic_runs_time_from_right_to_left():
    with translation.override("ar"):
        svg = quarter_chart(_quarters(), today=datetime.date(2019, 5, 15), title="Due and done")

    assert _svg_attributes(svg) == ("rtl", "xMaxYMin meet")
    # The axis starts at the right (640 - 28) and the scale's top figure sits right of it,
    # its end (its left side in Arabic) 4 units from the axis.
    assert '<line x1="612" y1="160" x2="0" y2="160" class="chart-axis"/>' in svg
    assert '<text x="616" y="20" class="chart-small" text-anchor="end">3</text>' in svg
    # Per quarter, right to left: due then done, each 28 wide, the label centred under both.
    assert re.findall(
        r'<rect x="([\d.]+)" y="[\d.]+" width="28.0" height="[\d.]+" class="chart-(\w+)"/>', svg
    ) == [
        ("510.0", "due"),
        ("482.0", "done"),
        ("306.0", "due"),
        ("278.0", "done"),
        ("102.0", "due"),
        ("74.0", "done"),
    ]
    assert re.findall(
        r'<text x="([\d.]+)" y="176" class="chart-small" text-anchor="middle">', svg
    ) == [
        "510.0",
        "306.0",
        "102.0",
    ]
    # Today (15 May 2019) in the second quarter: the English line's x mirrored (640 - 331.8).
    assert '<line x1="308.2" y1="12" x2="308.2" y2="160" class="chart-today"/>' in svg


def test_quarter_chart_in_english_keeps_time_from_left_to_right():
    with translation.override("en"):
        svg = quarter_chart(_quarters(), today=datetime.date(2019, 5, 15), title="Due and done")

    assert _svg_attributes(svg) == ("ltr", "xMinYMin meet")
    assert '<line x1="28" y1="160" x2="640" y2="160" class="chart-axis"/>' in svg
    assert '<text x="24" y="20" class="chart-small" text-anchor="end">3</text>' in svg
    assert re.findall(
        r'<rect x="([\d.]+)" y="[\d.]+" width="28.0" height="[\d.]+" class="chart-(\w+)"/>', svg
    ) == [
        ("102.0", "due"),
        ("130.0", "done"),
        ("306.0", "due"),
        ("334.0", "done"),
        ("510.0", "due"),
        ("538.0", "done"),
    ]
    # Within its quarter's slot (each quarter 204 wide): 28 + 204 × (1 + 44.5 / 91).
    assert '<line x1="331.8" y1="12" x2="331.8" y2="160" class="chart-today"/>' in svg


def test_empty_charts_write_their_note_from_the_start_edge():
    empty = dict.fromkeys(STATUSES, 0)
    with translation.override("ar"):
        bar = status_bar(empty, title="Empty", width=600)
        quarters = quarter_chart([], today=datetime.date(2019, 5, 15), title="None")
    assert re.search(r'<text x="(\d+)" y="20" class="chart-label">', bar).group(1) == "592"
    assert re.search(r'<text x="(\d+)" y="24" class="chart-label">', quarters).group(1) == "632"
    with translation.override("en"):
        bar = status_bar(empty, title="Empty", width=600)
        quarters = quarter_chart([], today=datetime.date(2019, 5, 15), title="None")
    assert re.search(r'<text x="(\d+)" y="20" class="chart-label">', bar).group(1) == "8"
    assert re.search(r'<text x="(\d+)" y="24" class="chart-label">', quarters).group(1) == "8"
