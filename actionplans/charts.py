"""Charts drawn on the server as inline SVG: no JavaScript, nothing to download.

Each chart carries a <title> and a <desc> that says the numbers in words, and
the pages print the same numbers in a table beside it. Colours come from the
stylesheet (colour-blind-safe, see app.css) and are never the only signal:
segments wide enough carry their count, and every table names the status.
Here the geometry is worked out; the markup is in the Jinja2 templates of
templates/jinja2/actionplans/charts/ (drawn many times a page: Jinja2 is faster).

Right-to-left languages get the mirror image, as the rest of their pages: bars
stacked from the right, time running from right to left, the scale on the right.
The SVG's text runs in the page's direction (`direction="rtl"`), so each label's
text-anchor ("start", "end") keeps its meaning relative to where it reads from
and Arabic labels read whole; only the x coordinates are mirrored (`_along`).
"""

from __future__ import annotations

import datetime
import itertools

from django.template.loader import render_to_string
from django.utils import dateformat
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

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
            "rtl": get_language_bidi(),
            **context,
        },
        using="jinja2",
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
    day = dateformat.format(today, "d M Y")
    if today > quarters[-1].end:
        return _("Today, %(day)s, is after the last quarter shown.") % {"day": day}
    if today < quarters[0].start:
        return _("Today, %(day)s, is before the first quarter shown.") % {"day": day}
    return _("Today, %(day)s, falls in %(quarter)s (dashed line).") % {
        "day": day,
        "quarter": _label(today),
    }


def status_bar(by_status: dict[str, int], *, title: str, width: int = 600) -> SafeString:
    """One horizontal bar split by status, in the order of the statuses."""
    total = sum(by_status.values())
    rtl = get_language_bidi()
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
                "x": _n(_along(x, w, width, rtl)),
                "width": _n(w),
                "labelled": w >= 24,
                "text_x": _n(_along(x + 6, 0, width, rtl)),
            }
        )
        x += w
    desc = status_words(by_status) + "." if total else _("No action points.")
    return _chart(
        "status_bar.html",
        width=width,
        height=30,
        title=title,
        desc=desc,
        segments=segments,
        cls="",
        note_x=_along(8, 0, width, rtl),
    )


def quarter_chart(
    quarters: list, *, today: datetime.date, title: str, width: int = 640
) -> SafeString:
    """Planned (due) against delivered (done) per quarter, with a line at today.

    `quarters` may hold gaps (dashboards.QuarterGap: a run of quarters without a
    deadline): each takes one slot, drawn as a break in the axis with its span
    written under it ("2021–2023") and said in words ("2021–2023: none")."""
    rtl = get_language_bidi()
    if not quarters:
        return _chart(
            "quarter_chart.html",
            width=width,
            height=40,
            title=title,
            desc=_("No dated action points."),
            bars=[],
            cls="",
            note_x=_along(8, 0, width, rtl),
        )
    height, top, bottom, left = 200, 12, 40, 28
    plot_h = height - top - bottom
    slot = (width - left) / len(quarters)
    bar = max(min(slot / 3, 28), 2)
    peak = max(max(q.due for q in quarters), 1)
    desc = "; ".join(
        q.words
        if getattr(q, "gap", False)
        else _("%(quarter)s: %(due)s due, %(done)s done")
        % {"quarter": q.label, "due": q.due, "done": q.done}
        for q in quarters
    )
    return _chart(
        "quarter_chart.html",
        width=width,
        height=height,
        title=title,
        desc=desc + ". " + today_note(quarters, today),
        cls="chart-wide",
        bars=_quarter_bars(quarters, left, top, slot, bar, plot_h / peak, width, rtl),
        bar=_n(bar),
        axis_start=_along(left, 0, width, rtl),
        axis_end=_along(width, 0, width, rtl),
        top=top,
        axis_y=top + plot_h,
        peak=peak,
        peak_x=_along(left - 4, 0, width, rtl),
        peak_y=top + 8,
        label_y=top + plot_h + 16,
        gap_y=top + plot_h - 10,
        today_x=_today_x(quarters, today, left, slot, width, rtl),
        today_label_y=height - 6,
    )


def _quarter_bars(quarters, left, top, slot, bar, scale, width, rtl) -> list[dict]:
    """Each quarter's two bars, and its label on every n-th quarter (about 12 in all)."""
    bottom = top + (200 - 12 - 40)
    label_every = max(1, round(len(quarters) / 12))
    bars = []
    for index, quarter in enumerate(quarters):
        x = left + index * slot + (slot - 2 * bar) / 2
        due_h, done_h = quarter.due * scale, quarter.done * scale
        middle = _along(left + index * slot + slot / 2, 0, width, rtl)
        bars.append(
            {
                "gap": getattr(quarter, "gap", False),
                "words": getattr(quarter, "words", ""),
                "break_path": f"M{middle - 6:.1f} {bottom + 5} L{middle - 2:.1f} {bottom - 5} "
                f"M{middle + 2:.1f} {bottom + 5} L{middle + 6:.1f} {bottom - 5}",
                "middle": _n(middle),
                "label": quarter.label,
                "due": quarter.due,
                "done": quarter.done,
                "x": _n(_along(x, bar, width, rtl)),
                "done_x": _n(_along(x + bar, bar, width, rtl)),
                "due_y": _n(bottom - due_h),
                "due_height": _n(due_h),
                "done_y": _n(bottom - done_h),
                "done_height": _n(done_h),
                "label_x": _n(_along(left + index * slot + slot / 2, 0, width, rtl))
                if index % label_every == 0
                else "",
            }
        )
    return bars


def _today_x(quarters, today: datetime.date, left: int, slot: float, width: int, rtl: bool) -> str:
    """Where today's line goes, within the slot of its quarter (or gap), or "" when
    today is outside the quarters shown."""
    for index, quarter in enumerate(quarters):
        if quarter.start <= today <= quarter.end:
            share = ((today - quarter.start).days + 0.5) / ((quarter.end - quarter.start).days + 1)
            return _n(_along(left + (index + share) * slot, 0, width, rtl))
    return ""


def _along(x: float, extent: float, width: float, rtl: bool) -> float:
    """Where something starting x from the chart's start edge and extent wide begins,
    counted from the left as SVG counts: mirrored in a right-to-left language."""
    return width - x - extent if rtl else x


def _n(value: float) -> str:
    return f"{value:.1f}"


def _label(day: datetime.date) -> str:
    return _("Q%(quarter)s %(year)s") % {"quarter": (day.month - 1) // 3 + 1, "year": day.year}


def legend(items: list[tuple[str, str]]) -> SafeString:
    """A legend in HTML: swatch class and words."""
    return mark_safe(  # escaped by the template
        render_to_string("actionplans/charts/legend.html", {"items": items}, using="jinja2")
    )
