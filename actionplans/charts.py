"""Charts drawn on the server as inline SVG: no JavaScript, nothing to download.

Each chart carries a <title> and a <desc> that says the numbers in words, and
the pages print the same numbers in a table beside it. Colours come from the
stylesheet (colour-blind-safe, see app.css) and are never the only signal:
segments wide enough carry their count, and every table names the status.
"""

from __future__ import annotations

import datetime
import itertools

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from actionplans.choices import ActionPointStatus

_ids = itertools.count(1)


def _chart_id() -> str:
    # Unique within a page, so aria-labelledby finds the right title.
    return f"chart-{next(_ids)}"


def _svg(
    width: int, height: int, title: str, desc: str, body: SafeString, cls: str = ""
) -> SafeString:
    chart = _chart_id()
    return format_html(
        '<svg class="chart {cls}" viewBox="0 0 {w} {h}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" role="img" aria-labelledby="{id}-t {id}-d" '
        'xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-t">{title}</title><desc id="{id}-d">{desc}</desc>{body}</svg>',
        cls=cls,
        w=width,
        h=height,
        id=chart,
        title=title,
        desc=desc,
        body=body,
    )


def status_words(by_status: dict[str, int], *, skip_zero: bool = False) -> str:
    """ "Not started 3, In progress 1, ..." — the chart said in words."""
    return ", ".join(
        f"{ActionPointStatus(s).label} {n}" for s, n in by_status.items() if n or not skip_zero
    )


def today_note(quarters: list, today: datetime.date) -> str:
    """Where today falls against the quarters shown, in words."""
    if not quarters:
        return ""
    if today > quarters[-1].end:
        return f"Today, {today:%d %b %Y}, is after the last quarter shown."
    if today < quarters[0].start:
        return f"Today, {today:%d %b %Y}, is before the first quarter shown."
    return f"Today, {today:%d %b %Y}, falls in {_label(today)} (dashed line)."


def status_bar(by_status: dict[str, int], *, title: str, width: int = 600) -> SafeString:
    """One horizontal bar split by status, in the order of the statuses."""
    height = 30
    total = sum(by_status.values())
    if total == 0:
        body = format_html(
            '<rect x="0" y="0" width="{}" height="{}" class="chart-empty"/>'
            '<text x="8" y="20" class="chart-label">No action points</text>',
            width,
            height,
        )
        return _svg(width, height, title, "No action points.", body)
    parts, x = [], 0.0
    for status, count in by_status.items():
        if not count:
            continue
        w = width * count / total
        label = ActionPointStatus(status).label
        parts.append(
            format_html(
                "<g><title>{label}: {count}</title>"
                '<rect x="{x}" y="0" width="{w}" height="{h}" class="s-{status}"/>{text}</g>',
                label=label,
                count=count,
                x=_n(x),
                w=_n(w),
                h=height,
                status=status,
                text=format_html(
                    '<text x="{}" y="20" class="chart-on-colour">{}</text>', _n(x + 6), count
                )
                if w >= 24
                else "",
            )
        )
        x += w
    return _svg(width, height, title, status_words(by_status) + ".", mark_safe("".join(parts)))


def quarter_chart(
    quarters: list, *, today: datetime.date, title: str, width: int = 640
) -> SafeString:
    """Planned (due) against delivered (done) per quarter, with a line at today."""
    height, top, bottom, left = 200, 12, 40, 28
    plot_h = height - top - bottom
    if not quarters:
        body = mark_safe('<text x="8" y="24" class="chart-label">No dated action points</text>')
        return _svg(width, 40, title, "No dated action points.", body)
    slot = (width - left) / len(quarters)
    bar = max(min(slot / 3, 28), 2)
    peak = max(max(q.due for q in quarters), 1)
    scale = plot_h / peak
    parts = [
        format_html(
            '<line x1="{l}" y1="{y}" x2="{r}" y2="{y}" class="chart-axis"/>'
            '<text x="{tx}" y="{ty}" class="chart-small" text-anchor="end">{peak}</text>',
            l=left,
            r=width,
            y=top + plot_h,
            tx=left - 4,
            ty=top + 8,
            peak=peak,
        )
    ]
    label_every = max(1, round(len(quarters) / 12))
    for index, quarter in enumerate(quarters):
        x = left + index * slot + (slot - 2 * bar) / 2
        due_h, done_h = quarter.due * scale, quarter.done * scale
        parts.append(
            format_html(
                "<g><title>{label}: {due} due, {done} done</title>"
                '<rect x="{x}" y="{dy}" width="{b}" height="{dh}" class="chart-due"/>'
                '<rect x="{x2}" y="{ey}" width="{b}" height="{eh}" class="chart-done"/>'
                "</g>",
                label=quarter.label,
                due=quarter.due,
                done=quarter.done,
                x=_n(x),
                x2=_n(x + bar),
                b=_n(bar),
                dy=_n(top + plot_h - due_h),
                dh=_n(due_h),
                ey=_n(top + plot_h - done_h),
                eh=_n(done_h),
            )
        )
        if index % label_every == 0:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" class="chart-small" text-anchor="middle">{}</text>',
                    _n(left + index * slot + slot / 2),
                    top + plot_h + 16,
                    quarter.label,
                )
            )
    first, last = quarters[0].start, quarters[-1].end
    if first <= today <= last:
        span = (last - first).days + 1
        tx = left + (width - left) * ((today - first).days + 0.5) / span
        parts.append(
            format_html(
                '<line x1="{x}" y1="{t}" x2="{x}" y2="{b}" class="chart-today"/>'
                '<text x="{x}" y="{ly}" class="chart-small" text-anchor="middle">Today</text>',
                x=_n(tx),
                t=top,
                b=top + plot_h,
                ly=height - 6,
            )
        )
    desc = "; ".join(f"{q.label}: {q.due} due, {q.done} done" for q in quarters)
    desc += ". " + today_note(quarters, today)
    return _svg(width, height, title, desc, mark_safe("".join(parts)), cls="chart-wide")


def _n(value: float) -> str:
    return f"{value:.1f}"


def _label(day: datetime.date) -> str:
    return f"Q{(day.month - 1) // 3 + 1} {day.year}"


def legend(items: list[tuple[str, str]]) -> SafeString:
    """A legend in HTML: swatch class and words."""
    return format_html(
        '<ul class="legend">{}</ul>',
        format_html_join(
            "", '<li><span class="swatch {}" aria-hidden="true"></span>{}</li>', items
        ),
    )
