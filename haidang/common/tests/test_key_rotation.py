"""`manage.py rotate_field_keys` and `manage.py new_field_key` against the real database."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models.signals import post_save, pre_save

from haidang.access.models import User
from haidang.common import crypto
from haidang.common.keys import new_field_key
from haidang.common.management.commands.rotate_field_keys import Command as RotateCommand
from haidang.common.management.commands.rotate_field_keys import encrypted_targets

K2 = new_field_key("k2")
PHONES = ["0912 345 678", "0987 654 321", "024 3825 1234", "+84 90 111 2222", "0901 000 000"]


def raw_phones() -> dict[str, str]:
    """username -> stored text, read with SQL so no field code runs."""
    table = connection.ops.quote_name(User._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT username, phone FROM {table}")
        return dict(cursor.fetchall())


def write_raw(username: str, value: str) -> None:
    table = connection.ops.quote_name(User._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET phone = %s WHERE username = %s", [value, username])


def rotate(*args: str) -> str:
    out = StringIO()
    call_command("rotate_field_keys", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def t1_users(empty_system, settings):
    """Five users sealed under the test key t1 and one without a phone; then k2 becomes active."""
    t1 = settings.FIELD_ENCRYPTION_KEYS[0]
    assert t1.startswith("t1:")
    users = [User.objects.create(username=f"user{index}", phone=phone) for index, phone in enumerate(PHONES)]
    users.append(User.objects.create(username="nophone"))
    settings.FIELD_ENCRYPTION_KEYS = [K2, t1]
    return users


def test_every_encrypted_field_is_discovered():
    found = {(target.label, field.name) for target in encrypted_targets() for field in target.fields}
    assert ("access.user", "phone") in found


def test_rotation_reseals_under_the_active_key(t1_users, settings):
    before = raw_phones()
    assert all(raw.startswith("enc:t1:") for name, raw in before.items() if name != "nophone")
    saves = []

    def record(sender, **kwargs):
        saves.append(sender)

    pre_save.connect(record, sender=User)
    post_save.connect(record, sender=User)
    try:
        output = rotate("--batch-size", "2")
    finally:
        pre_save.disconnect(record, sender=User)
        post_save.disconnect(record, sender=User)

    assert "access.user.phone: 5 re-sealed, 0 remaining" in output
    assert "in 3 batch(es); 0 remaining" in output
    assert saves == []  # QuerySet.update(): no save(), no signals
    after = raw_phones()
    assert after["nophone"] == ""
    for index, phone in enumerate(PHONES):
        assert after[f"user{index}"].startswith("enc:k2:")
        assert phone not in output
    by_name = {user.username: user.phone for user in User.objects.all()}
    assert by_name == {**{f"user{index}": phone for index, phone in enumerate(PHONES)}, "nophone": ""}
    # Other columns are untouched (no auto_now bump, no last_login change).
    assert list(User.objects.order_by("username").values_list("last_login", "date_joined")) == [
        (user.last_login, user.date_joined) for user in sorted(t1_users, key=lambda u: u.username)
    ]

    # Idempotent: a second run finds nothing and changes nothing.
    second = rotate()
    assert "access.user.phone: 0 re-sealed, 0 remaining" in second
    assert raw_phones() == after

    # The old key can now go: everything still opens.
    settings.FIELD_ENCRYPTION_KEYS = [K2]
    assert sorted(User.objects.exclude(phone="").values_list("phone", flat=True)) == sorted(PHONES)


def test_dry_run_counts_and_changes_nothing(t1_users):
    before = raw_phones()

    output = rotate("--dry-run")

    assert "Active key: k2. Older keys: t1." in output
    assert "access.user.phone: 5 to re-seal (t1: 5)" in output
    assert "Dry run: 5 value(s) would be re-sealed under k2; nothing was changed." in output
    assert raw_phones() == before


def test_rotation_resumes_where_an_earlier_run_stopped(t1_users):
    # Rows already under the active key (an interrupted run, or written after the switch)
    # are left alone; only the rest is counted and re-sealed.
    user0, user1 = User.objects.get(username="user0"), User.objects.get(username="user1")
    user0.save(update_fields=["phone"])  # re-sealed under k2 by the application itself
    User.objects.create(username="newcomer", phone="0933 333 333")
    untouched = {name: raw for name, raw in raw_phones().items() if name in {"user0", "newcomer"}}
    assert all(raw.startswith("enc:k2:") for raw in untouched.values())

    assert "access.user.phone: 4 to re-seal (t1: 4)" in rotate("--dry-run")
    output = rotate("--batch-size", "1")

    assert "access.user.phone: 4 re-sealed, 0 remaining" in output
    after = raw_phones()
    assert {name: after[name] for name in untouched} == untouched
    assert User.objects.get(pk=user1.pk).phone == PHONES[1]


def test_unconfigured_key_id_is_refused_naming_the_row_not_the_value(t1_users, settings):
    settings.FIELD_ENCRYPTION_KEYS = [K2]  # t1 removed too early
    before = raw_phones()
    user0 = User.objects.only("pk").get(username="user0")

    with pytest.raises(CommandError) as error:
        rotate()

    message = str(error.value)
    assert "access.user.phone" in message
    assert f"pk={user0.pk}" in message
    assert "key id 't1', which is not in FIELD_ENCRYPTION_KEYS" in message
    assert "nothing was changed" in message
    assert not any(phone in message for phone in PHONES)
    assert raw_phones() == before


def test_unsealed_value_is_refused_without_echoing_it(t1_users):
    write_raw("user2", "enc:0909090909")

    with pytest.raises(CommandError, match="not a well-formed sealed value") as error:
        rotate()
    assert "0909090909" not in str(error.value)
    assert raw_phones()["user1"].startswith("enc:t1:")


def test_value_that_fails_to_open_stops_the_run_and_earlier_batches_stay_done(t1_users):
    last = User.objects.exclude(phone="").order_by("pk").last()  # the last row with something to re-seal
    raw = raw_phones()[last.username]
    index = len("enc:t1:") + 10
    write_raw(last.username, raw[:index] + ("B" if raw[index] == "A" else "A") + raw[index + 1 :])

    with pytest.raises(CommandError, match=rf"access\.user\.phone pk={last.pk}: fails to open"):
        rotate("--batch-size", "1")

    after = raw_phones()
    done = [name for name, value in after.items() if value.startswith("enc:k2:")]
    assert sorted(done) == sorted(user.username for user in t1_users if user.phone and user.pk != last.pk)

    # Repaired by the application (a new value is sealed under k2), a rerun finishes.
    last.phone = "0900 000 001"
    last.save(update_fields=["phone"])
    assert "0 to re-seal" in rotate("--dry-run")


def test_batch_size_must_be_positive(db):
    with pytest.raises(CommandError, match="batch-size"):
        rotate("--batch-size", "0")


def test_help_documents_the_procedure():
    text = RotateCommand().create_parser("manage.py", "rotate_field_keys").format_help()
    for expected in (
        "new_field_key --id k2",
        "FIRST in FIELD_ENCRYPTION_KEYS",
        "--dry-run",
        "0 remaining, remove the old entries",
    ):
        assert expected in text


# --- new_field_key -----------------------------------------------------------------------------------


def test_new_field_key_prints_a_usable_entry_and_the_steps(settings):
    out = StringIO()
    call_command("new_field_key", "--id", "k2", stdout=out)
    entry, *instructions = out.getvalue().splitlines()
    text = "\n".join(instructions)

    assert entry.startswith("k2:")
    settings.FIELD_ENCRYPTION_KEYS = [entry, *settings.FIELD_ENCRYPTION_KEYS]
    assert crypto.key_ring().active_id == "k2"
    assert "FIRST in FIELD_ENCRYPTION_KEYS" in text
    assert "rotate_field_keys" in text and "0 remaining" in text and "remove the old entries" in text
    assert "k2:<the new key>,t1:<its key>" in text


def test_new_field_key_quiet_prints_only_the_entry():
    out = StringIO()
    call_command("new_field_key", "--id", "k3", verbosity=0, stdout=out)
    assert out.getvalue().count("\n") == 1 and out.getvalue().startswith("k3:")


@pytest.mark.parametrize(
    ("key_id", "message"),
    [("t1", "already in FIELD_ENCRYPTION_KEYS"), ("a:b", "letters, digits"), ("", "letters, digits")],
)
def test_new_field_key_refuses_a_used_or_invalid_id(key_id, message):
    with pytest.raises(CommandError, match=message):
        call_command("new_field_key", "--id", key_id)
