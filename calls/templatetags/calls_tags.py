from django import template

from ..display import countdown

register = template.Library()


@register.simple_tag(takes_context=True)
def call_countdown(context, call):
    """Rendered on the server: "clôture dans 3 jours"."""
    return countdown(call, context.get("now"))


@register.filter
def percent(value):
    """``Decimal("30.00")`` → ``30 %``."""
    if value is None or value == "":
        return ""
    from ..eligibility import format_number

    return f"{format_number(value)}\u00a0%"


@register.filter
def number_fr(value):
    if value is None or value == "":
        return ""
    from ..eligibility import format_number

    return format_number(value)


@register.filter
def rich_text(value):
    """The call's description: sanitized again at display (defence in depth), then safe."""
    from django.utils.safestring import mark_safe

    from ..sanitize import sanitize_html

    return mark_safe(sanitize_html(value or ""))  # noqa: S308 - cleaned by nh3 just above


@register.filter
def eligibility_status(status):
    """``{{ result.status|eligibility_status }}`` → « Respecté », « Non respecté »…"""
    from calls.eligibility import status_label

    return status_label(status)
