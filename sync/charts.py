"""The year's report as one HTML file: each chart drawn by matplotlib as an inline SVG, the
figures as tables, a stylesheet for the screen and one for print. Nothing in it is
fetched from anywhere (no script, font, image or style sheet of another file), so it opens
offline, prints, and can be emailed as it is.

matplotlib draws without a display (its Figure and SVG canvas, never pyplot), and loads
only with this module, which only `mentor-sync report` imports.
"""

from __future__ import annotations

import html
import io
import re
import textwrap
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure as Drawing
from matplotlib.ticker import MaxNLocator

from mentoring.program_report import Figure, Year
from mentoring.report_charts import STACKED, Chart, Section, cohorts_compared, headlines, sections
from sync.files import replace_file

# Paul Tol's "bright" scheme, told apart by people with any kind of colour blindness.
PALETTE = ("#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB")
# Series that mean something by their colour: ratings from 1 (red) to 5 (green), yes and no.
COLOURS = {
    "ratings": ("#D73027", "#FC8D59", "#FEE08B", "#91CF60", "#1A9850"),
    "met": ("#1A9850", "#D73027"),
}
WIDE = 14  # a category label longer than this turns the bars sideways


def _style() -> AbstractContextManager[None]:
    """matplotlib's settings for the report's charts, for as long as one is drawn."""
    return matplotlib.rc_context(
        {
            "svg.fonttype": "none",  # text as text: smaller, searchable, in the reader's font
            "svg.hashsalt": "mentor-sync",  # the same chart draws the same SVG, run after run
            "text.parse_math": False,  # an answer's "$" is a dollar sign, never mathtext
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )


@dataclass(frozen=True)
class Page:
    html: str
    charts: int  # how many were drawn (the others are a sentence saying why not)


def report_page(program: str, year: Year, now: datetime) -> Page:
    """The report of `year` as one HTML page."""
    parts = sections(year)
    drawn = 0
    body = []
    for number, part in enumerate(parts, start=1):
        figures = []
        for chart in part.charts:
            if chart.note:
                figures.append(_empty(chart))
            else:
                drawn += 1
                figures.append(_figure(chart, svg(chart, f"c{drawn}")))
        body.append(_section(number, part, figures, year))
    contents = "".join(
        f'<li><a href="#part-{n}">{html.escape(part.title)}</a></li>'
        for n, part in enumerate(parts, start=1)
    )
    title = f"{program}: the {year.cohort} report"
    page = _PAGE.format(
        title=html.escape(title),
        style=_STYLE,
        program=html.escape(program),
        cohort=html.escape(year.cohort),
        made=f"{now:%Y-%m-%d %H:%M}",
        headlines=_headlines(year),
        contents=contents,
        body="\n".join(body),
    )
    return Page(page, drawn)


def save_page(path: Path, page: str) -> None:
    """Write the page to `path`, swapped in whole. Raises OSError when it cannot be."""
    replace_file(path, page.encode("utf-8"))


def svg(chart: Chart, prefix: str) -> str:
    """The chart as inline SVG markup, its ids starting with `prefix` (unique in the page)."""
    drawing = _draw(chart)
    out = io.StringIO()
    with _style():
        drawing.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return _inline(out.getvalue(), prefix, chart.title)


def _draw(chart: Chart) -> Drawing:
    with _style():
        sideways = any(len(c) > WIDE for c in chart.categories)
        height = 0.8 + 0.32 * len(chart.categories) * (len(chart.series) if sideways else 0)
        drawing = Drawing(
            figsize=(7.0, max(2.8, height) if sideways else 3.0), layout="constrained"
        )
        axes = drawing.add_subplot()
        labels = [textwrap.fill(c, 28) for c in chart.categories]
        colours = COLOURS.get(chart.key, PALETTE)
        positions = list(range(len(labels)))
        if chart.kind == STACKED:
            _stacked(axes, chart, positions, colours, sideways)
        else:
            _grouped(axes, chart, positions, colours, sideways)
        values, counts = (axes.yaxis, axes.xaxis) if not sideways else (axes.xaxis, axes.yaxis)
        counts.set_ticks(positions, labels)
        if chart.unit == "score":  # scores run from 0 to 100: groups compare at a glance
            (axes.set_xlim if sideways else axes.set_ylim)(0, 100)
        else:
            values.set_major_locator(MaxNLocator(integer=True))
        if sideways:
            axes.invert_yaxis()  # the first category on top, as read
            axes.set_xlabel(chart.unit)
        else:
            axes.set_ylabel(chart.unit)
            if len(labels) > 8:
                axes.tick_params(axis="x", labelrotation=60)
        if len(chart.series) > 1:
            drawing.legend(loc="outside right upper", frameon=False, fontsize=8)
    return drawing


def _grouped(
    axes: Axes, chart: Chart, positions: list[int], colours: Sequence[str], sideways: bool
) -> None:
    width = 0.8 / max(1, len(chart.series))
    labelled = len(positions) * len(chart.series) <= 24
    for index, (name, values) in enumerate(chart.series):
        at = [p - 0.4 + width * (index + 0.5) for p in positions]
        heights = [float("nan") if v is None else v for v in values]
        colour = colours[index % len(colours)]
        if sideways:
            bars = axes.barh(at, heights, height=width, label=name, color=colour)
        else:
            bars = axes.bar(at, heights, width=width, label=name, color=colour)
        if labelled:
            axes.bar_label(bars, labels=[_number(v) for v in values], fontsize=7, padding=2)


def _stacked(
    axes: Axes, chart: Chart, positions: list[int], colours: Sequence[str], sideways: bool
) -> None:
    base = [0.0] * len(positions)
    for index, (name, values) in enumerate(chart.series):
        heights = [v or 0.0 for v in values]
        colour = colours[index % len(colours)]
        if sideways:
            axes.barh(positions, heights, left=base, label=name, color=colour)
        else:
            axes.bar(positions, heights, bottom=base, label=name, color=colour)
        base = [b + h for b, h in zip(base, heights, strict=True)]


_ID = re.compile(r'\bid="([^"]+)"')


def _inline(text: str, prefix: str, title: str) -> str:
    """matplotlib's SVG document as an element of the page: no XML prolog, no metadata, no
    namespace declarations (the HTML parser gives inline SVG its namespace), ids made
    unique in the page, and a name for screen readers."""
    start = text.index("<svg")
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text[start:], flags=re.S)
    text = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", text)
    for found in set(_ID.findall(text)):
        text = text.replace(f'id="{found}"', f'id="{prefix}-{found}"')
        text = text.replace(f"url(#{found})", f"url(#{prefix}-{found})")
        text = text.replace(f'href="#{found}"', f'href="#{prefix}-{found}"')
    label = html.escape(title, quote=True)
    return text.replace("<svg", f'<svg role="img" aria-label="{label}"', 1).strip()


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _figure(chart: Chart, markup: str) -> str:
    return (
        f'<figure id="{html.escape(chart.key)}">{markup}<figcaption><strong>'
        f"{html.escape(chart.title)}</strong>. {html.escape(chart.about)}</figcaption></figure>"
    )


def _empty(chart: Chart) -> str:
    return (
        f'<figure class="empty" id="{html.escape(chart.key)}"><p class="note">'
        f"{html.escape(chart.note[:1].upper() + chart.note[1:])}.</p><figcaption><strong>"
        f"{html.escape(chart.title)}</strong>. {html.escape(chart.about)}</figcaption></figure>"
    )


def _section(number: int, part: Section, figures: list[str], year: Year) -> str:
    table = _past_table(year) if any(c.key == "past" for c in part.charts) else ""
    rows = "".join(_row(f) for f in part.figures)
    figures_table = (
        '<table class="figures"><thead><tr><th>Figure</th><th>Group</th><th class="n">Value'
        f"</th></tr></thead><tbody>{rows}</tbody></table>"
        if rows
        else ""
    )
    return (
        f'<section id="part-{number}"><h2>{html.escape(part.title)}</h2>'
        f"{''.join(figures)}{table}{figures_table}</section>"
    )


def _row(figure: Figure) -> str:
    value = _number(None if figure.value is None else float(figure.value))
    return (
        f"<tr><td>{html.escape(figure.name)}</td><td>{html.escape(figure.group)}</td>"
        f'<td class="n">{value or "&ndash;"}</td></tr>'
    )


def _past_table(year: Year) -> str:
    cohorts = cohorts_compared(year)
    if len(cohorts) < 2:
        return ""
    head = "".join(f'<th class="n">{html.escape(c)}</th>' for c in cohorts)
    body = "".join(
        f"<tr><td>{html.escape(name)}</td>"
        + "".join(f'<td class="n">{_number(v) or "&ndash;"}</td>' for v in values)
        + "</tr>"
        for name, values in headlines(year)
    )
    return (
        f'<table class="years"><thead><tr><th></th>{head}</tr></thead><tbody>{body}</tbody></table>'
    )


def _headlines(year: Year) -> str:
    items = [
        (name, values[-1]) for name, values in headlines(year) if values and values[-1] is not None
    ]
    return "".join(
        f"<div><dt>{html.escape(name)}</dt><dd>{_number(float(value))}</dd></div>"
        for name, value in items
        if value is not None
    )


_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  color: #222; line-height: 1.45; max-width: 62rem; margin: 2rem auto; padding: 0 1rem; }
h1 { margin-bottom: 0.2rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #ccc; }
.lede { color: #555; margin-top: 0; }
dl.headlines { display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; margin: 1rem 0; }
dl.headlines div { min-width: 8rem; } dl.headlines dt { font-size: 0.8rem; color: #555; }
dl.headlines dd { margin: 0; font-size: 1.4rem; font-weight: 600; }
nav ol { columns: 2; padding-left: 1.2rem; }
figure { margin: 1.5rem 0; } figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.9rem; color: #333; max-width: 48rem; }
figure.empty { border-left: 3px solid #ccc; padding-left: 0.8rem; }
p.note { font-style: italic; margin: 0 0 0.3rem; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 1rem 0; }
th, td { padding: 0.15rem 0.6rem; border-bottom: 1px solid #e5e5e5; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
footer { margin-top: 3rem; font-size: 0.8rem; color: #666; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  nav { display: none; }
  h2 { break-before: page; } section:first-of-type h2 { break-before: auto; }
  figure, tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<header>
<h1>{program}</h1>
<p class="lede">The {cohort} report, made on {made} by mentor-sync. The spreadsheet's
Program Report tab has the same figures.</p>
<dl class="headlines">{headlines}</dl>
</header>
<nav><ol>{contents}</ol></nav>
{body}
<footer>Made by mentor-sync from the spreadsheet as it was on {made}. Run
<code>mentor-sync report</code> again for a new one.</footer>
</body>
</html>
"""
