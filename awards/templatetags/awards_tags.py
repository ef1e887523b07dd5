from django import template

register = template.Library()


@register.filter
def funder_label(value) -> str:
    """« Centre national de la musique » for "cnm"."""
    from calls.enums import Funder

    return str(Funder(value).label) if value in Funder.values else str(value)
