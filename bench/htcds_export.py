"""HTCDS v2 export of N cases (default 100,000) against a plain SELECT of the same rows, in one run.

Fills a database of its own with synthetic persons and cases (the generator of bench/cases_scale.py: every
identifying field sealed by the real EncryptedTextField), gives every case a consent for IOM (purpose
"export"), then times, each `--reps` times:

- **reference**: one SELECT of the same cases with their person and residence unit, opening the same sealed
  columns (full name, address), every row written to a CSV file as stored (no mapping);
- **export**: the partner case exchange as `open_download` writes it: the consent gate over every case
  (`check_disclosure` for each consent), the HTCDS records (name split, code lists, alpha-2 countries, today's
  province through the crosswalk, status before closing) streamed through `writers.csv_stream` to a file;
- **export + disclosures**: the same, recording what was sent as a real download does (one Disclosure for the
  export, and one compact DisclosedCase row per case sent with its consent, inserted in bulk);
- **JSON**: the export written as HTCDS JSON.

It prints each as a ratio to the reference (the goal of issue 12: export ≤ 3 × reference).

    .venv/bin/python bench/htcds_export.py --cases 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_htcds .venv/bin/python bench/htcds_export.py --cases 20000

Settings and keys are those of bench/cases_scale.py (development profile, keys generated into a temporary
directory, never the developer's var/; a PostgreSQL database name must contain "bench").
"""

import argparse
import csv
import os
import shutil
import statistics
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.cases_scale import (  # noqa: E402  (the repository must be importable first)
    _duration,
    analyse,
    configure_environment,
    drop_postgres,
    ensure_agencies,
    fill,
    load_places,
    prepare_postgres,
    say,
)
from bench.cases_scale import parse_args as scale_args  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000, help="synthetic cases, one person each (100,000)")
    parser.add_argument("--reps", type=int, default=3, help="timed repetitions of each operation (default 3)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the database and the work directory")
    parser.add_argument("--reuse", action="store_true", help="measure a database kept by --keep (needs --workdir)")
    parser.add_argument("--recreate", action="store_true", help="drop an existing benchmark database first")
    parser.add_argument("--workdir", help="work directory (keys, SQLite file); default: a new temporary one")
    args = parser.parse_args(argv)
    if args.reuse and not args.workdir:
        parser.error("--reuse needs --workdir")
    return args


def give_consents(recipient, actor) -> int:
    """One live consent for `recipient`, purpose export, on every case (bulk, as an import would)."""
    from django.db import transaction

    from haidang.cases.models import Case, Consent

    made = 0
    rows = Case.objects.values_list("pk", "person_id", "reception_date").order_by("pk")
    batch = []
    with transaction.atomic():
        for case_id, person_id, received in rows.iterator(chunk_size=5000):
            batch.append(
                Consent(
                    person_id=person_id,
                    case_id=case_id,
                    given_by="person",
                    purpose="export",
                    recipient=recipient,
                    given_on=received or date(2026, 1, 1),
                    method="written",
                    recorded_by=actor,
                )
            )
            if len(batch) >= 5000:
                Consent.objects.bulk_create(batch)
                made += len(batch)
                batch = []
        if batch:
            Consent.objects.bulk_create(batch)
            made += len(batch)
    return made


def reference(path: Path) -> int:
    """A SELECT of the consented cases with their person and residence unit, the sealed name and address
    opened, every row written to CSV as stored."""
    from haidang.cases.models import Case, Consent

    consented = Consent.objects.filter(purpose="export").values("case_id")
    cases = (
        Case.objects.filter(pk__in=consented)
        .select_related("person__residence_unit")
        .defer("person__other_names", "person__document_number", "person__contacts")
        .order_by("reception_date", "number")
    )
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "id",
                "number",
                "reception_date",
                "full_name",
                "birth_date",
                "birth_year",
                "sex",
                "nationality",
                "address",
                "residence",
                "status",
                "forms",
                "destination",
                "recruitment",
            ]
        )
        for case in cases.iterator(chunk_size=2000):
            person, unit = case.person, case.person.residence_unit
            writer.writerow(
                [
                    case.pk,
                    case.number,
                    case.reception_date,
                    person.full_name,
                    person.birth_date,
                    person.birth_year,
                    person.sex,
                    person.nationality_country,
                    person.address,
                    unit.code if unit else "",
                    case.status,
                    ";".join(case.exploitation_forms or []),
                    case.destination_country,
                    case.recruitment_method,
                ]
            )
            count += 1
    return count


def export(path: Path, actor, recipient, *, disclosures: bool, as_json: bool = False) -> int:
    from django.db import transaction

    from haidang.exchange.htcds import fields, writers
    from haidang.exchange.services import exports

    with transaction.atomic():
        gate = exports.consent_gate(actor, recipient)
        if disclosures:
            from haidang.exchange.models import Export

            target = Export(recipient=recipient)
            exports._record_disclosures(actor, target, gate.allowed)
        records = exports.partner_records(actor, gate.allowed)
        count = 0

        def counted():
            nonlocal count
            for record in records:
                count += 1
                yield record

        if as_json:
            chunks = writers.json_stream({"standard": "HTCDS"}, fields.PARTNER_COLUMNS, counted())
        else:
            chunks = writers.csv_stream(fields.PARTNER_COLUMNS, counted())
        with path.open("w", encoding="utf-8", newline="") as handle:
            for chunk in chunks:
                handle.write(chunk)
        if disclosures:
            transaction.set_rollback(True)  # measured again next time from the same state
    return count


def timed(label: str, reps: int, run) -> tuple[str, list[float], int, list[float]]:
    """Wall-clock seconds and this process's CPU seconds (SQLite runs in the process: on a machine shared
    with other work, CPU time is the steadier measure; PostgreSQL's own work is not in it)."""
    times, cpu, rows = [], [], 0
    for _ in range(reps):
        started, started_cpu = time.perf_counter(), time.process_time()
        rows = run()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    shown = ", ".join(f"{t:.2f}" for t in times)
    shown_cpu = ", ".join(f"{t:.2f}" for t in cpu)
    say(f"  {label}: {shown} s, CPU {shown_cpu} s ({rows:,} rows)")
    return label, times, rows, cpu


def main(argv=None) -> int:
    args = parse_args(argv)
    workdir, url = configure_environment(args)
    is_postgres = url.startswith(("postgres://", "postgresql://"))
    if is_postgres:
        prepare_postgres(url, args)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from haidang.access.demo import seed_demo
    from haidang.access.models import Agency, User
    from haidang.cases.models import Case

    say(f"Hải Đăng HTCDS export benchmark: {connection.vendor}, work directory {workdir}")
    try:
        recipient_name = "IOM Việt Nam (minh họa)"
        if not args.reuse:
            started = time.monotonic()
            call_command("migrate", verbosity=0, interactive=False)
            call_command("load_admin_map", verbosity=0)
            seed_demo()
            say(f"Migrated, map and demo users loaded in {_duration(time.monotonic() - started)}")
            places = load_places()
            users = {u.username: u for u in User.objects.all()}
            scale = scale_args(["--persons", str(args.cases), "--cases", str(args.cases), "--seed", str(args.seed)])
            started = time.monotonic()
            fill(scale, places, users, ensure_agencies(places))
            made = give_consents(Agency.objects.get(name=recipient_name), users["admin"])
            took = _duration(time.monotonic() - started)
            say(f"Filled {Case.objects.count():,} cases and {made:,} consents in {took}")
        analyse()
        actor = User.objects.get(username="coordinator.national")  # the whole country, import_export
        recipient = Agency.objects.get(name=recipient_name)
        out = workdir / "out"
        out.mkdir(exist_ok=True)
        say(f"Measuring {args.reps} repetitions each (seconds):")
        results = [
            timed("reference SELECT → CSV", args.reps, lambda: reference(out / "reference.csv")),
            timed(
                "HTCDS CSV export", args.reps, lambda: export(out / "htcds.csv", actor, recipient, disclosures=False)
            ),
            timed(
                "HTCDS CSV export + disclosures",
                args.reps,
                lambda: export(out / "htcds-d.csv", actor, recipient, disclosures=True),
            ),
            timed(
                "HTCDS JSON export",
                args.reps,
                lambda: export(out / "htcds.json", actor, recipient, disclosures=False, as_json=True),
            ),
        ]
        base = statistics.median(results[0][1])
        base_cpu = statistics.median(results[0][3])
        say()
        say(f"Machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; database {connection.vendor}")
        say(f"{'operation':<34} {'median s':>9} {'× reference':>12} {'CPU s':>8} {'CPU ×':>7}")
        for label, times, rows, cpu in results:
            median, median_cpu = statistics.median(times), statistics.median(cpu)
            say(
                f"{label:<34} {median:>9.2f} {median / base:>12.2f} {median_cpu:>8.2f} {median_cpu / base_cpu:>7.2f}"
                f"   ({rows:,} rows)"
            )
        sizes = {p.name: p.stat().st_size for p in sorted(out.iterdir())}
        say("Files: " + ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in sizes.items()))
    finally:
        connections.close_all()
        if args.keep:
            say(f"Kept: {url.split('@')[-1]} and {workdir}. Measure again with: --reuse --workdir {workdir}")
        else:
            if is_postgres:
                drop_postgres(url)
            if not args.workdir:
                shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
