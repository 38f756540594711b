"""Where one request's time goes: statements and a pyinstrument profile of each hot endpoint.

Runs in-process against a database set up before (by `bench/load.py --keep` or
`bench/cases_scale.py --keep`), as the case worker, through Django's test client (the whole
middleware stack, no network). Prints, per endpoint, the statements one request runs and, with
`--profile`, pyinstrument's call tree of N requests.

    .venv/bin/python bench/profile_requests.py --workdir /tmp/haidang-load-XXXX [--profile] [--sql]

SQL_CHARS=5000 prints more of each statement with --sql; PROFILE_ALL=1 shows the frames pyinstrument
hides (Django's own) with --profile; PROFILE_SORT and PROFILE_LINES shape --cprofile's table,
PROFILE_CALLERS=text lists the callers of the functions matching it.
"""

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--user", default="caseworker.hanoi")
    parser.add_argument("--profile", action="store_true", help="print pyinstrument's call tree")
    parser.add_argument("--sql", action="store_true", help="print every statement of one request")
    parser.add_argument("--cprofile", action="store_true", help="cProfile on process CPU time (a busy machine)")
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--only", default="")
    parser.add_argument("--dump", default="", help="write each answer's body to DIR/<endpoint> (compare two commits)")
    args = parser.parse_args(argv)
    os.environ.update(
        {
            "HAIDANG_ENV": "development",
            "HAIDANG_VAR_DIR": str(Path(args.workdir) / "var"),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "false",
        }
    )
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{Path(args.workdir) / 'var' / 'haidang.sqlite3'}")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from haidang.access.models import User
    from haidang.cases import selectors

    settings.ALLOWED_HOSTS = ["*"]
    user = User.objects.get(username=args.user)
    client = Client()
    client.force_login(user)
    session = client.session
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session["otp_device_id"] = device.persistent_id
        session.save()
    token_client = Client()
    from haidang.access.services import issue_api_token

    raw, _token = issue_api_token(user=user)
    term = (
        selectors.cases_visible_to(user)
        .select_related("person")
        .order_by("-reception_date", "-created_at", "-id")
        .first()
        .person.full_name
    )
    from urllib.parse import urlencode

    bearer = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    paths = {
        "worklist_api": (token_client, "/api/v1/cases/worklist", bearer),
        "cases_api": (token_client, "/api/v1/cases", bearer),
        # The same list with one row: what the page costs apart from its rows.
        "cases_api_one": (token_client, "/api/v1/cases?page_size=1", bearer),
        "search_api": (token_client, "/api/v1/persons/search?" + urlencode({"q": term}), bearer),
        "worklist_html": (client, "/cases/", {}),
        "me_api": (token_client, "/api/v1/me", bearer),
        "healthz": (client, "/healthz", {}),
    }
    chosen = {key for key in args.only.split(",") if key}
    for key, (who, path, extra) in paths.items():
        if chosen and key not in chosen:
            continue
        who.get(path, **extra)  # warm
        queries = []

        def record(execute, sql, params, many, context, queries=queries):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                queries.append({"sql": sql, "time": f"{time.perf_counter() - started:.4f}"})

        with connection.execute_wrapper(record):
            response = who.get(path, **extra)
        assert response.status_code == 200, (key, response.status_code)
        if args.dump:
            Path(args.dump).mkdir(parents=True, exist_ok=True)
            (Path(args.dump) / key).write_bytes(response.content)
        started, cpu = time.perf_counter(), time.process_time()
        for _ in range(args.reps):
            who.get(path, **extra)
        per = (time.perf_counter() - started) / args.reps
        per_cpu = (time.process_time() - cpu) / args.reps
        print(
            f"{key}: {len(queries)} statements, {1000 * per:.1f} ms per request, {1000 * per_cpu:.1f} ms of this "
            f"process's CPU (in-process, {connection.vendor})"
        )
        if args.sql:
            for query in queries:
                print(f"    {query['time']}s  {query['sql'][: int(os.environ.get('SQL_CHARS', 300))]}")
        if args.cprofile:
            import cProfile
            import pstats

            profile = cProfile.Profile(time.process_time)
            profile.enable()
            for _ in range(args.reps):
                who.get(path, **extra)
            profile.disable()
            # PROFILE_SORT=tottime and PROFILE_LINES=200 show where the time is spent inside a function.
            order, lines = os.environ.get("PROFILE_SORT", "cumulative"), int(os.environ.get("PROFILE_LINES", "45"))
            stats = pstats.Stats(profile).sort_stats(order)
            stats.print_stats(lines)
            if os.environ.get("PROFILE_CALLERS"):  # who calls the functions matching this text
                stats.print_callers(os.environ["PROFILE_CALLERS"])
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
            for _ in range(args.reps):
                who.get(path, **extra)
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=bool(os.environ.get("PROFILE_ALL"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
