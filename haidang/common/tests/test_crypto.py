"""Sealed fields against the real database, and the keyed hash used for exact matching."""

import base64
import unicodedata

import pytest
from django.apps import apps
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection, models
from django.db.migrations.loader import MigrationLoader
from django.test.utils import isolate_apps
from django.utils import translation

from haidang.access.models import User
from haidang.common import crypto
from haidang.common.fields import EncryptedTextField
from haidang.common.keys import new_field_key

PHONE = "0912 345 678"
CONTEXT = "access.user.phone"


def raw_column(user: User, column: str = "phone") -> str:
    """The stored text, read with SQL so no field code runs."""
    table = connection.ops.quote_name(User._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s",
            [User._meta.pk.get_db_prep_value(user.pk, connection)],
        )
        return cursor.fetchone()[0]


def write_raw(user: User, value: str) -> None:
    table = connection.ops.quote_name(User._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET phone = %s WHERE id = %s",
            [value, User._meta.pk.get_db_prep_value(user.pk, connection)],
        )


def change_one_character(text: str, index: int) -> str:
    replacement = "B" if text[index] == "A" else "A"
    return text[:index] + replacement + text[index + 1 :]


# --- Through the database ---------------------------------------------------------------------


@pytest.mark.django_db
def test_round_trip_stores_only_the_sealed_form():
    user = User.objects.create(username="sealed", phone=PHONE)

    raw = raw_column(user)
    assert raw.startswith("enc:t1:")
    assert PHONE not in raw and "0912" not in raw and "345678" not in raw
    assert User.objects.get(pk=user.pk).phone == PHONE


@pytest.mark.django_db
def test_decomposed_vietnamese_is_stored_in_nfc():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hằng, Đồng Tháp")
    assert decomposed != unicodedata.normalize("NFC", decomposed)

    user = User.objects.create(username="nfc", phone=decomposed)

    stored = User.objects.get(pk=user.pk).phone
    assert stored == unicodedata.normalize("NFC", decomposed)
    assert unicodedata.is_normalized("NFC", stored)


@pytest.mark.django_db
def test_every_write_path_seals_exactly_once():
    # A double seal would read back as 'enc:…' instead of the number.
    saved = User.objects.create(username="save", phone="1")
    updated = User.objects.create(username="update")
    User.objects.filter(pk=updated.pk).update(phone="2")
    created, bulk = User.objects.bulk_create([User(username="bulk-create", phone="3"), User(username="bulk")])
    bulk.phone = "4"
    User.objects.bulk_update([bulk], ["phone"])
    saved.phone = "5"
    saved.save(update_fields=["phone"])

    for user, expected in [(saved, "5"), (updated, "2"), (created, "3"), (bulk, "4")]:
        raw = raw_column(user)
        assert crypto.open_sealed(raw, context=CONTEXT) == expected
        assert User.objects.get(pk=user.pk).phone == expected


@pytest.mark.django_db
def test_plaintext_that_looks_sealed_is_still_sealed():
    lookalike = "enc:t1:not-really-sealed"
    user = User.objects.create(username="lookalike", phone=lookalike)

    assert raw_column(user) != lookalike
    assert User.objects.get(pk=user.pk).phone == lookalike


@pytest.mark.django_db
def test_empty_value_stays_empty():
    user = User.objects.create(username="nophone")
    assert raw_column(user) == ""
    assert User.objects.get(pk=user.pk).phone == ""


@pytest.mark.django_db
def test_tampered_column_fails_to_open():
    user = User.objects.create(username="tampered", phone=PHONE)
    raw = raw_column(user)
    write_raw(user, change_one_character(raw, len("enc:t1:") + 20))

    with pytest.raises(crypto.DecryptionError, match="failed authentication") as error:
        User.objects.get(pk=user.pk)
    assert PHONE not in str(error.value)


@pytest.mark.django_db
def test_unknown_key_id_fails_to_open():
    user = User.objects.create(username="unknown-key", phone=PHONE)
    write_raw(user, raw_column(user).replace("enc:t1:", "enc:zz:", 1))

    with pytest.raises(crypto.DecryptionError, match="no key with id 'zz'"):
        User.objects.get(pk=user.pk)


@pytest.mark.django_db
def test_unsealed_column_is_refused():
    user = User.objects.create(username="plain")
    write_raw(user, PHONE)

    with pytest.raises(crypto.DecryptionError, match="not sealed") as error:
        User.objects.get(pk=user.pk)
    assert PHONE not in str(error.value)


@pytest.mark.django_db
@isolate_apps("haidang.common")
def test_value_copied_into_another_encrypted_column_fails():
    class Person(models.Model):
        full_name = EncryptedTextField()

        class Meta:
            app_label = "common"

        def __str__(self) -> str:
            return str(self.pk)

    user = User.objects.create(username="copied", phone=PHONE)
    field = Person._meta.get_field("full_name")

    with pytest.raises(crypto.DecryptionError, match="common.person.full_name"):
        field.from_db_value(raw_column(user), None, connection)


# --- Lookups -------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("lookup", ["icontains", "startswith", "in", "gt", "lower", "contains"])
def test_lookups_other_than_isnull_and_exact_are_refused(lookup):
    value = [PHONE] if lookup == "in" else PHONE
    with pytest.raises(FieldError, match="Encrypted field 'phone'"):
        User.objects.filter(**{f"phone__{lookup}": value})


@pytest.mark.django_db
def test_exact_match_on_a_plaintext_is_refused_rather_than_silently_empty():
    User.objects.create(username="exact", phone=PHONE)
    with pytest.raises(FieldError, match="keyed hash"):
        User.objects.filter(phone=PHONE)


def test_empty_and_isnull_lookups_work(empty_system):
    User.objects.create(username="with", phone=PHONE)
    User.objects.create(username="without")

    assert list(User.objects.filter(phone="").values_list("username", flat=True)) == ["without"]
    assert list(User.objects.exclude(phone="").values_list("username", flat=True)) == ["with"]
    assert User.objects.filter(phone__isnull=True).count() == 0


# --- Migrations and checks -------------------------------------------------------------------------


def test_deconstruct_omits_only_the_fields_own_defaults():
    assert EncryptedTextField(verbose_name="phone").deconstruct()[1:] == (
        "haidang.common.fields.EncryptedTextField",
        [],
        {"verbose_name": "phone"},
    )

    name, path, args, kwargs = EncryptedTextField(blank=False, default="x", null=True).deconstruct()
    assert kwargs == {"blank": False, "default": "x", "null": True}
    rebuilt = EncryptedTextField(*args, **kwargs)
    assert (rebuilt.blank, rebuilt.default, rebuilt.null) == (False, "x", True)


@pytest.mark.django_db
def test_migration_state_matches_every_encrypted_field():
    # What makemigrations compares (with translations off, as makemigrations runs): a
    # difference here would make `makemigrations --check` fail.
    translation.deactivate_all()
    state_apps = MigrationLoader(connection).project_state().apps
    found = 0
    for model in apps.get_models():
        for field in model._meta.local_fields:
            if isinstance(field, EncryptedTextField):
                state_field = state_apps.get_model(model._meta.label)._meta.get_field(field.name)
                assert state_field.deconstruct() == field.deconstruct(), model._meta.label
                found += 1
    assert found >= 1


@isolate_apps("haidang.common")
def test_unique_encrypted_field_fails_the_system_check():
    class Document(models.Model):
        number = EncryptedTextField(unique=True)

        class Meta:
            app_label = "common"

        def __str__(self) -> str:
            return str(self.pk)

    errors = Document._meta.get_field("number").check()
    assert [error.id for error in errors] == ["common.E001"]


# --- The sealing functions -------------------------------------------------------------------------


def test_every_single_character_change_fails_to_open():
    # Includes the last character, whose unused low bits a lenient base64 decoder ignores.
    sealed = crypto.seal(PHONE, context=CONTEXT)
    start = len("enc:t1:")
    for index in range(start, len(sealed)):
        with pytest.raises(crypto.DecryptionError):
            crypto.open_sealed(change_one_character(sealed, index), context=CONTEXT)
    for bad in ("+", "/", "=", " ", "!"):
        with pytest.raises(crypto.DecryptionError):
            crypto.open_sealed(sealed[: start + 5] + bad + sealed[start + 6 :], context=CONTEXT)


def test_seal_is_randomised_and_bound_to_its_context():
    first, second = crypto.seal(PHONE, context=CONTEXT), crypto.seal(PHONE, context=CONTEXT)
    assert first != second
    assert crypto.open_sealed(first, context=CONTEXT) == crypto.open_sealed(second, context=CONTEXT) == PHONE
    with pytest.raises(crypto.DecryptionError):
        crypto.open_sealed(first, context="people.person.full_name")


@pytest.mark.parametrize(
    "stored", ["", "enc", "enc:t1", "enc:t1:", "enc:t1:abc", "xyz:t1:" + "A" * 40, "enc:t:1:" + "A" * 40]
)
def test_malformed_values_fail_to_open(stored):
    with pytest.raises(crypto.DecryptionError):
        crypto.open_sealed(stored, context=CONTEXT)


def test_key_id_of_names_only_well_formed_values():
    assert crypto.key_id_of(crypto.seal("x", context=CONTEXT)) == "t1"
    assert crypto.key_id_of("enc:0912345678") is None
    assert crypto.key_id_of("enc:0912345678:0912") is None


def test_keys_from_new_field_key_are_accepted(settings):
    entry = new_field_key("k2")
    settings.FIELD_ENCRYPTION_KEYS = [entry, *settings.FIELD_ENCRYPTION_KEYS]
    assert crypto.key_id_of(crypto.seal("x", context=CONTEXT)) == "k2"


@pytest.mark.parametrize(
    "entries",
    [
        [],
        ["k1"],
        [":" + base64.urlsafe_b64encode(bytes(32)).decode()],
        ["k 1:" + base64.urlsafe_b64encode(bytes(32)).decode()],
        ["k1:" + base64.urlsafe_b64encode(bytes(16)).decode()],
        ["k1:not base64!"],
        ["k1:" + base64.urlsafe_b64encode(bytes(32)).decode()] * 2,
    ],
)
def test_bad_key_settings_are_refused_without_echoing_the_key(settings, entries):
    settings.FIELD_ENCRYPTION_KEYS = entries
    with pytest.raises(ImproperlyConfigured) as error:
        crypto.key_ring()
    assert "AAAAAAAA" not in str(error.value)


# --- Keyed hash ---------------------------------------------------------------------------------


def test_keyed_hash_ignores_case_spaces_and_separators():
    def passport(value: str) -> str:
        return crypto.keyed_hash(value, purpose="passport")

    assert passport("B 1234-567") == passport("b1234567")
    assert crypto.keyed_hash("Đ 0001", purpose="cccd") == crypto.keyed_hash("d0001", purpose="cccd")
    # Full-width digits, as some phone keyboards type them.
    assert passport("Ｂ１２３４５６７") == passport("B1234567")
    assert passport("B1234567") != passport("B1234568")
    assert len(passport("B1234567")) == 64


def test_keyed_hash_purposes_are_separate():
    assert crypto.keyed_hash("B1234567", purpose="passport") != crypto.keyed_hash("B1234567", purpose="phone")


def test_keyed_hash_depends_on_the_key(settings):
    before = crypto.keyed_hash("B1234567", purpose="passport")
    settings.FIELD_HASH_KEY = base64.urlsafe_b64encode(b"another-hash-key-of-32-bytes----").decode()
    assert crypto.keyed_hash("B1234567", purpose="passport") != before


@pytest.mark.parametrize("value", ["", None, "  ", " - / . "])
def test_keyed_hash_of_nothing_is_empty(value):
    assert crypto.keyed_hash(value, purpose="passport") == ""


def test_keyed_hash_needs_a_purpose_and_a_real_key(settings):
    with pytest.raises(ValueError, match="purpose"):
        crypto.keyed_hash("B1234567", purpose="")
    settings.FIELD_HASH_KEY = base64.urlsafe_b64encode(b"short").decode()
    with pytest.raises(ImproperlyConfigured):
        crypto.keyed_hash("B1234567", purpose="passport")
