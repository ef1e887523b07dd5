"""What a kept page depends on: generation tokens that any write to the database forgets.

A page kept by `portal.pagecache` is stored under the tokens current when it was rendered;
the next write makes them new, so the page is never served again. The writes are seen where
they happen, in the database connection (an execute wrapper installed on every connection:
``INSERT``, ``UPDATE``, ``DELETE``, ``TRUNCATE``, ``MERGE``, ``COPY``), so that nothing escapes:
model saves and deletions, ``QuerySet.update()``, ``bulk_create()``, raw SQL, from a request, a
Celery task, a management command or a test.

Three tokens:

* **tenant** ``<id>``: forgotten by a write to a tenant-scoped table (a model whose default
  manager is django-scopes' ``ScopedManager``) made inside that tenant's scope;
* **global**: forgotten by any other write (users, structures, organisations; a write made
  with the scopes disabled, whose tenant is not known);
* **any**: forgotten by every write; the pages outside a tenant (*Mes dossiers*, which lists
  every region) depend on it.

A page inside a tenant depends on (global, tenant), a page outside on (any). The token is
forgotten at once and again when the transaction commits: a reader between the write and the
commit may store the old state under the token it found, which the commit forgets.

Not counted as writes: the database sessions (``django_session``, no page shows them) and the
last-login stamp Django writes at each sign-in (``UPDATE "portal_user" SET "last_login"``).
"""

from __future__ import annotations

import re
import secrets

from django.core.cache import cache
from django.db import transaction
from django_scopes.state import get_scope

KEY = "page-generation:{name}"
#: Tokens outlive the pages they key (portal.pagecache.PAGE_SECONDS) by far.
SECONDS = 3600
GLOBAL, ANY = "global", "any"

_WRITE = re.compile(r"\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?|MERGE\s+INTO"
                    r"|COPY)\s+(?:ONLY\s+)?\"?([\w.]+)\"?", re.IGNORECASE)
_IGNORED_TABLES = frozenset({"django_session"})
_IGNORED_PREFIXES = ('UPDATE "portal_user" SET "last_login" = ',)

_scoped_tables: frozenset[str] | None = None


def scoped_tables() -> frozenset[str]:
    """Tables of the models django-scopes filters by tenant."""
    global _scoped_tables
    if _scoped_tables is None:
        from django.apps import apps

        _scoped_tables = frozenset(
            model._meta.db_table for model in apps.get_models()
            if hasattr(model._default_manager, "with_scope"))
    return _scoped_tables


def tokens(names: list[str]) -> list[str]:
    """The current token of each name (one cache round trip; a missing one is created)."""
    keys = [KEY.format(name=name) for name in names]
    found = cache.get_many(keys)
    result = []
    for key in keys:
        token = found.get(key)
        if token is None:
            token = secrets.token_hex(6)
            if not cache.add(key, token, SECONDS):
                token = cache.get(key) or token
        result.append(token)
    return result


def page_names(tenant_id) -> list[str]:
    """The tokens a page depends on: (global, tenant) inside a tenant, (any) outside."""
    return [GLOBAL, f"tenant:{tenant_id}"] if tenant_id else [ANY]


def forget(name: str, connection=None) -> None:
    """Pages under `name` ("global" or "tenant:<id>") are rendered again, now and, inside a
    transaction, once more when it commits (one callback per name and transaction)."""
    keys = [KEY.format(name=name), KEY.format(name=ANY)]
    cache.delete_many(keys)
    connection = connection or transaction.get_connection()
    if not connection.in_atomic_block:
        return
    if any(getattr(func, "page_generation", None) == name
           for _savepoints, func, _robust in connection.run_on_commit):
        return

    def at_commit():
        cache.delete_many(keys)

    at_commit.page_generation = name
    connection.on_commit(at_commit)


def _written_name(sql: str) -> str | None:
    """The token a statement forgets, or None for a read (or an ignored write)."""
    match = _WRITE.match(sql)
    if match is None:
        return None
    table = match.group(1).rsplit(".", 1)[-1]
    if table in _IGNORED_TABLES or sql.startswith(_IGNORED_PREFIXES):
        return None
    scope = get_scope()
    tenant = scope.get("tenant") if scope.get("_enabled", True) else None
    tenant_id = getattr(tenant, "pk", tenant)
    if tenant_id and isinstance(tenant_id, int) and table in scoped_tables():
        return f"tenant:{tenant_id}"
    return GLOBAL


def watch_writes(execute, sql, params, many, context):
    """Execute wrapper (installed on each connection by portal.apps): after a write, forget
    the pages that may show what it changed."""
    result = execute(sql, params, many, context)
    name = _written_name(sql) if isinstance(sql, str) else GLOBAL
    if name is not None:
        forget(name, context["connection"])
    return result


def install(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: watch the new connection's writes."""
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)
