from django import template
from django.utils import timezone

from ..formatting import PARIS, format_date_local, format_datetime_local, format_money

register = template.Library()


@register.filter
def money(value):
    """``{{ amount|money }}`` → ``12 000,00 €``."""
    return format_money(value)


@register.filter
def event_sentence(event):
    """``{{ event|event_sentence }}``: an audit event as a French sentence (portal/events.py),
    never its dotted action name."""
    from ..events import render_event

    return render_event(event)


@register.simple_tag
def static_sri(path):
    """``integrity="{% static_sri 'dsfr/dist/dsfr/dsfr.min.css' %}"``: the SRI digest of the
    static file as it is served (collected and hashed in production)."""
    from ..static_integrity import static_integrity

    return static_integrity(path)


@register.filter
def amount_input(value):
    """``value="{{ review.proposed_amount|amount_input }}"`` → ``25 000,00``: a saved amount
    as the portal's amount field shows it back (a typed text is kept as typed)."""
    from ..amounts import format_number_input

    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    return format_number_input(value)


@register.filter
def file_size(value):
    """``{{ attachment.size|file_size }}`` → ``12,3 Ko``."""
    from ..formatting import format_file_size

    return format_file_size(value)


@register.filter
def paris(value):
    """An aware datetime in Europe/Paris (for use with |date)."""
    if value is None:
        return value
    return timezone.localtime(value, PARIS)


@register.filter
def date_local(value, options=""):
    """``{{ call.committee_date|date_local }}`` → ``18 septembre 2023`` (French) or
    ``September 18, 2023`` (English); ``|date_local:"weekday"`` adds the day's name."""
    return format_date_local(value, weekday="weekday" in options) if value else ""


@register.filter
def datetime_local(value, options=""):
    """``{{ call.closes_at|datetime_local }}`` → ``18 septembre 2023 à 23 h 59`` in Paris
    time, in the active language; options ``"seconds"`` and ``"weekday"`` (comma-separated)."""
    return format_datetime_local(value, seconds="seconds" in options,
                                 weekday="weekday" in options) if value else ""


@register.filter
def role_labels(roles):
    from ..enums import Role

    return [Role(r).label for r in roles or []]


@register.simple_tag(takes_context=True)
def has_tenant_perm(context, perm):
    request = context.get("request")
    tenant = getattr(request, "tenant", None)
    return bool(request and request.user.is_authenticated and request.user.has_perm(perm, tenant))


@register.filter
def dsfr_field(bound_field):
    """Render any form's bound field (e.g. allauth's) with django-dsfr's field snippets:
    ``fr-input-group``/``fr-label``/``fr-input``, errors as ``fr-error-text``, input kept."""
    from dsfr.forms import DsfrBoundField
    from dsfr.utils import dsfr_input_class_attr

    if bound_field.is_hidden:
        return bound_field.as_hidden()
    dsfr_input_class_attr(bound_field)
    field = DsfrBoundField(bound_field.form, bound_field.field, bound_field.name)
    return field.as_field_group()
