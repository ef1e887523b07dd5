"""django-scopes refuses a scoped model's queries outside any scope (`ScopeError`) by listing
the queryset methods it turns into errors; 2.1 leaves out `exists()`, `contains()`,
`in_bulk()` and `explain()`, so that ``Dossier.objects.filter(...).exists()`` outside a scope
answered for every tenant. `install()` (portal's AppConfig) refuses them too; inside a scope,
or through ``with_scope`` / ``scopes_disabled()`` (the named entry points of
`portal.tenancy.UNSCOPED_ENTRY_POINTS`), nothing changes."""

from django_scopes.manager import DisabledQuerySet

#: Methods of an out-of-scope queryset that read the database and that django-scopes lets by.
GUARDED = ("exists", "contains", "in_bulk", "explain")


def install() -> None:
    for name in GUARDED:
        setattr(DisabledQuerySet, name, DisabledQuerySet.error)
