"""Statistics and dashboards read from a PostgreSQL streaming replica while it is fresh, and from the primary
when it falls behind or is gone. The test makes its own primary and replica (initdb as the postgres user,
spare ports, its own pg_hba.conf) and removes both at the end."""

import json
import os
import tempfile
import time
from pathlib import Path

import pytest

from haidang.operations.tests.clusters import make_primary, make_replica, pg_bin, remove
from haidang.operations.tests.installation import WebClient, installation, session_postgres_url

pytestmark = [
    pytest.mark.skipif(pg_bin("initdb") is None, reason="PostgreSQL's server programs (initdb) are not installed"),
    pytest.mark.skipif(
        session_postgres_url() is None,
        reason="runs in the PostgreSQL pass (DATABASE_URL=postgres://…); it makes its own servers either way",
    ),
]

PASSWORD = os.environ.get("DEMO_PASSWORD", "HaiDang-Demo-2026")
QUERY = "/api/v1/stats/query?indicator=victims_identified&period=2026&level=1"
DASHBOARD = "/statistics/?indicator=victims_identified&period=2026"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    # Outside pytest's own temporary folder, which the postgres user may not enter.
    root = Path(tempfile.mkdtemp(prefix="haidang-replica-"))
    os.chmod(root, 0o755)
    primary = make_primary(root / "servers")
    replica = None
    try:
        folder = tmp_path_factory.mktemp("replica")
        with installation(folder, purpose="replica", admin_map=True, demo=True, postgres_server=primary.url) as inst:
            replica = make_replica(primary, root / "servers")
            database = inst.database_url.rsplit("/", 1)[1]
            url = inst.start_server(
                env={
                    "DATABASE_REPLICA_URL": f"{replica.url}/{database}",
                    "REPLICA_MAX_LAG_SECONDS": "2",
                    "REPLICA_CHECK_SECONDS": "0",
                }
            )
            yield inst, url, primary, replica, database
    finally:
        remove(*[cluster for cluster in (replica, primary) if cluster is not None])
        import shutil

        shutil.rmtree(root, ignore_errors=True)


def _last_line(inst, route: str) -> dict:
    for _ in range(50):
        lines = [
            json.loads(line)
            for line in (inst.var_dir / "server.log").read_text().splitlines()
            if line.startswith('{"time"') and f'"route":"{route}"' in line
        ]
        if lines:
            return lines[-1]
        time.sleep(0.1)
    raise AssertionError(f"no log line for {route}")


def _reads(inst, route: str) -> dict:
    line = _last_line(inst, route)
    assert line["status"] == 200, line
    return line.get("statements_by_database", {"default": line["statements"]})


def _ok(inst, page: WebClient, path: str, headers=None) -> None:
    status, _, body = page.request(path, headers=headers)
    log = (inst.var_dir / "server.log").read_text()
    assert status == 200, "\n".join(line for line in log.splitlines() if not line.startswith('{"time"'))[-3000:]


def _token(client: WebClient) -> str:
    import urllib.request

    request = urllib.request.Request(  # noqa: S310 (loopback)
        client.base + "/api/v1/auth/token",
        data=json.dumps({"username": "analyst", "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read())["token"]


def test_dashboards_read_from_the_replica_and_fall_back_when_it_lags_or_is_gone(deployment):
    inst, url, primary, replica, database = deployment
    page = WebClient(url)
    assert page.sign_in("analyst", PASSWORD) == 302
    api = {"Authorization": f"Bearer {_token(page)}"}

    # Fresh replica: the figures are read there (the primary still takes the audit entry and the session).
    _ok(inst, page, QUERY, api)
    reads = _reads(inst, "/api/v1/stats/query")
    assert reads.get("replica", 0) > 0, reads
    _ok(inst, page, DASHBOARD)
    assert _reads(inst, "/statistics/").get("replica", 0) > 0

    # The replica stops replaying while the primary keeps writing: past the allowed lag, the primary serves.
    replica.sql("SELECT pg_wal_replay_pause()")
    primary.sql("CREATE TABLE lag_marker (id int)", database=database)
    time.sleep(3)
    primary.sql("INSERT INTO lag_marker VALUES (1)", database=database)
    _ok(inst, page, QUERY, api)
    assert "replica" not in _reads(inst, "/api/v1/stats/query")
    replica.sql("SELECT pg_wal_replay_resume()")
    deadline = time.monotonic() + 30
    while replica.sql("SELECT count(*) FROM pg_class WHERE relname = 'lag_marker'", database=database)[0][0] == 0:
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.2)
    _ok(inst, page, QUERY, api)
    assert _reads(inst, "/api/v1/stats/query").get("replica", 0) > 0

    # The replica is gone: nothing fails, the primary serves.
    replica.stop()
    _ok(inst, page, QUERY, api)
    assert "replica" not in _reads(inst, "/api/v1/stats/query")
    _ok(inst, page, DASHBOARD)
    assert "replica" not in _reads(inst, "/statistics/")
