"""Victim cases at national scale: the worklist and person search against a trivial query.

Fills its own database with synthetic persons (sealed through the real EncryptedTextField, with
the real keyed name and document hashes) and cases spread over every current commune of the 34
provinces over ten years (cases before 01/07/2025 under the old unit valid on their date), then
times each operation N times in one run and prints p50/p95 in milliseconds and as ratios to the
p50 of `SELECT 1` on the same connection. Speed is judged by those ratios, never by a timed test.

    # SQLite (the embedded default), a throw-away file in a temporary directory:
    .venv/bin/python bench/cases_scale.py --persons 100000 --cases 30000

    # PostgreSQL (what production runs); the database is created, and dropped at the end:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/haidang_bench \\
        .venv/bin/python bench/cases_scale.py --persons 1000000 --cases 300000

The settings are the development profile with keys generated into a temporary HAIDANG_VAR_DIR:
never the developer's var/. `--keep` keeps the database and that directory; measure a kept
database again with `--reuse --workdir <the directory printed>`. See bench/README.md.
"""

import argparse
import gc
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _words(text: str, sep: str | None = None) -> list[str]:
    return text.split(sep)


# --- Synthetic names: clearly generated, Vietnamese-looking ------------------------------------------
# Family names with rough national weights (Nguyễn about 38 %), and some of the H'Mông and other
# northern-border family names, where trafficking to China concentrates.
SURNAMES = [
    ("Nguyễn", 380),
    ("Trần", 110),
    ("Lê", 95),
    ("Phạm", 70),
    ("Hoàng", 51),
    ("Huỳnh", 20),
    ("Phan", 45),
    ("Vũ", 39),
    ("Võ", 20),
    ("Đặng", 21),
    ("Bùi", 20),
    ("Đỗ", 14),
    ("Hồ", 13),
    ("Ngô", 13),
    ("Dương", 10),
    ("Lý", 5),
    ("Đinh", 6),
    ("Trịnh", 5),
    ("Đào", 5),
    ("Mai", 4),
    ("Lương", 4),
    ("Cao", 3),
    ("Tạ", 2),
    ("Hà", 4),
    ("Lò", 3),
    ("Sùng", 3),
    ("Giàng", 4),
    ("Vàng", 3),
    ("Thào", 3),
    ("Lầu", 2),
    ("Mùa", 2),
    ("Hầu", 2),
    ("Lục", 2),
    ("Nông", 3),
    ("Triệu", 2),
    ("Quàng", 2),
    ("Kiều", 1),
    ("Lâm", 2),
    ("Tô", 1),
]
MIDDLE_FEMALE = [
    ("Thị", 700),
    ("Ngọc", 50),
    ("Thu", 40),
    ("Thanh", 40),
    ("Minh", 20),
    ("Hồng", 30),
    ("Kim", 30),
    ("Bảo", 10),
    ("Phương", 20),
    ("Mỹ", 20),
    ("Diệu", 10),
    ("Khánh", 10),
]
MIDDLE_MALE = [
    ("Văn", 550),
    ("Đức", 60),
    ("Minh", 60),
    ("Quốc", 40),
    ("Hữu", 50),
    ("Công", 40),
    ("Xuân", 30),
    ("Ngọc", 20),
    ("Thành", 30),
    ("Anh", 20),
    ("A", 30),
    ("Seo", 20),
]
GIVEN_FEMALE = _words(
    "Hoa Lan Mai Hương Linh Trang Hà Thảo Nga Hằng Huyền Dung Phương Thủy Hạnh Yến Ngọc Nhung Vân "
    "Loan Anh Chi My Nhi Oanh Quỳnh Tuyết Xuân Hiền Liên Ly Thư Vy Giang Hoài Hồng Lệ Mơ Nguyệt Sen "
    "Tâm Thắm Thơm Trinh Uyên Diệp Duyên Gấm Lụa Mỷ Pằng Súa Dợ Chá Mỉ Sinh Tươi Hoà Ánh Ngân Quyên "
    "Trâm Thuỷ Hậu Lý"
)
GIVEN_MALE = _words(
    "Hùng Dũng Nam Minh Tuấn Long Hải Sơn Thắng Cường Đức Quang Trung Hiếu Khoa Phong Tùng Bình Hòa "
    "Lâm Vinh Tâm Huy Kiên Lợi Mạnh Nghĩa Phúc Quân Tài Thành Toàn Việt Vũ Sang Tú Lực Chính Chiến "
    "Sử Páo Sính Dình Chứ Pó Tủa Khải Lộc Hưng Hậu Đạt Trọng Thịnh"
)
NICKNAMES = _words("Bé Út Tí Tèo Mít Na Su Bống Cún Mai Lily Linda Anna Xiaomei")
STREETS = _words(
    "Lê Lợi|Trần Phú|Nguyễn Trãi|Hùng Vương|Quang Trung|Lý Thường Kiệt|Hai Bà Trưng|Điện Biên Phủ", sep="|"
)


def _weighted(pairs):
    values = [value for value, _weight in pairs]
    total, cumulative = 0, []
    for _value, weight in pairs:
        total += weight
        cumulative.append(total)
    return values, cumulative


def _pick(rng, table):
    values, cumulative = table
    return rng.choices(values, cum_weights=cumulative)[0]


# --- Case mix ------------------------------------------------------------------------------------------
# Status by the age of the case (days since reception): most old cases are closed; a few stay
# stuck in the early steps, which is what makes a worklist overdue.
STATUS_BY_AGE = [
    (
        14,
        [
            ("reported", 25),
            ("received", 25),
            ("initial_verification", 35),
            ("further_verification", 10),
            ("identified", 5),
        ],
    ),
    (
        120,
        [
            ("reported", 2),
            ("received", 3),
            ("initial_verification", 5),
            ("further_verification", 15),
            ("identified", 35),
            ("not_victim", 10),
            ("undetermined", 5),
            ("returned_home", 15),
            ("reintegration", 10),
        ],
    ),
    (
        365,
        [
            ("received", 0.5),
            ("initial_verification", 0.5),
            ("further_verification", 3),
            ("identified", 10),
            ("not_victim", 10),
            ("undetermined", 3),
            ("returned_home", 15),
            ("reintegration", 30),
            ("closed", 28),
        ],
    ),
    (
        10**6,
        [
            ("reported", 0.1),
            ("received", 0.1),
            ("initial_verification", 0.2),
            ("identified", 2),
            ("not_victim", 8),
            ("undetermined", 1),
            ("returned_home", 3),
            ("reintegration", 10),
            ("closed", 75.6),
        ],
    ),
]
WAITING = ("reported", "received", "initial_verification")
ROUTES = [("vn_cn", 40), ("vn_kh", 30), ("vn_la", 10), ("other", 8), ("domestic", 12)]
DESTINATIONS = {
    "vn_cn": ["CHN"],
    "vn_kh": ["KHM"],
    "vn_la": ["LAO"],
    "other": ["MMR", "THA", "MYS", "KOR", "JPN", "TWN", "GBR", "DEU"],
    "domestic": [""],
}
FORMS = {
    "vn_cn": [("forced_marriage", 50), ("sexual", 25), ("surrogacy", 5), ("forced_labour", 15), ("adoption", 5)],
    "vn_kh": [("forced_crime", 60), ("forced_labour", 25), ("sexual", 10), ("organ_removal", 5)],
    "vn_la": [("sexual", 40), ("forced_labour", 40), ("forced_marriage", 20)],
    "other": [("forced_labour", 50), ("sexual", 30), ("servitude", 20)],
    "domestic": [("sexual", 35), ("forced_labour", 30), ("forced_begging", 15), ("servitude", 10), ("other", 10)],
}
RECRUITMENT = {
    "vn_kh": [("online_job_offer", 60), ("social_network", 20), ("acquaintance", 10), ("broker", 5), ("unknown", 5)],
    None: [
        ("acquaintance", 35),
        ("social_network", 15),
        ("online_job_offer", 15),
        ("broker", 15),
        ("abduction", 8),
        ("other", 5),
        ("unknown", 7),
    ],
}
CHANNELS = {
    "vn_cn": [("border_handover", 50), ("rescue", 20), ("self_report", 15), ("hotline_tip", 10), ("transfer", 5)],
    "vn_la": [("border_handover", 40), ("rescue", 25), ("self_report", 15), ("hotline_tip", 15), ("transfer", 5)],
    "vn_kh": [
        ("mission_abroad", 45),
        ("border_handover", 20),
        ("rescue", 15),
        ("self_report", 10),
        ("hotline_tip", 10),
    ],
    "other": [("mission_abroad", 60), ("self_report", 20), ("hotline_tip", 15), ("transfer", 5)],
    "domestic": [("rescue", 35), ("self_report", 25), ("hotline_tip", 30), ("transfer", 9.5), ("foreign_victim", 0.5)],
}
LAW_2024_IN_FORCE = date(2025, 7, 1)


# --- Environment ---------------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000, help="synthetic persons (default 1,000,000)")
    parser.add_argument("--cases", type=int, default=300_000, help="synthetic cases (default 300,000)")
    parser.add_argument("--reps", type=int, default=50, help="timed repetitions of each operation (default 50)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed repetitions first (default 5)")
    parser.add_argument(
        "--budget",
        type=float,
        default=120,
        help="seconds per operation; a slower one gets fewer repetitions, at least 5 (default 120)",
    )
    parser.add_argument("--batch", type=int, default=10_000, help="rows per fill transaction (default 10,000)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed: same seed, same data")
    parser.add_argument("--keep", action="store_true", help="keep the database and the work directory")
    parser.add_argument("--reuse", action="store_true", help="measure a database kept by --keep (needs --workdir)")
    parser.add_argument("--recreate", action="store_true", help="drop an existing benchmark database first")
    parser.add_argument("--workdir", help="work directory (keys, SQLite file); default: a new temporary one")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN every operation's slowest query")
    parser.add_argument("--no-api", action="store_true", help="leave out the two /api/v1 requests")
    args = parser.parse_args(argv)
    if args.cases > args.persons:
        parser.error("--cases cannot exceed --persons (every case has its own person)")
    if args.reuse and not args.workdir:
        parser.error("--reuse needs --workdir: the kept database only opens with the keys in that directory")
    return args


def configure_environment(args) -> tuple[Path, str]:
    """Settings for a throw-away database with throw-away keys; returns (workdir, database url)."""
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="haidang-bench-"))
    var_dir = workdir / "var"
    # Never a developer's or a deployment's keys: only the ones generated below.
    for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY"):
        os.environ.pop(name, None)
        os.environ.pop(f"{name}_FILE", None)
    os.environ["HAIDANG_ENV"] = "development"
    os.environ["HAIDANG_VAR_DIR"] = str(var_dir)
    os.environ["DEBUG"] = "false"  # no query log kept in memory while filling
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    from haidang.common.keys import create_local_keys

    create_local_keys(var_dir / "local-keys.json")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DATABASE_URL"] = url
    return workdir, url


def _pg_admin(url: str):
    import dj_database_url
    import psycopg

    parsed = dj_database_url.parse(url)
    conninfo = psycopg.conninfo.make_conninfo(
        host=parsed.get("HOST") or None,
        port=parsed.get("PORT") or None,
        user=parsed.get("USER") or None,
        password=parsed.get("PASSWORD") or None,
        dbname="postgres",
    )
    return parsed["NAME"], psycopg.connect(conninfo, autocommit=True)


def prepare_postgres(url: str, args) -> None:
    from psycopg import sql

    name, admin = _pg_admin(url)
    if "bench" not in name:
        sys.exit(
            f"Refusing to use database {name!r}: this benchmark drops its database, so its name must "
            "contain 'bench' (e.g. haidang_bench)."
        )
    with admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        if exists and args.reuse:
            return
        if exists and not args.recreate:
            sys.exit(f"Database {name!r} exists. Use --reuse --workdir DIR to measure it again, or --recreate.")
        if exists:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        if args.reuse:
            sys.exit(f"--reuse: database {name!r} does not exist.")
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_postgres(url: str) -> None:
    from psycopg import sql

    name, admin = _pg_admin(url)
    with admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def say(message: str = "") -> None:
    print(message, flush=True)


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


class Progress:
    def __init__(self, label: str, total: int):
        self.label, self.total, self.started, self.done = label, total, time.monotonic(), 0

    def add(self, count: int) -> None:
        self.done += count
        elapsed = time.monotonic() - self.started
        rate = self.done / elapsed if elapsed else 0.0
        left = (self.total - self.done) / rate if rate else 0.0
        say(
            f"  {self.label}: {self.done:>9,}/{self.total:,} ({100 * self.done / self.total:5.1f} %), "
            f"{rate:,.0f}/s, elapsed {_duration(elapsed)}, left ~{_duration(left)}"
        )

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started


# --- Fill ----------------------------------------------------------------------------------------------


@dataclass
class Places:
    communes: list[int]  # current communes (all 34 provinces)
    placement_path: dict[int, str]  # every unit
    province_of: dict[int, int]  # unit id -> current province id (by placement)
    commune_of: dict[int, int]  # unit id -> current commune id, for a unit placed in a commune
    province_code: dict[int, str]
    old_communes_of: dict[int, list[int]]  # current commune -> old communes that went (partly) into it
    old_districts_of: dict[int, list[int]]  # current commune -> old districts that went (partly) into it
    old_provinces_of: dict[int, list[int]]  # current province -> old provinces merged into it
    stats: dict = field(default_factory=dict)


def load_places() -> Places:
    from haidang.places.models import AdministrativeUnit, UnitLevel, UnitSuccession

    rows = list(AdministrativeUnit.objects.values_list("id", "level", "valid_to", "placement_path", "code"))
    placement_path = {pk: path for pk, _level, _to, path, _code in rows}
    code = {pk: c for pk, _level, _to, _path, c in rows}
    province_of, commune_of = {}, {}
    for pk, path in placement_path.items():
        parts = path.strip("/").split("/")
        if len(parts) >= 2:  # placed at province level or below (not at the nation root)
            province_of[pk] = int(parts[1])
        if len(parts) >= 3:  # placed in a commune (today's map has two tiers)
            commune_of[pk] = int(parts[2])
    communes = sorted(pk for pk, level, valid_to, _p, _c in rows if level == UnitLevel.COMMUNE and valid_to is None)
    level_of = {pk: level for pk, level, _to, _p, _c in rows}
    old_communes_of, old_districts_of, old_provinces_of = defaultdict(list), defaultdict(list), defaultdict(list)
    for predecessor, successor in UnitSuccession.objects.values_list("predecessor_id", "successor_id"):
        if predecessor not in province_of:
            continue
        pred_level, succ_level = level_of[predecessor], level_of[successor]
        if succ_level == UnitLevel.COMMUNE and pred_level == UnitLevel.COMMUNE:
            old_communes_of[successor].append(predecessor)
        elif succ_level == UnitLevel.COMMUNE and pred_level == UnitLevel.DISTRICT:
            old_districts_of[successor].append(predecessor)
        elif succ_level == UnitLevel.PROVINCE and pred_level == UnitLevel.PROVINCE:
            old_provinces_of[successor].append(predecessor)
    provinces = {p for p in province_of.values()}
    return Places(
        communes=communes,
        placement_path=placement_path,
        province_of=province_of,
        commune_of=commune_of,
        province_code={p: code[p] for p in provinces},
        old_communes_of={k: sorted(v) for k, v in old_communes_of.items()},
        old_districts_of={k: sorted(v) for k, v in old_districts_of.items()},
        old_provinces_of={k: sorted(v) for k, v in old_provinces_of.items()},
        stats={"current_provinces": len(provinces), "current_communes": len(communes)},
    )


_SURNAMES = _weighted(SURNAMES)
_MIDDLE = {True: _weighted(MIDDLE_FEMALE), False: _weighted(MIDDLE_MALE)}


def _name(rng, sex: str) -> str:
    surname = rng.choices(_SURNAMES[0], cum_weights=_SURNAMES[1])[0]
    female = sex == "female" or (sex not in ("female", "male") and rng.random() < 0.7)
    given = GIVEN_FEMALE if female else GIVEN_MALE
    middles = _MIDDLE[female]
    words = [surname, rng.choices(middles[0], cum_weights=middles[1])[0]]
    if rng.random() < 0.25:
        words.append(rng.choice(given))  # a second middle name: "Nguyễn Thị Thu Hà"
    words.append(rng.choice(given))
    name = " ".join(words)
    return name.upper() if rng.random() < 0.04 else name  # some registers write names in capitals


def _document(rng, province_code: str, birth_year: int | None, sex: str) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.62:
        century = 0 if (birth_year or 1990) < 2000 else 2
        digit = century + (1 if sex == "female" else 0)
        year = (birth_year or 1990) % 100
        return "citizen_id", f"0{province_code[-2:]}{digit}{year:02d}{rng.randrange(10**6):06d}"
    if roll < 0.72:
        return "passport", f"{rng.choice('CBN')}{rng.randrange(10**7):07d}"
    if roll < 0.75:
        return "birth_certificate", f"{rng.randrange(1, 400)}/{rng.randrange(1995, 2020)}"
    return "", ""


def fill(args, places: Places, users: dict, agencies: dict) -> dict:
    """Insert persons and cases in batches through the ORM (so every sealed field is encrypted)."""
    from django.db import connection, transaction

    from haidang.cases.models import Case, CaseAccessGrant, CaseNumberCounter, Person
    from haidang.cases.services import document_key, name_key

    rng = random.Random(args.seed)
    today = date.today()
    timings = {}
    creator = users["caseworker.hanoi"]
    communes = places.communes
    province_codes = sorted(places.province_code.values())
    sexes, sex_weights = _weighted([("female", 72), ("male", 24), ("unknown", 4)])
    principals = []  # (person id, residence commune) of the persons who get a case
    principal_count = max(1, int(args.cases * 0.95))  # about 5 % of cases are a second case of someone

    # --- Persons ---
    say(f"Persons: {args.persons:,} in batches of {args.batch:,}")
    progress = Progress("persons", args.persons)
    made = 0
    while made < args.persons:
        batch = []
        for _ in range(min(args.batch, args.persons - made)):
            sex = rng.choices(sexes, cum_weights=sex_weights)[0]
            birth_year = rng.choices([None, rng.randint(1960, 1984), rng.randint(1985, 2012)], [5, 25, 70])[0]
            birth_date = None
            if birth_year and rng.random() < 0.7:
                birth_date = date(birth_year, rng.randint(1, 12), rng.randint(1, 28))
            residence = rng.choice(communes) if rng.random() < 0.9 else None
            home_code = places.province_code[places.province_of[residence]] if residence else rng.choice(province_codes)
            document_type, document_number = _document(rng, home_code, birth_year, sex)
            full_name = _name(rng, sex)
            nationality = rng.choices(["vn_citizen", "stateless_resident", "foreign"], [98, 1, 1])[0]
            person = Person(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                full_name=full_name,
                other_names=rng.choice(NICKNAMES) if rng.random() < 0.12 else "",
                name_key=name_key(full_name),
                sex=sex,
                birth_date=birth_date,
                birth_year=birth_year,
                # Codes of the official list: Kinh, Mông, Thái, Tày, Dao, Mường, Khơ-me.
                ethnicity=rng.choices(["01", "08", "03", "02", "09", "06", "05"], [80, 7, 4, 3, 2, 2, 2])[0],
                nationality_class=nationality,
                nationality_country=rng.choice(["LAO", "KHM", "CHN"]) if nationality == "foreign" else "",
                document_type=document_type,
                document_number=document_number,
                document_hash=document_key(document_number),
                residence_unit_id=residence,
                address=(
                    f"Số {rng.randint(1, 300)} đường {rng.choice(STREETS)} (tổng hợp)"
                    if rng.random() < 0.6
                    else f"Thôn {rng.randint(1, 20)} (tổng hợp)"
                ),
                contacts=f"09{rng.randrange(10**8):08d}" if rng.random() < 0.55 else "",
                languages="vi" if rng.random() < 0.9 else "vi, hmn",
                created_by=creator,
            )
            batch.append(person)
            if len(principals) < principal_count:
                principals.append((person.id, residence))
        with transaction.atomic():
            Person.objects.bulk_create(batch, batch_size=2000)
        made += len(batch)
        progress.add(len(batch))
    timings["persons_s"] = progress.seconds

    # --- Cases ---
    say(f"Cases: {args.cases:,} in batches of {args.batch:,}")
    statuses = [(limit, *_weighted(mix)) for limit, mix in STATUS_BY_AGE]
    route_values = _weighted(ROUTES)
    forms = {route: _weighted(mix) for route, mix in FORMS.items()}
    recruitment = {route: _weighted(mix) for route, mix in RECRUITMENT.items()}
    channels = {route: _weighted(mix) for route, mix in CHANNELS.items()}
    # Continue the numbering where the intake service left it (seed_demo records a few demo cases).
    counters = {(c.province_id, c.year): c for c in CaseNumberCounter.objects.all()}
    sequences: Counter = Counter({key: counter.last for key, counter in counters.items()})
    hanoi = next(p for p, c in places.province_code.items() if c == "01")
    haiphong = next(p for p, c in places.province_code.items() if c == "31")
    assignee = {hanoi: users["caseworker.hanoi"].pk, haiphong: users["caseworker.haiphong"].pk}
    stray_assignments = 0
    progress = Progress("cases", args.cases)
    made = 0
    while made < args.cases:
        batch = []
        for index in range(made, min(made + args.batch, args.cases)):
            person_id, residence = principals[index] if index < len(principals) else rng.choice(principals)
            age = int(3652 * rng.random() ** 1.1)  # ten years, more cases in recent years
            received = today - timedelta(days=age)
            commune = residence if residence and rng.random() < 0.7 else rng.choice(communes)
            roll = rng.random()
            if received >= LAW_2024_IN_FORCE:
                unit = places.province_of[commune] if roll < 0.05 else commune
            elif roll < 0.05:  # opened at province level under the old province
                province = places.province_of[commune]
                unit = rng.choice(places.old_provinces_of.get(province, [province]))
            elif roll < 0.12 and places.old_districts_of.get(commune):
                unit = rng.choice(places.old_districts_of[commune])
            else:
                unit = rng.choice(places.old_communes_of.get(commune) or [commune])
            province = places.province_of[unit]
            year = received.year
            sequences[(province, year)] += 1
            sequence = sequences[(province, year)]
            for limit, values, cumulative in statuses:
                if age <= limit:
                    status = rng.choices(values, cum_weights=cumulative)[0]
                    break
            notified_at = None
            if status not in ("reported", "received"):
                notified_at = datetime.combine(
                    received + timedelta(days=rng.choice([0, 0, 1, 2])), datetime.min.time(), tzinfo=UTC
                ) + timedelta(hours=rng.randint(1, 10))
            route = _pick(rng, route_values)
            destination = rng.choice(DESTINATIONS[route])
            channel = _pick(rng, channels[route])
            case_forms = sorted({_pick(rng, forms[route]) for _ in range(rng.choice([1, 1, 1, 2]))})
            assigned = None
            if status not in ("closed", "not_victim") and province in assignee and rng.random() < 0.4:
                assigned = assignee[province]
            elif province != hanoi and status in WAITING and rng.random() < 0.02:
                assigned = assignee[hanoi]  # handed to Hà Nội's case worker while a transfer is pending
                stray_assignments += 1
            batch.append(
                Case(
                    id=uuid.UUID(int=rng.getrandbits(128), version=4),
                    number=f"{places.province_code[province]}-{year}-{sequence:06d}",
                    province_id=province,
                    year=year,
                    sequence=sequence,
                    person_id=person_id,
                    legal_regime="2024" if received >= LAW_2024_IN_FORCE else "2011",
                    intake_channel=channel,
                    reception_date=received,
                    notified_at=notified_at,
                    agency=agencies[province],
                    unit_id=unit,
                    # What Case.save (places.placing) stores, which bulk_create skips: scopes read it.
                    placed_province_id=places.province_of.get(unit),
                    placed_commune_id=places.commune_of.get(unit),
                    found_abroad=route != "domestic" and channel in ("border_handover", "mission_abroad", "rescue"),
                    found_country=destination if channel in ("border_handover", "mission_abroad") else "",
                    exploitation_forms=case_forms,
                    destination_country=destination,
                    route=route,
                    recruitment_method=_pick(rng, recruitment.get(route, recruitment[None])),
                    criminal_proceeding_number=(f"{rng.randint(1, 400)}/{year}/QĐ-CQĐT" if rng.random() < 0.3 else ""),
                    status=status,
                    assigned_to_id=assigned,
                    created_by=creator,
                )
            )
        with transaction.atomic():
            Case.objects.bulk_create(batch, batch_size=2000)
        made += len(batch)
        progress.add(len(batch))
    timings["cases_s"] = progress.seconds

    # Case number counters as the intake service would have left them, and a few break-the-glass
    # grants (half of them expired) so that the scope's widening subquery has rows to look at.
    with transaction.atomic():
        for key, counter in counters.items():
            if sequences[key] != counter.last:
                CaseNumberCounter.objects.filter(pk=counter.pk).update(last=sequences[key])
        CaseNumberCounter.objects.bulk_create(
            [
                CaseNumberCounter(province_id=p, year=y, last=n)
                for (p, y), n in sequences.items()
                if (p, y) not in counters
            ],
            batch_size=2000,
        )
        others = list(Case.objects.exclude(province_id=hanoi).order_by("number").values_list("pk", flat=True)[:2000])
        now = datetime.now(tz=UTC)
        CaseAccessGrant.objects.bulk_create(
            [
                CaseAccessGrant(
                    case_id=pk,
                    user=users["caseworker.hanoi"],
                    reason="Kiểm tra trùng hồ sơ (tổng hợp)",
                    expires_at=now + timedelta(hours=8 if i % 2 else -8),
                )
                for i, pk in enumerate(rng.sample(others, min(20, len(others))))
            ]
        )
    say(f"  {stray_assignments:,} cases outside Hà Nội assigned to caseworker.hanoi; 20 break-the-glass grants")
    if connection.vendor == "postgresql":
        connection.ensure_connection()
    return timings


def ensure_agencies(places: Places) -> dict[int, object]:
    """One receiving agency per current province: the demo ones where they exist, else synthetic."""
    from haidang.access import services
    from haidang.access.models import Agency, AgencyType
    from haidang.places.models import AdministrativeUnit

    agencies = {}
    for province in AdministrativeUnit.objects.filter(pk__in=set(places.province_of.values())):
        agency = (
            Agency.objects.filter(unit=province, agency_type=AgencyType.DEPARTMENT_OF_HEALTH).order_by("name").first()
        )
        if agency is None:
            agency = services.create_agency(
                actor=None,
                name=f"Sở Y tế {province.name} (minh họa)",
                agency_type=AgencyType.DEPARTMENT_OF_HEALTH,
                unit=province,
            )
        agencies[province.pk] = agency
    return agencies


# --- Measure -------------------------------------------------------------------------------------------


@dataclass
class Operation:
    label: str
    prepare: object  # prepare(rep) -> a callable timed alone (untimed set-up happens in prepare)
    reference: bool = False
    samples: list[float] = field(default_factory=list)
    rows: str = ""
    queries: int = 0
    decrypts: int = 0
    slowest_sql: str = ""
    slowest_ms: float = 0.0
    first_ms: float = 0.0  # the untimed diagnostic call
    cap: int = 0  # timed repetitions that fit the time budget


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))  # nearest rank
    return ordered[rank - 1]


def build_operations(args, rng: random.Random) -> tuple[list[Operation], dict]:
    from django.core.paginator import Paginator
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from haidang.access.models import User
    from haidang.access.services import issue_api_token
    from haidang.cases import selectors
    from haidang.cases.models import Case, Person

    worker_id = User.objects.get(username="caseworker.hanoi").pk
    commune_id = User.objects.get(username="commune.hanoi.a").pk

    def fresh(pk):
        # A new user object per request, as in a real request: the scope is computed once per user object.
        return User.objects.get(pk=pk)

    facts = {}

    def scoped_people(user_pk):
        user = fresh(user_pk)
        ids = sorted(set(selectors.cases_visible_to(user).values_list("person_id", flat=True)), key=str)
        return user, ids

    worker, worker_people = scoped_people(worker_id)
    commune, commune_people = scoped_people(commune_id)
    facts["cases visible to caseworker.hanoi"] = selectors.cases_visible_to(worker).count()
    facts["cases visible to commune.hanoi.a"] = selectors.cases_visible_to(commune).count()
    facts["waiting (worklist) for caseworker.hanoi"] = (
        selectors.cases_visible_to(worker).filter(status__in=WAITING).count()
    )
    facts["waiting (worklist) for commune.hanoi.a"] = (
        selectors.cases_visible_to(commune).filter(status__in=WAITING).count()
    )

    def sample_people(ids, count, with_document=False):
        chosen = rng.sample(ids, min(len(ids), 400))
        people = Person.objects.filter(pk__in=chosen)
        if with_document:
            people = people.exclude(document_hash="")
        return sorted(people, key=lambda p: str(p.pk))[:count]

    # An empty value makes the search return at once: only a database too small to have one.
    names = [p.full_name for p in sample_people(worker_people, args.reps)] or [""]
    documents = [p.document_number for p in sample_people(worker_people, args.reps, with_document=True)] or [""]
    commune_names = [p.full_name for p in sample_people(commune_people, args.reps)] or [""]
    common = (
        Person.objects.filter(pk__in=selectors.cases_visible_to(worker).values("person_id"))
        .values("name_key")
        .annotate(n=Count("id"))
        .order_by("-n", "name_key")
        .first()
    )
    common = common or {"name_key": "", "n": 0}
    same_name = Person.objects.filter(name_key=common["name_key"]) if common["name_key"] else Person.objects.none()
    common_name = same_name.first().full_name if common["name_key"] else ""
    facts["persons with the most common name (whole table)"] = same_name.count()
    facts["persons with the most common name in Hà Nội's cases"] = common["n"]
    case_ids = list(Case.objects.order_by("number").values_list("pk", flat=True)[:: max(1, args.cases // 500)])
    case_ids = rng.sample(case_ids, min(len(case_ids), args.reps))

    # Every prepare() ends with a small query (the user, as a request's authentication would), so
    # every timed call, the references included, starts on a connection that has just been used.
    def select_one(rep):
        fresh(worker_id)

        def run():
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                return cursor.fetchone()

        return run

    def case_by_pk(rep):
        pk = case_ids[rep % len(case_ids)]
        fresh(worker_id)
        return lambda: Case.objects.get(pk=pk)

    def worklist_of(user_pk):
        # The worklist is read lazily (sorted and paged in SQL): time what a page reads, the first
        # 50 items, the count of all waiting cases and the count of those overdue.
        def prepare(rep):
            user = fresh(user_pk)

            def run():
                items = selectors.worklist(user)
                page = Paginator(items, 50).get_page(1)
                items.overdue_count()
                return (page.paginator.count, list(page.object_list))

            return run

        return prepare

    def first_page_of(user_pk):
        def prepare(rep):
            user = fresh(user_pk)

            def run():
                page = Paginator(selectors.cases_visible_to(user), 50).get_page(1)
                return (page.paginator.count, list(page.object_list))

            return run

        return prepare

    def search(user_pk, values, kind):
        def prepare(rep):
            user, value = fresh(user_pk), values[rep % len(values)]
            if kind == "document":
                return lambda: selectors.duplicate_candidates(user, full_name="", document_number=value)
            return lambda: selectors.duplicate_candidates(user, full_name=value)

        return prepare

    operations = [
        Operation("SELECT 1 (reference)", select_one, reference=True),
        Operation("case by primary key", case_by_pk),
        Operation("worklist page 1 (50) + counts: case worker", worklist_of(worker_id)),
        Operation("worklist page 1 (50) + counts: commune officer", worklist_of(commune_id)),
        Operation("case list page 1 (50) + count: case worker", first_page_of(worker_id)),
        Operation("case list page 1 (50) + count: commune officer", first_page_of(commune_id)),
        Operation("person search, name of a person in scope", search(worker_id, names, "name")),
        Operation("person search, the most common name", search(worker_id, [common_name], "name")),
        Operation("person search, document number", search(worker_id, documents, "document")),
        Operation("person search, name: commune officer", search(commune_id, commune_names, "name")),
    ]
    if not args.no_api:
        client = Client()
        token = issue_api_token(user=fresh(worker_id))[0]
        headers = {"Authorization": f"Bearer {token}"}

        def api(path, params):
            def prepare(rep):
                data = params(rep)
                fresh(worker_id)

                def run():
                    response = client.get(path, data, headers=headers)
                    if response.status_code != 200:
                        raise RuntimeError(f"{path} answered {response.status_code}: {response.content[:200]!r}")
                    return response

                return run

            return prepare

        operations += [
            Operation("API GET /api/v1/cases/worklist (case worker)", api("/api/v1/cases/worklist", lambda rep: {})),
            Operation(
                "API GET /api/v1/persons/search?q= (case worker)",
                api("/api/v1/persons/search", lambda rep: {"q": names[rep % len(names)]}),
            ),
            Operation(
                "API GET /api/v1/persons/search, the most common name",
                api("/api/v1/persons/search", lambda rep: {"q": common_name}),
            ),
        ]
    return operations, facts


def describe(result) -> str:
    if isinstance(result, list):
        return f"{len(result)}"
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], list):
        return f"{len(result[1])} of {result[0]:,}"
    if hasattr(result, "status_code"):
        import json

        body = json.loads(result.content)
        return f"{len(body.get('items', []))} of {body.get('count', '?')}"
    return "1"


def diagnose(operations: list[Operation]) -> None:
    """One untimed pass per operation: queries, decryptions, rows, and its slowest SQL statement."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from haidang.common import crypto

    original = crypto.open_sealed
    counter = Counter()

    def counting(stored, *, context):
        counter["n"] += 1
        return original(stored, context=context)

    crypto.open_sealed = counting
    try:
        for op in operations:
            counter.clear()
            run = op.prepare(0)
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                result = run()
            op.first_ms = (time.perf_counter() - started) * 1000
            op.rows, op.queries, op.decrypts = describe(result), len(captured.captured_queries), counter["n"]
            statements = [q for q in captured.captured_queries if q["sql"]]
            if statements:
                slowest = max(statements, key=lambda q: float(q["time"]))
                op.slowest_sql, op.slowest_ms = slowest["sql"], float(slowest["time"]) * 1000
    finally:
        crypto.open_sealed = original


MIN_REPS = 5


def measure(operations: list[Operation], reps: int, warmup: int, budget_s: float) -> None:
    """Time every operation `reps` times, round robin, so that drift hits all of them alike.

    An operation whose diagnostic call shows that `warmup + reps` calls would not fit in `budget_s`
    gets fewer repetitions (at least MIN_REPS) and no further warm-up; the table shows n.
    """
    for op in operations:
        fits = op.first_ms / 1000 * (warmup + reps) <= budget_s
        op.cap = reps if fits else max(MIN_REPS, min(reps, int(budget_s / (op.first_ms / 1000))))
    # The objects made so far are frozen out of the collector, so a collection inside a timed call
    # stays short (a full collection of the set-up's objects took about 100 ms).
    gc.collect()
    gc.freeze()
    for rep in range(-warmup, reps):
        for op in operations:
            if (rep < 0 and op.cap < reps) or rep >= op.cap:
                continue
            run = op.prepare(rep % reps)
            started = time.perf_counter()
            run()
            elapsed = time.perf_counter() - started
            if rep >= 0:
                op.samples.append(elapsed * 1000)


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
        rows = cursor.fetchall()
    if connection.vendor == "postgresql":
        return "\n".join(row[0] for row in rows)
    return "\n".join(" | ".join(str(col) for col in row) for row in rows)


def database_facts() -> dict:
    from django.db import connection
    from django.db.models import Count

    from haidang.cases.models import Case, Person

    facts = {"vendor": connection.vendor}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version()")
            facts["version"] = cursor.fetchone()[0].split(" on ")[0]
            cursor.execute(
                "SELECT name, setting, unit FROM pg_settings WHERE name IN "
                "('shared_buffers', 'work_mem', 'effective_cache_size', 'random_page_cost', 'jit')"
            )
            facts["settings"] = ", ".join(f"{n}={s}{u or ''}" for n, s, u in cursor.fetchall())
            cursor.execute(
                "SELECT pg_size_pretty(pg_total_relation_size('cases_person')), "
                "pg_size_pretty(pg_total_relation_size('cases_case')), "
                "pg_size_pretty(pg_database_size(current_database()))"
            )
            person_size, case_size, db_size = cursor.fetchone()
            facts["sizes"] = f"cases_person {person_size}, cases_case {case_size}, database {db_size}"
        else:
            import sqlite3

            facts["version"] = f"SQLite {sqlite3.sqlite_version}"
            facts["sizes"] = f"database file {Path(connection.settings_dict['NAME']).stat().st_size / 2**20:,.0f} MB"
    facts["persons"] = Person.objects.count()
    facts["cases"] = Case.objects.count()
    facts["status mix"] = ", ".join(
        f"{row['status']} {row['n']:,}"
        for row in Case.objects.order_by().values("status").annotate(n=Count("id")).order_by("-n")
    )
    return facts


def analyse() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        # VACUUM also sets the visibility map, as autovacuum would on a database in service.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def report(operations: list[Operation]) -> Operation:
    reference = next(op for op in operations if op.reference)
    pk_lookup = next(op for op in operations if op.label == "case by primary key")
    ref50 = statistics.median(reference.samples)
    pk50 = statistics.median(pk_lookup.samples)
    say()
    say(f"Reference: SELECT 1 p50 = {ref50:.3f} ms; case by primary key p50 = {pk50:.3f} ms")
    say()
    width = max(len(op.label) for op in operations)
    header = (
        f"| {'operation':<{width}} | {'n':>3} | {'p50 ms':>9} | {'p95 ms':>9} | {'p50 ×ref':>9} | {'p95 ×ref':>9} | "
        f"{'p50 ×pk':>8} | {'queries':>7} | {'decrypts':>8} | {'rows':<14} |"
    )
    say(header)
    say("|" + "|".join("-" * (len(cell)) for cell in header.split("|")[1:-1]) + "|")
    for op in operations:
        p50, p95 = statistics.median(op.samples), percentile(op.samples, 95)
        say(
            f"| {op.label:<{width}} | {len(op.samples):>3} | {p50:>9,.2f} | {p95:>9,.2f} | {p50 / ref50:>9,.0f} | "
            f"{p95 / ref50:>9,.0f} | {p50 / pk50:>8,.1f} | {op.queries:>7} | {op.decrypts:>8} | {op.rows:<14} |"
        )
    measured = [op for op in operations if not op.reference and op is not pk_lookup]
    return max(measured, key=lambda op: statistics.median(op.samples))


def main(argv=None) -> int:
    args = parse_args(argv)
    workdir, url = configure_environment(args)
    is_postgres = url.startswith(("postgres://", "postgresql://"))
    if is_postgres:
        try:
            prepare_postgres(url, args)
        except SystemExit:
            if not args.workdir:
                shutil.rmtree(workdir, ignore_errors=True)
            raise
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from haidang.access.models import User
    from haidang.cases.models import Person

    say(f"Hải Đăng cases benchmark: {connection.vendor}, work directory {workdir}")
    timings = {}
    try:
        if args.reuse:
            if not Person.objects.exists():
                sys.exit("--reuse: the database holds no persons; run without --reuse to fill it.")
        else:
            started = time.monotonic()
            call_command("migrate", verbosity=0, interactive=False)
            call_command("load_admin_map", verbosity=0)
            call_command("seed_demo", verbosity=0)
            timings["setup_s"] = time.monotonic() - started
            say(f"Migrated, map and demo users loaded in {_duration(timings['setup_s'])}")
            places = load_places()
            say(
                f"Map: {places.stats['current_provinces']} provinces, {places.stats['current_communes']:,} current "
                "communes; cases before 01/07/2025 go under the old commune, district or province of that date"
            )
            users = {u.username: u for u in User.objects.all()}
            agencies = ensure_agencies(places)
            started = time.monotonic()
            timings.update(fill(args, places, users, agencies))
            timings["fill_s"] = time.monotonic() - started
            say(
                f"Filled in {_duration(timings['fill_s'])} (persons {_duration(timings['persons_s'])}, "
                f"cases {_duration(timings['cases_s'])})"
            )
        started = time.monotonic()
        analyse()
        say(
            f"{'VACUUM ANALYZE' if connection.vendor == 'postgresql' else 'ANALYZE'} in "
            f"{_duration(time.monotonic() - started)}"
        )

        facts = database_facts()
        rng = random.Random(args.seed + 1)
        operations, scope_facts = build_operations(args, rng)
        diagnose(operations)
        say(f"Measuring: {args.warmup} warm-up + {args.reps} timed repetitions of {len(operations)} operations")
        load_before = os.getloadavg()[0]
        started = time.monotonic()
        measure(operations, args.reps, args.warmup, args.budget)
        measured_s, load_after = time.monotonic() - started, os.getloadavg()[0]

        say()
        busy = max(load_before, load_after) > (os.cpu_count() or 1)
        say(
            f"Machine: {os.cpu_count()} CPUs; load average {load_before:.2f} before and {load_after:.2f} after "
            f"{_duration(measured_s)} of measuring" + ("; other work competed with the measurement" if busy else "")
        )
        say(f"Database: {facts['version']} ({facts['vendor']}); {facts['sizes']}")
        if "settings" in facts:
            say(f"Server settings: {facts['settings']}")
        say(f"Rows: {facts['persons']:,} persons, {facts['cases']:,} cases")
        say(f"Status mix: {facts['status mix']}")
        for name, value in scope_facts.items():
            say(f"  {name}: {value:,}")
        if timings.get("fill_s"):
            say(
                f"Fill: {_duration(timings['fill_s'])} ({facts['persons'] / timings['persons_s']:,.0f} persons/s, "
                f"{facts['cases'] / timings['cases_s']:,.0f} cases/s)"
            )
        slowest = report(operations)
        say()
        say("n: timed repetitions (fewer than --reps when they would not fit in --budget seconds);")
        say("queries/decrypts: SQL statements and sealed values opened by one call (an untimed pass);")
        say("×ref: ratio to the p50 of SELECT 1; ×pk: ratio to the p50 of one case read by primary key.")
        shown = [op for op in operations if not op.reference] if args.explain else [slowest]
        for op in shown:
            if not op.slowest_sql:
                continue
            say()
            say(f"Slowest statement of “{op.label}” ({op.slowest_ms:.1f} ms in the untimed pass):")
            say(op.slowest_sql)
            say(explain(op.slowest_sql))
    finally:
        connections.close_all()
        if args.keep:
            say()
            say(f"Kept: {url.split('@')[-1]} and {workdir}. Measure again with: --reuse --workdir {workdir}")
        else:
            if is_postgres:
                drop_postgres(url)
            if not args.workdir:
                shutil.rmtree(workdir, ignore_errors=True)
            elif not is_postgres:
                for suffix in ("", "-wal", "-shm"):
                    (workdir / f"bench.sqlite3{suffix}").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
