"""Intake of many cases at once (a register imported): the same records as `create_case` followed by
`transition_case` for "received" and each step already taken, written set-based.

`IntakePlanner.plan` runs every check of the one-by-one path on one row without touching the database
beyond what it reads once per import (the actor's scope and memberships, the units' provinces): the
person's and the case's details, the unit valid on the reception date and inside the actor's area,
each step allowed by the transition table from the status before it, taken by one of the actor's
memberships whose agency the law gives the step to (`cases.authority`, the acting membership as
`selectors.acting_for` chooses it), its required data, its date (fixed by the reception or the
decision, never in the future, never before the step before it) and the reason a late step is
recorded late. `create_cases` plans every row, reserves the case numbers per province and year with
one update of each counter, and inserts persons, cases, timeline events and one audit entry per
victim's record (with the steps it records) in a few statements per thousand rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.access.models import Membership
from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.audit.services import record_events
from haidang.cases import authority as law
from haidang.cases import support, timelimits, workflow
from haidang.cases.matching import document_key, name_key
from haidang.cases.models import Case, CaseEvent, CaseNumberCounter, CaseStatus, IntakeChannel, Person
from haidang.cases.services.case import (
    _check_case_details,
    _check_reception,
    _check_return_at_intake,
    _check_transition_data,
    _province_of,
)
from haidang.cases.services.people import IDENTIFYING_PERSON_FIELDS, _validate_person
from haidang.common.bulkinsert import insert_rows
from haidang.common.ids import new_ids
from haidang.common.text import clean_text
from haidang.places.errors import format_day
from haidang.places.placing import placed_fields

_CHANNELS = frozenset(IntakeChannel.values)

__all__ = ["BulkIntakeError", "IntakePlanner", "NewCase", "Step", "create_cases"]


@dataclass
class Step:
    """A step already taken: the status it moved to, the day it happened, its data (an
    identification's decision and document). `fields` names, for the caller's errors, where each of
    the step's values came from (the date under "event_date")."""

    target: str
    event_date: date | None
    data: dict = field(default_factory=dict)
    fields: dict = field(default_factory=dict)


@dataclass
class NewCase:
    """One row: the person's details and the case's (as `create_case` takes them), the steps after
    "received" (which every imported case has, on its reception date) and why they are recorded late."""

    person: dict
    case: dict
    steps: list[Step] = field(default_factory=list)
    late_reason: str = ""


@dataclass
class Plan:
    person: dict
    case: dict
    unit: object
    received: date
    returned_on: date | None
    gate: str
    forms: list
    route: str
    status: str
    notified_at: datetime | None
    identified_on: date | None
    events: list[dict]


class BulkIntakeError(Exception):
    """A row the intake refuses: `index` is its place in the list, `error` the ValidationError or
    PermissionDenied the one-by-one services raise for it. Nothing was written."""

    def __init__(self, index: int, error: Exception):
        super().__init__(str(error))
        self.index = index
        self.error = error


def _renamed(error: ValidationError, fields: dict) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError({fields.get(key, key): messages for key, messages in error.message_dict.items()})


class _UnitsCovered:
    """The actor's scope as `_check_reception` asks it, with each unit's answer kept: a register names a
    few hundred units over thousands of rows."""

    def __init__(self, scope):
        self.scope = scope
        self._answers: dict = {}

    def covers_unit(self, unit, capability: str) -> bool:
        key = (unit.pk, capability)
        answer = self._answers.get(key)
        if answer is None:
            answer = self._answers[key] = self.scope.covers_unit(unit, capability)
        return answer


class IntakePlanner:
    """The checks of `create_case` and `transition_case` for many rows of one actor, with what they
    read from the database read once."""

    def __init__(self, actor):
        self.actor = actor
        self.scope = scope_for(actor)
        self.today = timezone.localdate()
        self.backdate_days = timelimits.backdate_days_without_reason()
        rows = (
            Membership.objects.filter(user=actor, is_active=True, agency__is_active=True)
            .select_related("agency", "unit")
            .order_by("created_at")
        )
        self.memberships = [m for m in rows if m.agency.is_valid_on(self.today)]
        self.covers = _UnitsCovered(self.scope)
        self._provinces: dict = {}
        self._placements: dict = {}
        self._acting: dict = {}

    def province(self, unit):
        if unit.pk not in self._provinces:
            self._provinces[unit.pk] = _province_of(unit)
        return self._provinces[unit.pk]

    def placement(self, unit_id) -> dict:
        """What `Case.save` stores for a case under the unit, read once per unit of the register."""
        if unit_id not in self._placements:
            self._placements[unit_id] = placed_fields(unit_id)
        return self._placements[unit_id]

    def acting(self, unit, agency_id, authority: law.Authority) -> Membership:
        """The membership taking the step, as `selectors.acting_for` picks it; else PermissionDenied."""
        key = (unit.pk, agency_id, authority)
        if key not in self._acting:
            reasons, found = [], None
            for membership in self.memberships:
                if not unit.scope_path.startswith(membership.unit.scope_path):
                    continue
                verdict = law.verdict(
                    authority,
                    role=membership.role,
                    agency_type=membership.agency.agency_type,
                    own_case=agency_id == membership.agency_id,
                )
                if verdict.allowed:
                    found = membership
                    break
                reasons.append(verdict.reason)
            reason = (
                reasons[0]
                if reasons
                else str(law.STEP_REFUSED) % {"who": authority.who(), "article": authority.article}
            )
            self._acting[key] = (found, reason)
        found, reason = self._acting[key]
        if found is None:
            raise PermissionDenied(reason)
        return found

    def plan(self, row: NewCase) -> Plan:
        """Every check of the one-by-one path for one row; ValidationError or PermissionDenied as they raise."""
        if not self.scope.can(Capability.EDIT_CASES):
            raise PermissionDenied
        errors: dict = {}
        person = _validate_person(row.person, errors, today=self.today)
        channel = row.case.get("intake_channel")
        if channel not in _CHANNELS:
            errors.setdefault("intake_channel", []).append(_("Choose an intake channel from the list."))
        received, unit, agency = _check_reception(self.covers, row.case, errors, today=self.today)
        forms, route = _check_case_details(row.case, person, errors)
        returned_on, gate = _check_return_at_intake(row.case, channel, received, errors)
        if errors:
            raise ValidationError(errors)
        plan = Plan(
            person=person,
            case=row.case,
            unit=unit,
            received=received,
            returned_on=returned_on,
            gate=gate,
            forms=forms,
            route=route,
            status=CaseStatus.REPORTED,
            notified_at=None,
            identified_on=None,
            events=[],
        )
        reason = clean_text(row.late_reason)
        previous = received
        for step in [Step(CaseStatus.RECEIVED, received), *row.steps]:
            try:
                previous = self._step(plan, step, agency, previous, reason)
            except ValidationError as error:
                raise _renamed(error, {"event_date": "event_date", **step.fields}) from error
            except PermissionDenied as error:
                error.step = step  # which step was refused, for the caller's row error
                raise
        return plan

    def _step(self, plan: Plan, step: Step, agency, previous: date, reason: str) -> date:
        transition = workflow.find_transition(plan.status, step.target)
        if transition is None or step.target == "reopen":
            raise ValidationError(
                {
                    "target": [
                        _("A case that is “%(status)s” cannot move to “%(target)s”.")
                        % {"status": CaseStatus(plan.status).label, "target": step.target}
                    ]
                }
            )
        membership = self.acting(plan.unit, agency.pk, transition.authority)
        recorded = _check_transition_data(transition, step.data, "")
        errors: dict = {}
        day = self._step_date(plan, step, recorded, previous, errors)
        if day is not None and (self.today - day).days > self.backdate_days and not reason:
            errors.setdefault("late_reason", []).append(
                _("This step happened %(days)s days ago: say why it is recorded only now.")
                % {"days": (self.today - day).days}
            )
        if errors:
            raise ValidationError(errors)
        if step.target == CaseStatus.INITIAL_VERIFICATION and plan.notified_at is None:
            plan.notified_at = (
                timezone.now() if day == self.today else timezone.make_aware(datetime.combine(day, time.min))
            )
        if step.target == CaseStatus.IDENTIFIED:
            plan.identified_on = day
        if reason:
            recorded["late_reason"] = reason
        recorded["agency"] = membership.agency.name
        plan.events.append(
            {"source": plan.status, "target": step.target, "day": day, "data": recorded, "agency": membership.agency}
        )
        plan.status = step.target
        return day

    def _step_date(self, plan: Plan, step: Step, recorded: dict, previous: date, errors: dict) -> date | None:
        """As `case._step_date`: the reception date for "received", the decision date for an
        identification, else the date given; never in the future, never before the step before."""
        day, fixed = step.event_date, None
        if step.target == CaseStatus.RECEIVED:
            fixed = plan.received
        elif step.target == CaseStatus.IDENTIFIED and recorded.get("decision_date"):
            fixed = date.fromisoformat(recorded["decision_date"])
        if fixed is not None:
            if day is not None and day != fixed:
                # The name translated only here: asking for it on every row was a third of the step.
                name = _("the reception date") if step.target == CaseStatus.RECEIVED else _("the decision date")
                errors.setdefault("event_date", []).append(
                    _("This step is dated by %(what)s (%(day)s).") % {"what": name, "day": format_day(fixed)}
                )
            day = fixed
        day = day or self.today
        if day > self.today:
            errors.setdefault("event_date", []).append(_("%(day)s is in the future.") % {"day": format_day(day)})
            return None
        if day < previous:
            step_label = CaseStatus(plan.status).label if plan.status in CaseStatus.values else ""
            errors.setdefault("event_date", []).append(
                _("%(day)s is before the previous step (“%(step)s”, %(previous)s).")
                % {"day": format_day(day), "step": step_label, "previous": format_day(previous)}
            )
            return None
        return day


def _reserve_numbers(planner: IntakePlanner, plans: list[Plan]) -> list[tuple]:
    """(province, year, sequence, number) per plan: each counter moved once by the rows it numbers."""
    groups: dict = defaultdict(list)
    for index, plan in enumerate(plans):
        groups[(planner.province(plan.unit), plan.received.year)].append(index)
    numbers: list = [None] * len(plans)
    for (province, year), indexes in groups.items():
        counter, _created = CaseNumberCounter.objects.select_for_update().get_or_create(province=province, year=year)
        first = counter.last + 1
        counter.last += len(indexes)
        counter.save(update_fields=["last"])
        for offset, index in enumerate(indexes):
            sequence = first + offset
            numbers[index] = (province, year, sequence, f"{province.code}-{year}-{sequence:06d}")
    return numbers


@transaction.atomic
def create_cases(
    *, actor, rows: Sequence[NewCase], batch_size: int = 1000, planner: IntakePlanner | None = None
) -> list:
    """Intake of many persons at once, all or nothing: for each row the person, the case, its events
    and one audit entry, as `create_case` and `transition_case` would have written them (the audit
    entry, `cases.case_created`, lists the steps instead of one entry per step). A refused row raises
    BulkIntakeError with its index, and nothing is written. `planner`: the actor's, built in the same
    transaction, when the rows come in several calls (an import's chunks), so that what it reads once
    (memberships, scope, provinces, placements) is read once for them all. The new cases' ids, in the
    rows' order."""
    if planner is None:
        planner = IntakePlanner(actor)
    elif planner.actor != actor:
        raise ValueError("The planner belongs to another actor.")
    plans = []
    for index, row in enumerate(rows):
        try:
            plans.append(planner.plan(row))
        except (ValidationError, PermissionDenied) as error:
            raise BulkIntakeError(index, error) from error
    numbers = _reserve_numbers(planner, plans)
    now = timezone.now()
    # Plain rows by attname, not model instances (`insert_rows` fills the defaults an instance would have):
    # building a `Case` was a fifth of the commit.
    persons, cases, events, audit = [], [], [], []
    regimes: dict = {}  # (status, reception, identification) -> regime: a register repeats a few hundred
    case_type = Case._meta.label_lower
    ids = iter(new_ids(2 * len(plans)))
    for row, plan, (province, year, sequence, number) in zip(rows, plans, numbers, strict=True):
        values = plan.person
        person_id, case_id = next(ids), next(ids)
        residence = values["residence_unit"]
        persons.append(
            {
                **values,
                "id": person_id,
                "residence_unit_id": residence.pk if residence is not None else None,
                "created_by_id": actor.pk,
                "name_key": name_key(values["full_name"]),
                "document_hash": document_key(values["document_number"]),
            }
        )
        data = plan.case
        channel = data.get("intake_channel")
        unit_id = plan.unit.pk if plan.unit is not None else None
        regime_key = (plan.status, plan.received, plan.identified_on)
        regime = regimes.get(regime_key)
        if regime is None:
            # `regime_for` reads only the case's status and reception date.
            shape = SimpleNamespace(status=plan.status, reception_date=plan.received)
            regime = regimes[regime_key] = support.regime_for(shape, plan.identified_on, on=planner.today)
        agency = data.get("agency")
        cases.append(
            {
                "id": case_id,
                "number": number,
                "province_id": province.pk,
                "year": year,
                "sequence": sequence,
                "person_id": person_id,
                "legal_regime": regime,
                "intake_channel": channel,
                "reception_date": plan.received,
                "notified_at": plan.notified_at,
                "agency_id": agency.pk if agency is not None else None,
                "unit_id": unit_id,
                "found_abroad": bool(data.get("found_abroad")),
                "found_country": clean_text(data.get("found_country")).upper(),
                "returned_on": plan.returned_on,
                "return_border_gate": plan.gate,
                "exploitation_forms": plan.forms,
                "destination_country": clean_text(data.get("destination_country")).upper(),
                "route": plan.route,
                "recruitment_method": data.get("recruitment_method") or "",
                "criminal_proceeding_number": clean_text(data.get("criminal_proceeding_number")),
                "status": plan.status,
                "created_by_id": actor.pk,
                "version": 1 + len(plan.events),
                **planner.placement(unit_id),
            }
        )
        events.append(
            {
                "case_id": case_id,
                "kind": "created",
                "actor_id": actor.pk,
                "event_date": plan.received,
                "recorded_at": now,
                "data": {"intake_channel": channel},
                "from_status": "",
                "to_status": CaseStatus.REPORTED,
            }
        )
        events.extend(
            {
                "case_id": case_id,
                "kind": "transition",
                "actor_id": actor.pk,
                "event_date": step["day"],
                "recorded_at": now,
                "data": step["data"],
                "from_status": step["source"],
                "to_status": step["target"],
            }
            for step in plan.events
        )
        audit.append(
            {
                "action": "cases.case_created",
                "actor": actor,
                "object_type": case_type,
                "object_id": str(case_id),
                "unit": plan.unit,
                "changes": {
                    "number": number,
                    "intake_channel": channel,
                    "reception_date": plan.received,
                    **{name: values[name] for name in IDENTIFYING_PERSON_FIELDS},
                    # The statuses as their text, which is what the entry records of them (`audit.jsonable`).
                    "steps": [
                        {
                            "from": str(step["source"]),
                            "to": str(step["target"]),
                            "event_date": step["day"],
                            "agency": str(step["agency"].pk),
                        }
                        for step in plan.events
                    ],
                },
                "identifying": IDENTIFYING_PERSON_FIELDS,
                "reason": clean_text(row.late_reason) if plan.events else "",
            }
        )
    insert_rows(Person, persons, batch_size=batch_size)
    insert_rows(Case, cases, batch_size=batch_size)
    insert_rows(CaseEvent, events, batch_size=batch_size)
    record_events(audit, batch_size=batch_size)
    return [case["id"] for case in cases]
