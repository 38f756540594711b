"""`seed_demo` prints the address `make run` really serves on."""

import pytest

from haidang.demo.management.commands.seed_demo import served_address


@pytest.mark.parametrize(
    "host, port, shown",
    [
        ("", "", "http://127.0.0.1:8000"),
        ("127.0.0.1", "9000", "http://127.0.0.1:9000"),
        ("0.0.0.0", "8080", "http://127.0.0.1:8080"),  # noqa: S104 (every address, reached here)
        ("192.168.1.20", "", "http://192.168.1.20:8000"),
        ("::1", "8001", "http://[::1]:8001"),
    ],
)
def test_the_address_follows_host_and_port(monkeypatch, host, port, shown):
    monkeypatch.setenv("HOST", host)
    monkeypatch.setenv("PORT", port)
    assert served_address() == shown


def test_without_host_and_port_it_is_the_default(monkeypatch):
    monkeypatch.delenv("HOST", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    assert served_address() == "http://127.0.0.1:8000"
