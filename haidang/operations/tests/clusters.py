"""Temporary PostgreSQL servers of a test's own: `initdb` as the postgres user on spare ports, with their own
pg_hba.conf allowing replication from this machine only. The machine's shared server is never touched."""

import contextlib
import glob
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from haidang.operations.tests.installation import free_port


def pg_bin(name: str) -> str | None:
    """A PostgreSQL server program (initdb, pg_ctl, pg_basebackup), newest version first."""
    folders = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda path: int(path.split("/")[-2]), reverse=True)
    for folder in folders:
        candidate = Path(folder) / name
        if candidate.exists():
            return str(candidate)
    return shutil.which(name)


def _as_postgres(command: list[str]) -> list[str]:
    # initdb refuses to run as root; CI runs as root, a developer as themselves.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(_as_postgres(command), capture_output=True, text=True, timeout=120, **kwargs)  # noqa: S603
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def _give_to_postgres(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")


@dataclass
class Cluster:
    data: Path
    port: int
    socket_dir: Path

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}"

    def start(self) -> None:
        _run([pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.data.parent / f"{self.data.name}.log"),
              "-w", "-t", "60", "start"])  # fmt: skip

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            _run([pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])

    def sql(self, statement: str, database: str = "postgres"):
        import psycopg

        with psycopg.connect(f"{self.url}/{database}", autocommit=True, connect_timeout=5) as connection:
            cursor = connection.execute(statement)
            return cursor.fetchall() if cursor.description else None


def _settings(cluster: Cluster, extra: str = "") -> str:
    return (
        f"\nport = {cluster.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{cluster.socket_dir}'\n"
        "wal_level = replica\nmax_wal_senders = 5\nhot_standby = on\nfsync = off\n" + extra
    )


def make_primary(root: Path) -> Cluster:
    root.mkdir(parents=True, exist_ok=True)
    _give_to_postgres(root)
    cluster = Cluster(root / "primary", free_port(), root)
    _run([pg_bin("initdb"), "-D", str(cluster.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
          "--locale=C.UTF-8"])  # fmt: skip
    with open(cluster.data / "postgresql.conf", "a") as conf:
        conf.write(_settings(cluster))
    # Only this machine, and replication for the standby made below.
    (cluster.data / "pg_hba.conf").write_text(
        "local all all trust\nhost all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n"
    )
    cluster.start()
    return cluster


def make_replica(primary: Cluster, root: Path) -> Cluster:
    replica = Cluster(root / "replica", free_port(), root)
    _run([pg_bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
          "-D", str(replica.data), "-R", "-X", "stream", "--checkpoint=fast"])  # fmt: skip
    with open(replica.data / "postgresql.conf", "a") as conf:
        conf.write(_settings(replica))
    replica.start()
    deadline = time.monotonic() + 30
    while replica.sql("SELECT pg_is_in_recovery()")[0][0] is not True:
        if time.monotonic() > deadline:
            raise AssertionError("the replica did not start as a standby")
        time.sleep(0.2)
    return replica


def remove(*clusters: Cluster) -> None:
    for cluster in clusters:
        with contextlib.suppress(AssertionError):
            cluster.stop()
        shutil.rmtree(cluster.data, ignore_errors=True)
