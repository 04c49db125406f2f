"""Charts drawn on the server as inline SVG: no JavaScript, nothing to download.

Each chart carries a <title> and a <desc> that says the numbers in words, and
the pages print the same numbers in a table beside it. Colours come from the
stylesheet (colour-blind-safe, see app.css) and are never the only signal:
segments wide enough carry their count, and every table names the status.
Here the geometry is worked out; the markup is in templates/actionplans/charts/.
"""

from __future__ import annotations

import datetime
import itertools

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from actionplans.choices import ActionPointStatus

_ids = itertools.count(1)


def _chart(
    template: str, *, width: int, height: int, title: str, desc: str, **context
) -> SafeString:
    """One chart, with an id unique within the page (so aria-labelledby finds its title)."""
    html = render_to_string(
        f"actionplans/charts/{template}",
        {
            "id": f"chart-{next(_ids)}",
            "width": width,
            "height": height,
            "title": title,
            "desc": desc,
            **context,
        },
    )
    return mark_safe(html)  # escaped by the template


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
    total = sum(by_status.values())
    segments, x = [], 0.0
    for status, count in by_status.items():
        if not count:
            continue
        w = width * count / total
        segments.append(
            {
                "status": status,
                "label": ActionPointStatus(status).label,
                "count": count,
                "x": _n(x),
                "width": _n(w),
                "labelled": w >= 24,
                "text_x": _n(x + 6),
            }
        )
        x += w
    desc = status_words(by_status) + "." if total else "No action points."
    return _chart(
        "status_bar.html", width=width, height=30, title=title, desc=desc, segments=segments, cls=""
    )


def quarter_chart(
    quarters: list, *, today: datetime.date, title: str, width: int = 640
) -> SafeString:
    """Planned (due) against delivered (done) per quarter, with a line at today."""
    if not quarters:
        return _chart(
            "quarter_chart.html",
            width=width,
            height=40,
            title=title,
            desc="No dated action points.",
            bars=[],
            cls="",
        )
    height, top, bottom, left = 200, 12, 40, 28
    plot_h = height - top - bottom
    slot = (width - left) / len(quarters)
    bar = max(min(slot / 3, 28), 2)
    peak = max(max(q.due for q in quarters), 1)
    desc = "; ".join(f"{q.label}: {q.due} due, {q.done} done" for q in quarters)
    return _chart(
        "quarter_chart.html",
        width=width,
        height=height,
        title=title,
        desc=desc + ". " + today_note(quarters, today),
        cls="chart-wide",
        bars=_quarter_bars(quarters, left, top, slot, bar, plot_h / peak),
        bar=_n(bar),
        left=left,
        top=top,
        axis_y=top + plot_h,
        peak=peak,
        peak_x=left - 4,
        peak_y=top + 8,
        label_y=top + plot_h + 16,
        today_x=_today_x(quarters, today, left, width),
        today_label_y=height - 6,
    )


def _quarter_bars(quarters, left, top, slot, bar, scale) -> list[dict]:
    """Each quarter's two bars, and its label on every n-th quarter (about 12 in all)."""
    bottom = top + (200 - 12 - 40)
    label_every = max(1, round(len(quarters) / 12))
    bars = []
    for index, quarter in enumerate(quarters):
        x = left + index * slot + (slot - 2 * bar) / 2
        due_h, done_h = quarter.due * scale, quarter.done * scale
        bars.append(
            {
                "label": quarter.label,
                "due": quarter.due,
                "done": quarter.done,
                "x": _n(x),
                "done_x": _n(x + bar),
                "due_y": _n(bottom - due_h),
                "due_height": _n(due_h),
                "done_y": _n(bottom - done_h),
                "done_height": _n(done_h),
                "label_x": _n(left + index * slot + slot / 2) if index % label_every == 0 else "",
            }
        )
    return bars


def _today_x(quarters, today: datetime.date, left: int, width: int) -> str:
    """Where today's line goes, or "" when today is outside the quarters shown."""
    first, last = quarters[0].start, quarters[-1].end
    if not first <= today <= last:
        return ""
    span = (last - first).days + 1
    return _n(left + (width - left) * ((today - first).days + 0.5) / span)


def _n(value: float) -> str:
    return f"{value:.1f}"


def _label(day: datetime.date) -> str:
    return f"Q{(day.month - 1) // 3 + 1} {day.year}"


def legend(items: list[tuple[str, str]]) -> SafeString:
    """A legend in HTML: swatch class and words."""
    return mark_safe(render_to_string("actionplans/charts/legend.html", {"items": items}))
