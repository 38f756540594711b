"""What is the same for everyone, read once per process and dropped when it changes in any process.

The map (which units lie under which path, for scopes), for instance, changes only when it is
reloaded, but every request needs it. `cached(topic, key, compute)` keeps `compute()` in this
process's memory together with the topic's version (`SharedVersion`, a row in the database).
The versions are read at most once per request (one query for every topic); whoever changes the data calls
`bump(topic)` in the same transaction. So the invalidation holds across any number of server
processes and machines, with no cache server: a process never serves data older than the version
committed before its request began.

Outside a request (commands, jobs, tests) the version is read at every call, or once within a
`with reading():` block (one unit of work, e.g. one statistics query). Under the test
settings (SHARED_DATA_CACHE = False) nothing is kept between calls: tests change the map inside
transactions that are rolled back.
"""

import threading
from contextlib import contextmanager

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import connections, router
from django.db.models import F

from haidang.common.models import SharedVersion

# Topics: bump the topic in the transaction that changes what it covers.
MAP = "map"  # the administrative units and the crosswalk (places.services.load_admin_map)
ACCESS = "access"  # memberships and agencies, so users' scopes (access.services)
GRANTS = "grants"  # break-the-glass grants (cases.services.access)

_local = threading.local()
_store: dict[tuple[tuple[str, ...], object], tuple[tuple[int, ...], object]] = {}
_lock = threading.Lock()


def _start_request(**_kwargs) -> None:
    _local.versions = {}


def _end_request(**_kwargs) -> None:
    _local.versions = None


request_started.connect(_start_request, dispatch_uid="haidang-shared-start")
request_finished.connect(_end_request, dispatch_uid="haidang-shared-end")


@contextmanager
def reading():
    """Within the block, versions are read at most once, as within a request (nothing changes inside
    a request: the block may hold what it read before). Inside a request, or a block, it adds nothing."""
    if getattr(_local, "versions", None) is not None:
        yield
        return
    _local.versions = {}
    try:
        yield
    finally:
        _local.versions = None


def _read_versions() -> dict[str, int]:
    """Every topic's version, by a written statement: the ORM's building and compiling of this one-line
    query cost more than running it, on every request."""
    connection = connections[router.db_for_read(SharedVersion)]
    quote, meta = connection.ops.quote_name, SharedVersion._meta
    columns = ", ".join(quote(meta.get_field(name).column) for name in ("topic", "version"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {quote(meta.db_table)}")  # noqa: S608 (the model's own names)
        return dict(cursor.fetchall())


def version(topic: str) -> int:
    """The topic's version: every topic's is read in one query, once per request."""
    memo = getattr(_local, "versions", None)
    if memo is None or not memo:
        versions = _read_versions()
        versions[""] = 0  # read: even when the table is empty, not again in this request
        if memo is not None:
            memo.update(versions)
        return versions.get(topic, 0)
    return memo.get(topic, 0)


def bump(topic: str) -> None:
    """The data of `topic` changed (call inside the transaction that changed it)."""
    if not SharedVersion.objects.filter(topic=topic).update(version=F("version") + 1):
        SharedVersion.objects.get_or_create(topic=topic, defaults={"version": 1})
    memo = getattr(_local, "versions", None)
    if memo is not None:
        memo.clear()  # read again after this change


def cached(topic: str | tuple[str, ...], key, compute):
    """`compute()`, kept in this process while the version of the topic (of each topic) stays the same."""
    if not getattr(settings, "SHARED_DATA_CACHE", True):
        return compute()
    topics = (topic,) if isinstance(topic, str) else topic
    with reading():  # several topics: one read
        current = tuple(version(name) for name in topics)
    hit = _store.get((topics, key))
    if hit is not None and hit[0] == current:
        return hit[1]
    value = compute()
    with _lock:
        if len(_store) > 50_000:  # a bound on memory (a scope per active user): past it, start again
            _store.clear()
        _store[(topics, key)] = (current, value)
    return value
