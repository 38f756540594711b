"""National annual figures over a synthetic ten-year national data set, against plain SQL GROUP BY.

Fills its own database with victim cases (persons sealed through the real EncryptedTextField),
identification and return steps, criminal cases and suspects, spread over every current commune
of the 34 provinces over ten years (records before 01/07/2025 under the old commune, district or
province valid on their date). Then it times `haidang.statistics.query.run_query` for national
annual figures by province with the same period of the previous year, and in the same run a
plain SQL GROUP BY over the same tables giving the same current-year figures, and prints p50/p95
in milliseconds and each operation's ratio to its plain SQL.

    # SQLite (the embedded default), a throw-away file in a temporary directory:
    .venv/bin/python bench/stats_national.py --victims 50000 --criminal 5000

    # PostgreSQL; the database is created, and dropped at the end (its name must contain "bench"):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_stats \\
        .venv/bin/python bench/stats_national.py --victims 200000 --criminal 20000

Settings and keys are those of bench/cases_scale.py (development profile, keys generated into a
temporary HAIDANG_VAR_DIR). See bench/README.md.
"""

import argparse
import gc
import os
import random
import shutil
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.cases_scale import (  # noqa: E402  (the repository must be importable first)
    DESTINATIONS,
    FORMS,
    ROUTES,
    Progress,
    _duration,
    _pick,
    _weighted,
    analyse,
    configure_environment,
    drop_postgres,
    load_places,
    percentile,
    prepare_postgres,
    say,
)

FIRST_YEAR = 2017
LAST_YEAR = 2026
NEW_MAP = date(2025, 7, 1)
MORNING = clock(9, 0)
ROLES = ["recruiter", "recruiter", "broker", "transporter", "harbourer", "receiver", "other"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--victims", type=int, default=200_000, help="victim cases (default 200,000)")
    parser.add_argument("--criminal", type=int, default=20_000, help="criminal cases (default 20,000)")
    parser.add_argument("--year", type=int, default=2025, help="the year measured (compared with the one before)")
    parser.add_argument("--reps", type=int, default=20, help="timed repetitions of each operation (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed repetitions first (default 3)")
    parser.add_argument("--batch", type=int, default=10_000, help="rows per fill transaction (default 10,000)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed: same seed, same data")
    parser.add_argument("--keep", action="store_true", help="keep the database and the work directory")
    parser.add_argument("--reuse", action="store_true", help="measure a database kept by --keep (needs --workdir)")
    parser.add_argument("--recreate", action="store_true", help="drop an existing benchmark database first")
    parser.add_argument("--workdir", help="work directory (keys, SQLite file); default: a new temporary one")
    args = parser.parse_args(argv)
    if args.reuse and not args.workdir:
        parser.error("--reuse needs --workdir: the kept database only opens with the keys in that directory")
    return args


# --- Fill ----------------------------------------------------------------------------------------------


def _day(rng: random.Random) -> date:
    # More records in recent years, as in the case benchmark.
    year = rng.choices(range(FIRST_YEAR, LAST_YEAR + 1), weights=range(1, LAST_YEAR - FIRST_YEAR + 2))[0]
    last = date(year, 12, 31) if year < LAST_YEAR else date(LAST_YEAR, 10, 31)
    return date(year, 1, 1) + timedelta(days=rng.randint(0, (last - date(year, 1, 1)).days))


def _unit_on(rng: random.Random, places, commune: int, day: date, old_provinces: dict) -> int:
    """The unit valid on `day` for a record that belongs in today's `commune`."""
    if day >= NEW_MAP:
        return places.province_of[commune] if rng.random() < 0.05 else commune
    roll = rng.random()
    if roll < 0.05 and old_provinces.get(places.province_of[commune]):
        return rng.choice(old_provinces[places.province_of[commune]])
    if roll < 0.12 and places.old_districts_of.get(commune):
        return rng.choice(places.old_districts_of[commune])
    return rng.choice(places.old_communes_of.get(commune) or [commune])


def fill(args, places, creator, agency_of: dict) -> dict:
    from django.db import transaction
    from django.db.models import Max
    from django.utils import timezone

    from haidang.cases.models import Case, CaseEvent, Person
    from haidang.places.placing import fill_placement
    from haidang.proceedings.models import CriminalCase, Suspect

    rng = random.Random(args.seed)
    communes = places.communes
    routes = _weighted(ROUTES)
    forms = {route: _weighted(pairs) for route, pairs in FORMS.items()}
    # Codes of the official list: Kinh, Mông, Thái, Tày, Dao, not recorded.
    ethnicities = _weighted([("01", 80), ("08", 7), ("03", 4), ("02", 3), ("09", 2), ("", 4)])
    # Case numbers continue from the demonstration cases, as the intake counters would.
    sequences = {
        (row["province_id"], row["year"]): row["last"]
        for row in Case.objects.values("province_id", "year").annotate(last=Max("sequence"))
    }
    timings = {}

    say(f"Victim cases: {args.victims:,} (persons, cases, identification and return steps)")
    progress = Progress("victims", args.victims)
    made, persons_made = 0, []
    while made < args.victims:
        persons, cases, events = [], [], []
        for _ in range(min(args.batch, args.victims - made)):
            commune = rng.choice(communes)
            received = _day(rng)
            # About 5 % of cases are a second case of someone already recorded.
            if persons_made and rng.random() < 0.05:
                person_id = rng.choice(persons_made)
            else:
                sex = rng.choices(["female", "male", "unknown"], [72, 24, 4])[0]
                residence = commune if rng.random() < 0.7 else rng.choice(communes)
                person = Person(
                    id=uuid.UUID(int=rng.getrandbits(128), version=4),
                    full_name=f"Người tổng hợp {made}",
                    sex=sex,
                    birth_year=received.year - rng.randint(12, 45) if rng.random() < 0.95 else None,
                    ethnicity=_pick(rng, ethnicities),
                    residence_unit_id=residence if rng.random() < 0.9 else None,
                    created_by=creator,
                )
                persons.append(person)
                person_id = person.id
                if len(persons_made) < 50_000:
                    persons_made.append(person_id)
            province = places.province_of[commune]
            key = (province, received.year)
            sequences[key] = sequences.get(key, 0) + 1
            route = _pick(rng, routes)
            case = Case(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                number=f"{places.province_code[province]}-{received.year}-{sequences[key]:06d}",
                province_id=province,
                year=received.year,
                sequence=sequences[key],
                person_id=person_id,
                legal_regime="2024" if received >= NEW_MAP else "2011",
                intake_channel="rescue",
                reception_date=received,
                agency=agency_of[province],
                unit_id=_unit_on(rng, places, commune, received, places.old_provinces_of),
                exploitation_forms=list({_pick(rng, forms[route]) for _ in range(rng.choice([1, 1, 1, 2]))}),
                destination_country=rng.choice(DESTINATIONS[route]),
                route=route,
                status="closed",
                created_by=creator,
            )
            cases.append(case)
            if rng.random() < 0.7:
                identified = received + timedelta(days=rng.randint(2, 40))
                events.append(
                    CaseEvent(
                        case_id=case.id,
                        kind="transition",
                        to_status="identified",
                        event_date=identified,
                        recorded_at=timezone.make_aware(datetime.combine(identified, MORNING)),
                        data={"decision_date": identified.isoformat()},
                    )
                )
                if rng.random() < 0.5:
                    returned = identified + timedelta(days=rng.randint(5, 60))
                    events.append(
                        CaseEvent(
                            case_id=case.id,
                            kind="transition",
                            to_status="returned_home",
                            event_date=returned,
                            recorded_at=timezone.make_aware(datetime.combine(returned, MORNING)),
                        )
                    )
        with transaction.atomic():
            Person.objects.bulk_create(persons, batch_size=2000)
            Case.objects.bulk_create(cases, batch_size=2000)
            CaseEvent.objects.bulk_create(events, batch_size=5000)
            # Written in bulk (no save()): their stored placement, as a bulk import must fill it.
            fill_placement(Case.objects.filter(pk__in=[case.id for case in cases]))
        made += len(cases)
        progress.add(len(cases))
    timings["victims_s"] = progress.seconds

    say(f"Criminal cases: {args.criminal:,} with their suspects")
    progress = Progress("criminal cases", args.criminal)
    made = 0
    police = agency_of["police"]
    while made < args.criminal:
        batch, suspects = [], []
        for _ in range(min(args.batch, args.criminal - made)):
            commune = rng.choice(communes)
            detected = _day(rng)
            opened = detected + timedelta(days=rng.randint(5, 90)) if rng.random() < 0.85 else None
            route = _pick(rng, routes)
            criminal_case = CriminalCase(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                number=f"{made}/VA",
                year=detected.year,
                article="151" if rng.random() < 0.15 else "150",
                detected_on=detected,
                prosecution_opened_on=opened,
                investigating_agency=police,
                unit_id=_unit_on(rng, places, commune, detected, places.old_provinces_of),
                route=route,
                destination_country=rng.choice(DESTINATIONS[route]),
                exploitation_forms=[_pick(rng, forms[route])],
                created_by=creator,
            )
            batch.append(criminal_case)
            made += 1
            for _ in range(rng.choice([1, 1, 2, 2, 3, 4])):
                sex = "female" if rng.random() < 0.35 else "male"
                suspects.append(
                    Suspect(
                        criminal_case_id=criminal_case.id,
                        full_name="Đối tượng tổng hợp",
                        sex=sex,
                        age_band=rng.choices(["18_plus", "16_17", "unknown"], [90, 3, 7])[0],
                        nationality="CHN" if rng.random() < 0.1 else "VNM",
                        role=rng.choice(ROLES),
                        prosecuted_on=opened + timedelta(days=rng.randint(0, 20))
                        if opened and rng.random() < 0.9
                        else None,
                        created_by=creator,
                    )
                )
        with transaction.atomic():
            CriminalCase.objects.bulk_create(batch, batch_size=2000)
            Suspect.objects.bulk_create(suspects, batch_size=5000)
            fill_placement(CriminalCase.objects.filter(pk__in=[criminal_case.id for criminal_case in batch]))
        progress.add(len(batch))
    timings["criminal_s"] = progress.seconds
    return timings


def ensure_agencies(places) -> dict:
    from bench.cases_scale import ensure_agencies as receiving_agencies
    from haidang.access.models import Agency

    agencies = receiving_agencies(places)
    agencies["police"] = Agency.objects.get(name="Công an Thành phố Hà Nội")
    return agencies


# --- Measure -------------------------------------------------------------------------------------------


@dataclass
class Operation:
    label: str
    run: object  # run() -> rows, timed alone
    reference: str = ""  # label of the plain SQL it is compared with ("" for a plain SQL itself)
    stored: str = ""  # label of the plain SQL over the stored placement it is also compared with
    samples: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # this process's CPU ms (not the database server's)
    rows: int = 0
    queries: int = 0


def _plain(sql: str, params: list):
    from django.db import connection

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


# What run_query is timed on, against the plain SQL of the same name: (indicator, breakdowns).
EXPLOITATION = "victims_received × exploitation"
MEASURED = {
    "victims_received": ("victims_received", ()),
    "victims_identified": ("victims_identified", ()),
    "criminal_cases_detected": ("criminal_cases_detected", ()),
    "suspects_prosecuted": ("suspects_prosecuted", ("sex",)),
    EXPLOITATION: ("victims_received", ("exploitation",)),
}


# The province that holds a record today: its unit's placement, or the placement's parent commune-side.
PROVINCE_OF = "CASE WHEN pl.level = 1 THEN pl.id WHEN pl.level = 3 THEN pl.parent_id END"


def plain_queries(year: int) -> dict:
    """Hand-written SQL giving the same current-year figures by province as run_query."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    join = (
        "JOIN places_administrativeunit u ON u.id = {table}.unit_id "
        "JOIN places_administrativeunit pl ON pl.id = u.placement_id"
    )
    return {
        "victims_received": (
            f"SELECT {PROVINCE_OF} AS province, COUNT(DISTINCT c.person_id) FROM cases_case c "
            f"{join.format(table='c')} WHERE c.reception_date BETWEEN %s AND %s GROUP BY 1",
            [start, end],
        ),
        "victims_identified": (
            f"SELECT {PROVINCE_OF} AS province, COUNT(DISTINCT c.person_id) FROM cases_caseevent e "
            f"JOIN cases_case c ON c.id = e.case_id {join.format(table='c')} "
            "WHERE e.to_status = 'identified' AND {day} BETWEEN %s AND %s GROUP BY 1",
            [start.isoformat(), end.isoformat()],
        ),
        "criminal_cases_detected": (
            f"SELECT {PROVINCE_OF} AS province, COUNT(*) FROM proceedings_criminalcase k "
            f"{join.format(table='k')} WHERE k.detected_on BETWEEN %s AND %s GROUP BY 1",
            [start, end],
        ),
        "suspects_prosecuted": (
            f"SELECT {PROVINCE_OF} AS province, s.sex, COUNT(*) FROM proceedings_suspect s "
            f"JOIN proceedings_criminalcase k ON k.id = s.criminal_case_id {join.format(table='k')} "
            "WHERE s.prosecuted_on BETWEEN %s AND %s GROUP BY 1, 2",
            [start, end],
        ),
        # The same breakdown as run_query's (a person under each form on their case, "none" for an empty list).
        EXPLOITATION: (
            f"SELECT {PROVINCE_OF} AS province, COALESCE(f.value, 'none'), COUNT(DISTINCT c.person_id) "
            f"FROM cases_case c {join.format(table='c')} "
            "{forms} WHERE c.reception_date BETWEEN %s AND %s GROUP BY 1, 2",
            [start, end],
        ),
    }


def stored_queries(year: int) -> dict:
    """The same figures by province, grouped on the placement stored with each record (no map)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    return {
        "victims_received": (
            "SELECT c.placed_province_id, COUNT(DISTINCT c.person_id) FROM cases_case c "
            "WHERE c.reception_date BETWEEN %s AND %s GROUP BY 1",
            [start, end],
        ),
        "victims_identified": (
            "SELECT c.placed_province_id, COUNT(DISTINCT c.person_id) FROM cases_caseevent e "
            "JOIN cases_case c ON c.id = e.case_id WHERE e.to_status = 'identified' AND {day} BETWEEN %s AND %s "
            "GROUP BY 1",
            [start.isoformat(), end.isoformat()],
        ),
        "criminal_cases_detected": (
            "SELECT k.placed_province_id, COUNT(*) FROM proceedings_criminalcase k "
            "WHERE k.detected_on BETWEEN %s AND %s GROUP BY 1",
            [start, end],
        ),
        "suspects_prosecuted": (
            "SELECT k.placed_province_id, s.sex, COUNT(*) FROM proceedings_suspect s "
            "JOIN proceedings_criminalcase k ON k.id = s.criminal_case_id "
            "WHERE s.prosecuted_on BETWEEN %s AND %s GROUP BY 1, 2",
            [start, end],
        ),
        EXPLOITATION: (
            "SELECT c.placed_province_id, COALESCE(f.value, 'none'), COUNT(DISTINCT c.person_id) FROM cases_case c "
            "{forms} WHERE c.reception_date BETWEEN %s AND %s GROUP BY 1, 2",
            [start, end],
        ),
    }


def vendor_queries(year: int) -> tuple[dict, dict]:
    """`plain_queries` and `stored_queries` in the database's own words (a date in JSON, a list unnested)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        words = {
            "{day}": "(e.data ->> 'decision_date')",
            "{forms}": "LEFT JOIN LATERAL jsonb_array_elements_text(c.exploitation_forms) f(value) ON TRUE",
        }
    else:
        words = {
            "{day}": "json_extract(e.data, '$.decision_date')",
            "{forms}": "LEFT JOIN json_each(c.exploitation_forms) f",
        }
    translated = []
    for queries in (plain_queries(year), stored_queries(year)):
        for name, (sql, params) in queries.items():
            for word, text in words.items():
                sql = sql.replace(word, text)
            queries[name] = (sql, params)
        translated.append(queries)
    return translated[0], translated[1]


def release_operations(context: dict) -> list[Operation]:
    """Hook for the national quarterly release (statistics releases): operations to time in the same run.

    `context` holds the analyst user, the year measured and the `Operation` class. The measurement
    itself is `quarterly_release_operations` at the end of this file.
    """
    return quarterly_release_operations(context)


def build_operations(args) -> list[Operation]:
    from haidang.access.models import User
    from haidang.reporting.periods import parse
    from haidang.statistics.query import run_query

    period = parse(str(args.year))
    plain, stored = vendor_queries(args.year)

    def fresh_user():
        # A fresh user object each call, as a request would have: the scope is read every time.
        return User.objects.get(username="analyst")

    def national(indicator, breakdowns=()):
        def run():
            user = fresh_user()
            return run_query(user, indicator, period, None, 1, list(breakdowns)).rows

        return run

    operations = [Operation("SELECT 1", _plain("SELECT 1", []))]
    for name, (sql, params) in plain.items():
        label = f"plain SQL: {name}"
        operations.append(Operation(label, _plain(sql, params)))
        operations.append(Operation(f"{label}, stored placement", _plain(*stored[name])))
        indicator, breakdowns = MEASURED[name]
        by = "".join(f" × {code}" for code in breakdowns)
        operations.append(
            Operation(
                f"run_query: {indicator} by province{by}, vs {args.year - 1}",
                national(indicator, breakdowns),
                reference=label,
                stored=f"{label}, stored placement",
            )
        )
    operations.extend(release_operations({"year": args.year, "fresh_user": fresh_user, "Operation": Operation}))
    return operations


def measure(operations: list[Operation], reps: int, warmup: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for op in operations:  # one untimed pass: rows and statements
        with CaptureQueriesContext(connection) as queries:
            op.rows = len(op.run())
        op.queries = len(queries)
    gc.collect()
    gc.freeze()
    for rep in range(-warmup, reps):
        for op in operations:  # round robin, so drift hits every operation alike
            started, cpu = time.perf_counter(), time.process_time()
            op.run()
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            if rep >= 0:
                op.samples.append(elapsed * 1000)
                op.cpu.append(cpu * 1000)


def report(operations: list[Operation]) -> None:
    by_label = {op.label: op for op in operations}
    ref50 = statistics.median(by_label["SELECT 1"].samples)
    width = max(len(op.label) for op in operations)
    header = (
        f"| {'operation':<{width}} | {'n':>3} | {'p50 ms':>9} | {'p95 ms':>9} | {'p50 ×SQL':>8} | {'p95 ×SQL':>8} | "
        f"{'p50 ×stored':>11} | {'p50 ×ref':>9} | {'CPU p50 ms':>10} | {'queries':>7} | {'rows':>5} |"
    )
    say(header)
    say("|" + "|".join("-" * len(cell) for cell in header.split("|")[1:-1]) + "|")
    for op in operations:
        p50, p95 = statistics.median(op.samples), percentile(op.samples, 95)
        if op.reference:
            base = statistics.median(by_label[op.reference].samples)
            ratio50, ratio95 = f"{p50 / base:8.1f}", f"{p95 / base:8.1f}"
        else:
            ratio50 = ratio95 = f"{'':>8}"
        stored = f"{p50 / statistics.median(by_label[op.stored].samples):11.1f}" if op.stored else f"{'':>11}"
        say(
            f"| {op.label:<{width}} | {len(op.samples):>3} | {p50:>9,.2f} | {p95:>9,.2f} | {ratio50} | {ratio95} | "
            f"{stored} | {p50 / ref50:>9,.0f} | {statistics.median(op.cpu):>10,.1f} | {op.queries:>7} | {op.rows:>5} |"
        )


def check_equal(args) -> None:
    """The service and the plain SQL must give the same current-year figures (else the ratio means nothing)."""
    from django.db import connection

    from haidang.access.models import User
    from haidang.places.models import AdministrativeUnit
    from haidang.reporting.periods import parse
    from haidang.statistics.query import run_query

    analyst = User.objects.get(username="analyst")
    codes = dict(AdministrativeUnit.objects.filter(level=1, valid_to__isnull=True).values_list("pk", "code"))
    plain, stored = vendor_queries(args.year)
    for name, (indicator, breakdowns) in MEASURED.items():
        answers = []
        for sql, params in (plain[name], stored[name]):
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                answers.append(
                    {
                        (codes[pk], *(value or "unknown" for value in values)): n
                        for pk, *values, n in cursor.fetchall()
                        if pk in codes and n
                    }
                )
        result = run_query(analyst, indicator, parse(str(args.year)), None, 1, list(breakdowns), compare=False)
        got = {
            (row.unit_code, *(row.breakdown[code] for code in breakdowns)): row.value
            for row in result.rows
            if row.value and row.unit_code
        }
        status = "equal" if got == answers[0] == answers[1] else "DIFFERENT"
        say(
            f"  {name}: run_query, plain SQL through the map and plain SQL on the stored placement by province "
            f"are {status} ({len(got)} non-zero figures, total {result.total:,})"
        )


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
    from haidang.access.models import User
    from haidang.cases.models import Case

    say(f"Hải Đăng national statistics benchmark: {connection.vendor}, work directory {workdir}")
    try:
        if args.reuse:
            if not Case.objects.exists():
                sys.exit("--reuse: the database holds no cases; run without --reuse to fill it.")
        else:
            started = time.monotonic()
            call_command("migrate", verbosity=0, interactive=False)
            call_command("load_admin_map", verbosity=0)
            # The demo agencies and users only (the analyst measures): the figures are the synthetic ones below.
            seed_demo()
            say(f"Migrated, map and demo users loaded in {_duration(time.monotonic() - started)}")
            places = load_places()
            started = time.monotonic()
            timings = fill(args, places, User.objects.get(username="admin"), ensure_agencies(places))
            say(
                f"Filled in {_duration(time.monotonic() - started)} (victims {_duration(timings['victims_s'])}, "
                f"criminal cases {_duration(timings['criminal_s'])})"
            )
        analyse()
        check_equal(args)
        check_release_same(args)
        operations = build_operations(args)
        say(f"Measuring: {args.warmup} warm-up + {args.reps} timed repetitions of {len(operations)} operations")
        load_before = os.getloadavg()[0]
        started = time.monotonic()
        measure(operations, args.reps, args.warmup)
        say(
            f"Machine: {os.cpu_count()} CPUs; load average {load_before:.2f} before and {os.getloadavg()[0]:.2f} "
            f"after {_duration(time.monotonic() - started)} of measuring"
        )
        from django.db.models import Count

        from haidang.proceedings.models import CriminalCase, Suspect

        persons = Case.objects.aggregate(n=Count("person", distinct=True))["n"]
        say(
            f"Rows: {Case.objects.count():,} victim cases, {persons:,} "
            f"persons, {CriminalCase.objects.count():,} criminal cases, {Suspect.objects.count():,} suspects; "
            f"year measured {args.year} (compared with {args.year - 1})"
        )
        say()
        report(operations)
        say()
        say(
            "×SQL: ratio to the p50 (p95) of the plain SQL GROUP BY giving the same current-year figures (through "
            "the map);"
        )
        say("×stored: ratio to the p50 of the same plain SQL grouped on the placement stored with each record;")
        say("×ref: ratio to the p50 of SELECT 1; CPU: this process's CPU time (the database server's is not in it).")
        say("run_query also computes the previous year, the national total")
        say("(distinct persons), every province (zeros included) and reads the user's scope each call.")
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


# === National quarterly release (statistics releases, S2) ===========================================


def _release_spec(year: int):
    from haidang.reporting.periods import parse
    from haidang.statistics import services
    from haidang.statistics.models import Audience

    period = parse(f"{year}Q4")
    return period, services.check_spec(
        title="Bench: national quarterly release",
        audience=Audience.PUBLIC,
        indicators=["victims_received", "victims_identified", "suspects_prosecuted"],
        breakdowns=["sex", "origin"],
        period=period,
        unit=None,
        level=1,
    )


def _release_outcome(user, spec) -> tuple[dict, list]:
    """Create the release in a rolled-back transaction: (every cell's published value and reason, the
    audit's ranges as stored)."""
    from django.db import transaction

    from haidang.statistics import services

    with transaction.atomic():
        release = services.create_release(actor=user, spec=spec)
        cells = {
            (table.indicator, table.breakdown, cell): (table.cells["cells"][cell]["value"], detail["reason"])
            for table in release.tables.all()
            for cell, detail in table.internal.items()
        }
        ranges = release.audit_ranges
        transaction.set_rollback(True)
    if not release.audit.get("passed"):
        raise RuntimeError("the release did not pass its audit")
    return cells, ranges


def check_release_same(args) -> None:
    """The audit as it is and the plain audit (linprog per LP, nothing remembered between rounds,
    `disclosure.reference_method`) must choose the same cells and store the same ranges."""
    from haidang.access.models import User
    from haidang.statistics.disclosure import reference_method

    _period, spec = _release_spec(args.year)
    analyst = User.objects.get(username="analyst")
    started = time.perf_counter()
    fast = _release_outcome(analyst, spec)
    middle = time.perf_counter()
    with reference_method():
        plain = _release_outcome(analyst, spec)
    ended = time.perf_counter()
    hidden = sum(1 for value, _reason in fast[0].values() if value is None)
    status = "the same" if fast == plain else "DIFFERENT"
    say(
        f"  release: suppression pattern ({hidden} of {len(fast[0])} cells hidden) and {len(fast[1])} proven ranges "
        f"are {status} with the plain audit "
        f"({(middle - started) * 1000:,.0f} ms against {(ended - middle) * 1000:,.0f} ms)"
    )
    if fast != plain:
        raise SystemExit("the release differs from the plain audit's: the timings would compare different work")


def quarterly_release_operations(context: dict) -> list:
    """Time the whole release step for a national quarterly publication: the queries, primary and
    secondary suppression, the linear-programming audit against every release already out, rounding
    and storing the draft — in a transaction rolled back each time, so every repetition starts from
    the same published releases (none). The same with the plain audit (`reference_method`: what the
    audit did before it solved each system through one HiGHS model and remembered solved blocks)."""
    from haidang.statistics.disclosure import reference_method

    operation = context["Operation"]
    period, spec = _release_spec(context["year"])

    def run(plain: bool = False):
        if plain:
            with reference_method():
                cells, _ranges = _release_outcome(context["fresh_user"](), spec)
        else:
            cells, _ranges = _release_outcome(context["fresh_user"](), spec)
        hidden = sum(1 for value, _reason in cells.values() if value is None)
        return [hidden] * len(cells)  # rows: the cells of the release

    label = f"release: national {period.identifier}, 3 indicators × (sex, origin) by province, audited"
    return [
        operation(label, run, reference="plain SQL: victims_received"),
        operation(f"{label} (plain audit)", lambda: run(plain=True), reference="plain SQL: victims_received"),
    ]


if __name__ == "__main__":
    sys.exit(main())
