"""While the database is down, the server says so: 503 in the API's error shape, a 503 page, /readyz
naming the database; and every request still gets its JSON log line, without names or query strings."""

import json

import pytest

from haidang.operations.tests.installation import free_port, get, installation, session_postgres_url


@pytest.fixture(scope="module")
def down_server(tmp_path_factory):
    with installation(tmp_path_factory.mktemp("outage"), purpose="outage", migrate=False, postgres=False) as inst:
        if session_postgres_url():
            # A PostgreSQL server that is not there: nothing listens on this port.
            unreachable = f"postgres://postgres@127.0.0.1:{free_port()}/ops_nowhere"
        else:
            unreachable = f"sqlite:///{inst.var_dir}/no-such-folder/haidang.sqlite3"
        url = inst.start_server(env={"DATABASE_URL": unreachable, "DB_CONN_MAX_AGE": "0"})
        yield url, inst


def test_the_api_answers_503_in_its_error_shape(down_server):
    url, _ = down_server
    for path in ("/api/v1/cases?q=Nguy%E1%BB%85n", "/api/v1/me"):
        status, headers, body = get(
            url + path, headers={"Authorization": "Bearer hd_anything", "Accept-Language": "en"}
        )
        assert status == 503, body[:300]
        assert headers["Content-Type"].startswith("application/json")
        assert headers["Retry-After"] == "30"
        assert json.loads(body) == {
            "error": {
                "code": "unavailable",
                "message": "The service is unavailable for a moment. Try again shortly.",
                "fields": {},
            }
        }


def test_pages_answer_a_503_page_and_readiness_names_the_database(down_server):
    url, _ = down_server
    status, headers, body = get(url + "/cases/", headers={"Cookie": "sessionid=" + "a1" * 16})
    assert status == 503
    assert headers["Content-Type"].startswith("text/html")
    assert "Temporarily unavailable" in body.decode()
    status, _, body = get(url + "/readyz")
    assert status == 503
    assert json.loads(body)["failing"] == ["database"]
    assert get(url + "/healthz")[0] == 503


def test_every_request_has_one_json_log_line_without_names_or_query_strings(down_server):
    url, inst = down_server
    get(url + "/api/v1/cases?q=Nguy%E1%BB%85n", headers={"Authorization": "Bearer hd_anything"})
    log = (inst.var_dir / "server.log").read_text()
    lines = [json.loads(line) for line in log.splitlines() if line.startswith('{"time"')]
    requests = [line for line in lines if line.get("event") == "request" and line["route"] == "/api/v1/cases"]
    assert requests, log[-2000:]
    line = requests[-1]
    assert set(line) >= {"time", "request_id", "method", "route", "status", "duration_ms", "statements", "user"}
    assert line["status"] == 503 and line["user"] is None and line["method"] == "GET"
    assert "Nguy" not in log and "q=" not in log and "hd_anything" not in log
