"""What a kept page depends on: a generation token per table it read, which any write to that
table forgets.

A page kept by `portal.pagecache` is stored under the tokens, current when it was rendered,
of the tables its render read; the next write to one of them makes its token new, so the page
is never served again. Writes and reads are seen where they happen, in the database
connection (an execute wrapper installed on every connection): ``INSERT``, ``UPDATE``,
``DELETE``, ``TRUNCATE``, ``MERGE``, ``COPY`` forget, whatever issued them (model saves and
deletions, ``QuerySet.update()``, ``bulk_create()``, raw SQL, a request, a Celery task, a
management command, a test); the ``FROM`` and ``JOIN`` of each ``SELECT`` made while a page
renders (`recording`) are what it read.

Tokens, per table T:

* ``t<id>:T``: forgotten by a write to T made inside tenant <id>'s scope, T being the table of
  a tenant-scoped model (django-scopes' ``ScopedManager``);
* ``g:T``: forgotten by any other write to T (a global table: users, structures; or a write
  made with the scopes disabled, whose tenant is not known);
* ``any:T``: forgotten by every write to T; the pages outside a tenant (*Mes dossiers*, which
  lists every region) depend on it.

A page inside tenant <id> depends on ``g:T`` and ``t<id>:T`` for each table T it read, a page
outside on ``any:T``. Some reads do not reach the database while a page renders: the frame's
facts kept with the cached tenant and user (`FRAME_TABLES`, every page depends on them) and
the calls' cache (calls.selectors, which says which tables its values came from: `read`). A
token is forgotten at once and again when the transaction commits: a reader between the
write and the commit may store the old state under the token it found, which the commit
forgets.

The audit log is read and written as part of its targets: `portal.audit.audit_log` records an
event on X as a write to X's table (a saved view's event forgets the pages that read saved
views, not every dossier's page), `audit_events_for(X)` as a read of X's table, and the SQL on
``portal_auditevent`` itself is not counted. Any other write to it (a purge, an anonymised
actor) forgets every page (token ``all``, which every page depends on).

Not counted as writes: the database sessions (``django_session``; portal.pagecache puts the
session's contents in its key) and the last-login stamp Django writes at each sign-in
(``UPDATE "portal_user" SET "last_login"``, shown nowhere a page is kept).
"""

from __future__ import annotations

import re
import secrets
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache import cache
from django.db import transaction
from django_scopes.state import get_scope

KEY = "page-generation:{name}"
#: Tokens outlive the pages they key (portal.pagecache.PAGE_SECONDS) by far.
SECONDS = 3600
#: Read by every page without a query while it renders: the tenant with its signatories and
#: organisations, the user with their roles and second factor (portal.tenancy's caches).
FRAME_TABLES = frozenset({"portal_tenant", "portal_membership", "portal_user",
                          "portal_organization", "portal_signatory", "mfa_authenticator"})

_WRITE = re.compile(r"\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?|MERGE\s+INTO"
                    r"|COPY)\s+(?:ONLY\s+)?\"?([\w.]+)\"?", re.IGNORECASE)
_TABLES = re.compile(r"\b(?:FROM|JOIN)\s+\"?([A-Za-z_][\w.]*)\"?", re.IGNORECASE)
_IGNORED_TABLES = frozenset({"django_session"})
_IGNORED_PREFIXES = ('UPDATE "portal_user" SET "last_login" = ',)
#: Read and written through their targets (see the module doc).
AUDIT_TABLE = "portal_auditevent"
#: The token every page depends on (a write to the audit log not made by audit_log()).
ALL = "all"

_scoped_tables: frozenset[str] | None = None


class Reads:
    """What a render read (`tables`) and whether it wrote (`wrote`)."""

    __slots__ = ("tables", "wrote", "histories")

    def __init__(self):
        self.tables = set(FRAME_TABLES)
        self.wrote = False
        self.histories = 0  # audit_events_for() calls: their SQL reads the audit log


_recording: ContextVar[Reads | None] = ContextVar("page_generations_recording", default=None)
#: The table of the target whose audit event is being written (portal.audit.audit_log).
_event_of: ContextVar[str | None] = ContextVar("page_generations_event_of", default=None)


def scoped_tables() -> frozenset[str]:
    """Tables of the models django-scopes filters by tenant."""
    global _scoped_tables
    if _scoped_tables is None:
        from django.apps import apps

        _scoped_tables = frozenset(
            model._meta.db_table for model in apps.get_models()
            if hasattr(model._default_manager, "with_scope"))
    return _scoped_tables


def names(tenant_id, tables) -> list[str]:
    """The tokens a page of `tenant_id` (None: outside any tenant) that read `tables` depends
    on, in a stable order."""
    if tenant_id:
        return [ALL, *(name for table in sorted(tables)
                       for name in (f"g:{table}", f"t{tenant_id}:{table}"))]
    return [ALL, *(f"any:{table}" for table in sorted(tables))]


def tokens(token_names: list[str]) -> list[str]:
    """The current token of each name (one cache round trip; a missing one is created)."""
    keys = [KEY.format(name=name) for name in token_names]
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


@contextmanager
def recording():
    """Note in the yielded `Reads` the tables read meanwhile (this thread or task), and
    whether anything was written."""
    outer = _recording.get()
    reads = Reads()
    token = _recording.set(reads)
    try:
        yield reads
    finally:
        _recording.reset(token)
        if outer is not None:  # a cached value computed while a page renders
            outer.tables |= reads.tables
            outer.wrote = outer.wrote or reads.wrote
            outer.histories += reads.histories


def read(tables, *, history: bool = False) -> None:
    """Count `tables` as read by the page being rendered, if any (a cached value that came
    from them, served without a query; with `history`, the audit log of their rows)."""
    current = _recording.get()
    if current is not None:
        current.tables.update(tables)
        current.histories += history


@contextmanager
def event_of(table: str | None):
    """An audit event on a row of `table` is being written: it counts as a write to `table`
    (None: an event without target, shown on no kept page)."""
    token = _event_of.set(table or "")
    try:
        yield
    finally:
        _event_of.reset(token)


def forget(name: str, connection=None) -> None:
    """Pages under token `name` (and its ``any:`` twin) are rendered again, now and, inside a
    transaction, once more when it commits (one callback per name and transaction)."""
    if name == ALL:
        keys = [KEY.format(name=ALL)]
    else:
        keys = [KEY.format(name=name), KEY.format(name=f"any:{name.split(':', 1)[1]}")]
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
    if table == AUDIT_TABLE:
        target = _event_of.get()
        if target is None:
            return ALL  # not an event recorded by audit_log: whatever showed it
        if not target:
            return None
        table = target
    scope = get_scope()
    tenant = scope.get("tenant") if scope.get("_enabled", True) else None
    tenant_id = getattr(tenant, "pk", tenant)
    if tenant_id and isinstance(tenant_id, int) and table in scoped_tables():
        return f"t{tenant_id}:{table}"
    return f"g:{table}"


def watch_statements(execute, sql, params, many, context):
    """Execute wrapper (installed on each connection by portal.apps): after a write, forget
    the pages that read its table; while a page renders, note the tables it reads."""
    result = execute(sql, params, many, context)
    if not isinstance(sql, str):
        sql = str(sql)
    name = _written_name(sql)
    reads = _recording.get()
    if name is not None:
        forget(name, context["connection"])
        if reads is not None:
            reads.wrote = True
    elif reads is not None:  # a read: SELECT, WITH, a parenthesised UNION
        tables = {t.rsplit(".", 1)[-1] for t in _TABLES.findall(sql)}
        if AUDIT_TABLE in tables:
            tables.discard(AUDIT_TABLE)
            if not reads.histories:  # the audit log read otherwise than by its targets:
                reads.wrote = True   # such a page is not kept
        reads.tables.update(tables)
    return result


def install(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: watch the new connection's statements."""
    if watch_statements not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_statements)
