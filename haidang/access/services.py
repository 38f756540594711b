"""Writes for agencies, users, memberships, second factors and API tokens.

One function per action, each atomic and each leaving an audit entry.
"""

import hashlib
import secrets
import weakref
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from haidang.access.models import HISTORIC_AGENCY_TYPES, Agency, ApiToken, Membership, User
from haidang.access.roles import Role
from haidang.audit.services import record_event
from haidang.common import shared
from haidang.common.readers import readers
from haidang.common.text import clean_text
from haidang.places.models import AdministrativeUnit, UnitLevel

TOKEN_PREFIX = "hd_"


# --- Second factor ----------------------------------------------------------------------------


def has_confirmed_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def start_totp_enrolment(user: User) -> TOTPDevice:
    """An unconfirmed TOTP device for the enrolment page; replaces an earlier unconfirmed one."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def confirm_totp_enrolment(*, user: User, device: TOTPDevice, token: str) -> bool:
    if device.user_id != user.pk or device.confirmed or not device.verify_token(token.strip()):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    record_event(action="access.two_factor_enrolled", actor=user, target=user)
    return True


def verify_second_factor(user: User, token: str) -> TOTPDevice | None:
    """The user's confirmed device that accepts `token` (django-otp throttles repeated failures)."""
    token = (token or "").strip().replace(" ", "")
    if not token.isdigit():
        return None
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(token):
            return device
    return None


# --- API tokens -------------------------------------------------------------------------------


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def issue_api_token(*, user: User) -> tuple[str, ApiToken]:
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        token_hash=_token_hash(raw),
        expires_at=timezone.now() + timedelta(hours=settings.API_TOKEN_HOURS),
    )
    record_event(action="access.api_token_issued", actor=user, target=user, changes={"token": str(token.id)})
    return raw, token


# The statement and its reading are written out: every API request starts here, and building and
# compiling `select_related(...).first()`, or a raw queryset mapping its columns, cost more than the
# database's answer. The columns are the user's own, in the model's order, then the token's two.
_TOKEN_USER_SQL = (
    "SELECT {columns}, t.id, CASE WHEN t.last_used_at IS NULL OR t.last_used_at < %s THEN 1 ELSE 0 END "
    "FROM access_user u JOIN access_apitoken t ON t.user_id = u.id "
    "WHERE t.token_hash = %s AND t.revoked_at IS NULL AND t.expires_at > %s"
)


_USER_READINGS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _user_reading(connection) -> tuple[str, list, tuple]:
    """The statement, the user's field names, and the readers of the columns that need converting
    (`common.readers`: what the ORM would give); kept per connection (a thread's own), as they are the
    same at every request."""
    found = _USER_READINGS.get(connection)
    if found is None:
        found = _USER_READINGS[connection] = _new_user_reading(connection)
    return found


def _new_user_reading(connection) -> tuple[str, list, tuple]:
    fields = User._meta.concrete_fields
    columns = ", ".join(f"u.{connection.ops.quote_name(field.column)}" for field in fields)
    converters = {}
    for position, field in enumerate(fields):
        column = field.get_col(User._meta.db_table)
        functions = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if functions:
            converters[position] = (functions, column)
    return _TOKEN_USER_SQL.format(columns=columns), [field.attname for field in fields], readers(converters)


def user_for_api_token(raw: str) -> User | None:
    """The active user a live (unexpired, unrevoked) API token belongs to, or None.

    Times go in as the backend stores them (`adapt_datetimefield_value`), as the ORM would send them;
    each value comes out through its field's converters, as the ORM would read it."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    connection = connections[User.objects.db]
    adapt = connection.ops.adapt_datetimefield_value
    # last_used_at is touched at most once a minute, to keep reads free of writes.
    params = [adapt(now - timedelta(minutes=1)), _token_hash(raw), adapt(now)]
    sql, names, converters = _user_reading(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    *values, token_id, untouched = row
    for position, read in converters:  # as `common.queries.values_rows` reads a row
        values[position] = read(values[position], connection)
    user = User.from_db(connection.alias, names, values)
    if not user.is_active:
        return None
    if untouched:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    return user


@transaction.atomic
def revoke_api_token(*, user: User, raw: str) -> bool:
    updated = ApiToken.objects.filter(user=user, token_hash=_token_hash(raw), revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if updated:
        record_event(action="access.api_token_revoked", actor=user, target=user)
    return bool(updated)


# --- Agencies ---------------------------------------------------------------------------------


def _check_current_unit(unit: AdministrativeUnit, field: str) -> None:
    if not unit.is_current:
        raise ValidationError(
            {
                field: _("%(unit)s (%(code)s) is no longer a current unit; choose a unit of today's map.")
                % {"unit": unit.name, "code": unit.code}
            }
        )


def _check_agency_unit(unit: AdministrativeUnit, agency_type: str, valid_from, valid_to) -> None:
    """Today's agencies sit at units of today's map; a historic one at a unit that existed on its
    last day, and it has a last day (the old map's bodies all have one)."""
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        raise ValidationError({"valid_to": _("The last day is before the first day.")})
    if agency_type in HISTORIC_AGENCY_TYPES and valid_to is None:
        raise ValidationError({"valid_to": _("A body of the map before 01/07/2025 needs the day it ceased.")})
    if valid_to is None:
        _check_current_unit(unit, "unit")
    elif not unit.is_valid_on(valid_to):
        raise ValidationError(
            {
                "unit": _("%(unit)s did not exist on %(day)s, the agency's last day.")
                % {"unit": unit.name, "day": valid_to.strftime("%d/%m/%Y")}
            }
        )


@transaction.atomic
def create_agency(
    *,
    actor: User,
    name: str,
    agency_type: str,
    unit: AdministrativeUnit,
    short_name: str = "",
    parent: Agency | None = None,
    valid_from=None,
    valid_to=None,
) -> Agency:
    """An agency at a unit. A body of the old map (a district People's Committee, a Phòng
    LĐ-TB&XH) is recorded at its old unit with the day it ceased (`valid_to`), for historic records."""
    _check_agency_unit(unit, agency_type, valid_from, valid_to)
    agency = Agency(
        name=clean_text(name),
        short_name=clean_text(short_name),
        agency_type=agency_type,
        unit=unit,
        parent=parent,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    agency.full_clean()
    agency.save()
    record_event(
        action="access.agency_created",
        actor=actor,
        target=agency,
        unit=unit,
        changes={
            "name": agency.name,
            "agency_type": agency_type,
            "unit": unit.code,
            "valid_from": valid_from,
            "valid_to": valid_to,
        },
    )
    return agency


@transaction.atomic
def update_agency(*, actor: User, agency: Agency, **changes) -> Agency:
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    changed = {}
    for field_name in ("name", "short_name", "agency_type", "unit", "parent", "is_active", "valid_from", "valid_to"):
        if field_name not in changes:
            continue
        value = changes[field_name]
        if isinstance(value, str):
            value = clean_text(value)
        if getattr(agency, field_name) != value:
            setattr(agency, field_name, value)
            changed[field_name] = getattr(value, "code", None) or str(value)
    if {"unit", "agency_type", "valid_from", "valid_to"} & set(changed):
        _check_agency_unit(agency.unit, agency.agency_type, agency.valid_from, agency.valid_to)
    if changed:
        agency.full_clean()
        agency.save()
        shared.bump(shared.ACCESS)  # the scopes of its members may change
        record_event(action="access.agency_updated", actor=actor, target=agency, unit=agency.unit, changes=changed)
    return agency


# --- Users and memberships ----------------------------------------------------------------------


@transaction.atomic
def create_user(
    *, actor: User | None, username: str, password: str, full_name: str = "", email: str = "", phone: str = ""
) -> User:
    user = User(
        username=clean_text(username),
        full_name=clean_text(full_name),
        email=clean_text(email),
        phone=clean_text(phone),
    )
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    # The phone number is identifying: the audit entry names the field, never its value.
    record_event(
        action="access.user_created",
        actor=actor,
        target=user,
        changes={"username": user.username, "full_name": user.full_name, "phone": "***" if phone else ""},
    )
    return user


@transaction.atomic
def update_user(*, actor: User, user: User, full_name: str, email: str, phone: str, is_active: bool) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    changed = {}
    for field_name, value in (
        ("full_name", clean_text(full_name)),
        ("email", clean_text(email)),
        ("phone", clean_text(phone)),
        ("is_active", is_active),
    ):
        if getattr(user, field_name) != value:
            setattr(user, field_name, value)
            changed[field_name] = "***" if field_name == "phone" else value
    if changed:
        user.full_clean(exclude=["password"])
        user.save(update_fields=list(changed))
        record_event(action="access.user_updated", actor=actor, target=user, changes=changed)
    return user


@transaction.atomic
def set_password(*, actor: User, user: User, password: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    record_event(action="access.password_set", actor=actor, target=user)


def validate_membership(*, agency: Agency, unit: AdministrativeUnit, role: str) -> None:
    _check_current_unit(unit, "unit")
    agency_path = agency.unit.scope_path
    if not (unit.path or "").startswith(agency_path):
        raise ValidationError(
            {"unit": _("%(unit)s is outside the area of %(agency)s.") % {"unit": unit.name, "agency": agency.name}}
        )
    national_only = {Role.ANALYST, Role.AUDITOR, Role.SYSTEM_ADMIN}
    if role == Role.COMMUNE_OFFICER and unit.level != UnitLevel.COMMUNE:
        raise ValidationError({"role": _("A commune officer works at a commune.")})
    if role == Role.NATIONAL_COORDINATOR and unit.level != UnitLevel.NATION:
        raise ValidationError({"role": _("A national coordinator works at the national level.")})
    if role == Role.PROVINCE_COORDINATOR and unit.level != UnitLevel.PROVINCE:
        raise ValidationError({"role": _("A province coordinator works at a province.")})
    if role in national_only and unit.level not in (UnitLevel.NATION, UnitLevel.PROVINCE):
        raise ValidationError({"role": _("This role works at national or provincial level.")})


@transaction.atomic
def add_membership(
    *, actor: User | None, user: User, agency: Agency, unit: AdministrativeUnit, role: str
) -> Membership:
    validate_membership(agency=agency, unit=unit, role=role)
    membership, created = Membership.objects.get_or_create(
        user=user, agency=agency, unit=unit, role=role, defaults={"is_active": True}
    )
    if not created and not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
    shared.bump(shared.ACCESS)
    record_event(
        action="access.membership_added",
        actor=actor,
        target=user,
        unit=unit,
        changes={"agency": agency.name, "unit": unit.code, "role": role},
    )
    return membership


@transaction.atomic
def end_membership(*, actor: User, membership: Membership) -> None:
    if membership.is_active:
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        shared.bump(shared.ACCESS)
        record_event(
            action="access.membership_ended",
            actor=actor,
            target=membership.user,
            unit=membership.unit,
            changes={"agency": membership.agency.name, "unit": membership.unit.code, "role": membership.role},
        )
