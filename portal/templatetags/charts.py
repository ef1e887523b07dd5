"""Inclusion tags of the server-rendered charts (portal.charts): an SVG picture and the same
figures as a table for screen readers."""

from django import template

from portal import charts

register = template.Library()


@register.inclusion_tag("portal/_chart_stacked.html")
def stacked_chart(lines, title, chart_id="envelope-chart"):
    """Envelope use: committed / proposed in the open session / remaining, per line."""
    return {"chart": charts.stacked(lines), "title": title, "chart_id": chart_id,
            "lines": [line for line in lines if line.envelope is not None
                      or line.committed or getattr(line, "proposed", 0)]}


@register.inclusion_tag("portal/_chart_bars.html")
def bar_chart(items, title, chart_id="bar-chart", table_id=""):
    """``items``: [(label, count)]. With ``table_id``, the page already shows the figures in
    that table (the picture points to it instead of repeating it)."""
    items = [(str(label), value) for label, value in items]
    return {"chart": charts.bars(items), "title": title, "chart_id": chart_id, "items": items,
            "table_id": table_id}
