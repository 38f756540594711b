"""Imports of registers (issue 12): dry run plus commit against openpyxl's own read-only read of the same
file, and the peak memory growth, for a prevention activity register and a victim case register.

    .venv/bin/python bench/imports.py --rows 10000 100000
    .venv/bin/python bench/imports.py --rows 10000 --kinds activities

Each size: a synthetic register is written (openpyxl write-only), read with openpyxl read-only
(`reference`: iterate every row's values; twice, the faster counts), then uploaded, dry-run and
committed as a user would. The ratio is (dry run + commit) / reference in wall-clock time, goal ≤ 3;
the CPU ratio is the same in CPU seconds, this process's and its children's (SQLite runs in the process; a
large workbook is parsed by a child process while this one checks the rows, so the wall clock can be less
than the CPU time; on a shared machine the CPU ratio moves less with the load).
Memory: the process's resident size sampled every 50 ms during the dry run and commit, peak minus the
size before; goal ≤ 150 MB whatever the row count. "reader MB": the peak memory the reading child holds of
its own (not the pages it still shares with this process since the fork).
`--sql`: also print the time spent in the database driver's many-row inserts, table by table (the cursor's
`executemany` timed around each call), to tell SQL from Python.
Runs on a throw-away SQLite file (or the PostgreSQL database DATABASE_URL names, which must contain
"bench") with throw-away keys, like `cases_scale.py`.
"""

import argparse
import contextlib
import io
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def configure(workdir: Path) -> None:
    var_dir = workdir / "var"
    for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY"):
        os.environ.pop(name, None)
        os.environ.pop(f"{name}_FILE", None)
    os.environ.update(
        HAIDANG_ENV="development", HAIDANG_VAR_DIR=str(var_dir), DEBUG="false", DJANGO_SETTINGS_MODULE="config.settings"
    )
    from haidang.common.keys import create_local_keys

    create_local_keys(var_dir / "local-keys.json")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"
    if url.startswith("postgres") and "bench" not in url.rsplit("/", 1)[-1]:
        sys.exit("DATABASE_URL must name a database whose name contains 'bench'.")
    os.environ["DATABASE_URL"] = url


def cpu_seconds() -> float:
    """This process's CPU time and its finished children's (the workbook's reader, joined at the dry run's end)."""
    times = os.times()
    return time.process_time() + times.children_user + times.children_system


def rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def children_private() -> int:
    """Bytes of memory the child processes (the workbook's reader) hold of their own: pages written since the
    fork, not those still shared with this process (Private_Clean + Private_Dirty of smaps_rollup)."""
    total = 0
    for task in Path("/proc/self/task").iterdir():
        try:
            pids = (task / "children").read_text().split()
        except OSError:
            continue
        for pid in pids:
            try:
                lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
            except OSError:
                continue
            total += sum(int(line.split()[1]) * 1024 for line in lines if line.startswith("Private_"))
    return total


class PeakRss:
    """This process's peak resident size, and the peak private memory of its children (the reader)."""

    def __init__(self):
        self.base = rss()
        self.peak = self.base
        self.children_peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, rss())
            self.children_peak = max(self.children_peak, children_private())

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss())

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.base) / 1024 / 1024

    @property
    def children_mb(self) -> float:
        return self.children_peak / 1024 / 1024


def write_register(path: Path, kind: str, rows: int, communes: list[str], run: int) -> None:
    from openpyxl import Workbook

    from haidang.exchange.imports.registry import kind_for
    from haidang.exchange.tests.registers import activity_row, case_row

    schema = kind_for(kind).schema
    rng = random.Random(rows)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Dữ liệu")
    sheet.append(schema.headers)
    start = date(2026, 1, 5)
    for number in range(rows):
        day = (start + timedelta(days=rng.randrange(150))).strftime("%d/%m/%Y")
        unit = rng.choice(communes)
        if kind == "activities":
            row = activity_row(
                f"B{run}-{number:06d}",
                start_date=day,
                unit=unit,
                title=f"Buổi tuyên truyền số {number}",
                sessions=1,
                participants=f"{rng.randrange(20, 2000):,}".replace(",", "."),
            )
        else:
            row = case_row(
                f"B{run}-{number:06d}",
                reception_date=day,
                unit=unit,
                birth_year=rng.randrange(1970, 2008),
                full_name=f"Người Minh Họa {run}-{number} (minh họa)",
            )
        sheet.append([row.get(column.key) for column in schema.columns])
    book.save(path)


def reference_read(path: Path) -> tuple[float, float]:
    """Wall and CPU seconds of openpyxl read-only reading every row's values."""
    from openpyxl import load_workbook

    started, cpu = time.perf_counter(), time.process_time()
    book = load_workbook(path, read_only=True, data_only=True)
    for _row in book.worksheets[0].iter_rows(values_only=True):
        pass
    book.close()
    return time.perf_counter() - started, time.process_time() - cpu


class InsertTimes:
    """Seconds spent in the driver's `executemany` per table while active (Django's cursor wrapper, timed
    around each call)."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    def __enter__(self):
        from django.db.backends import utils

        self._utils, self._original = utils, utils.CursorWrapper.executemany
        original, seconds = self._original, self.seconds

        def executemany(cursor, sql, param_list):
            started = time.perf_counter()
            try:
                return original(cursor, sql, param_list)
            finally:
                table = sql.split('"')[1] if sql.startswith('INSERT INTO "') else sql[:40]
                seconds[table] = seconds.get(table, 0.0) + time.perf_counter() - started

        utils.CursorWrapper.executemany = executemany
        return self

    def __exit__(self, *exc):
        self._utils.CursorWrapper.executemany = self._original

    def line(self) -> str:
        ordered = sorted(self.seconds.items(), key=lambda item: -item[1])
        parts = ", ".join(f"{table} {seconds:.1f} s" for table, seconds in ordered)
        return f"  many-row inserts {sum(self.seconds.values()):.1f} s: {parts}"


def measure(kind: str, rows: int, workdir: Path, communes: list[str], user, run: int, sql: bool = False) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import override_settings

    from haidang.exchange.models import ImportBatch
    from haidang.exchange.services import imports as services

    path = workdir / f"{kind}-{rows}.xlsx"
    write_register(path, kind, rows, communes, run)
    reads = [reference_read(path) for _ in range(2)]
    reference, reference_cpu = min(wall for wall, _cpu in reads), min(cpu for _wall, cpu in reads)
    dummy = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    inserts = InsertTimes()
    with override_settings(TASKS=dummy), PeakRss() as memory, inserts if sql else contextlib.nullcontext():
        started, cpu = time.perf_counter(), cpu_seconds()
        batch = services.start_import(
            actor=user, kind=kind, uploaded_file=SimpleUploadedFile(path.name, path.read_bytes())
        )
        services.run_dry_run(batch.pk)
        dry, dry_cpu = time.perf_counter() - started, cpu_seconds() - cpu
        batch = ImportBatch.objects.get(pk=batch.pk)
        if batch.status != "validated":
            sys.exit(f"{kind}: the dry run found errors: {batch.file_errors[:3]} {batch.error_count}")
        started = time.perf_counter()
        batch = services.commit_import(actor=user, batch=batch)
        commit = time.perf_counter() - started
        subject_cpu = cpu_seconds() - cpu
    return {
        "kind": kind,
        "rows": rows,
        "reference_s": reference,
        "dry_run_s": dry,
        "commit_s": commit,
        "ratio": (dry + commit) / reference,
        "dry_cpu_ratio": dry_cpu / reference_cpu,
        "commit_cpu_ratio": (subject_cpu - dry_cpu) / reference_cpu,
        "cpu_ratio": subject_cpu / reference_cpu,
        "memory_mb": memory.growth_mb,
        "reader_mb": memory.children_mb,
        "status": batch.status,
        "inserts": inserts.line() if sql else "",
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--kinds", nargs="+", default=["activities", "cases"], choices=["activities", "cases"])
    parser.add_argument("--sql", action="store_true", help="print the many-row inserts' time per table")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="haidang-bench-imports-"))
    configure(workdir)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from haidang.access.models import User
    from haidang.places.models import AdministrativeUnit

    print(f"Hải Đăng imports benchmark: {connection.vendor}, work directory {workdir}", flush=True)
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_admin_map", verbosity=0)
    with contextlib.redirect_stdout(io.StringIO()):  # the demo's notices go to the console mail backend
        call_command("seed_demo", verbosity=0)
    hanoi = AdministrativeUnit.objects.get(code="01", valid_to__isnull=True)
    communes = [
        f"{name}, Thành phố Hà Nội"
        for name in AdministrativeUnit.objects.filter(parent=hanoi, valid_to__isnull=True)
        .order_by("code")
        .values_list("name", flat=True)[:60]
    ]
    users = {
        "activities": User.objects.get(username="coordinator.hanoi"),
        "cases": User.objects.get(username="supervisor.hanoi"),
    }
    print(
        f"{'kind':<11}{'rows':>9}{'openpyxl read':>15}{'dry run':>10}{'commit':>10}{'ratio':>8}"
        f"{'cpu ratio':>11}{'(dry':>6}{'+ commit)':>10}{'memory +MB':>12}{'reader MB':>11}{'load avg':>10}"
    )
    results = []
    for run, rows in enumerate(args.rows):
        for kind in args.kinds:
            result = measure(kind, rows, workdir, communes, users[kind], run, sql=args.sql)
            results.append(result)
            print(
                f"{kind:<11}{rows:>9,}{result['reference_s']:>14.1f}s{result['dry_run_s']:>9.1f}s"
                f"{result['commit_s']:>9.1f}s{result['ratio']:>8.1f}{result['cpu_ratio']:>11.1f}"
                f"{result['dry_cpu_ratio']:>6.1f}{result['commit_cpu_ratio']:>10.1f}"
                f"{result['memory_mb']:>12.0f}{result['reader_mb']:>11.0f}{os.getloadavg()[0]:>10.1f}",
                flush=True,
            )
            if result["inserts"]:
                print(result["inserts"], flush=True)
    print("goal: ratio ≤ 3, memory growth ≤ 150 MB whatever the row count")
    print("cpu ratio: the same ratio in CPU seconds of this process (less sensitive to a loaded machine),")
    print("  then its two parts: the dry run's CPU and the commit's, each over the reference's")
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
