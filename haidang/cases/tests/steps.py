"""Opening a test case and walking it along the path as the law divides the work (shared by the case tests)."""

from datetime import date

from haidang.access.models import Agency, User
from haidang.cases import services
from haidang.cases.models import CaseStatus

# The Department of Health's decisions (identification, not a victim) are recorded by its supervisor.
SUPERVISORS = {"caseworker.hanoi": "supervisor.hanoi", "caseworker.haiphong": "supervisor.haiphong"}
DECISIONS = {CaseStatus.IDENTIFIED, CaseStatus.NOT_VICTIM, CaseStatus.UNDETERMINED}
SELF_DATED = {CaseStatus.RECEIVED, CaseStatus.IDENTIFIED}


def walk(case, actor, steps):
    """Take `steps` [(target, data)]: each on the day of the step before it (a step may not be
    dated before the previous one), decisions by the supervisor of the actor's Department of Health."""
    for target, data in steps:
        who = actor
        if target in DECISIONS and actor.username in SUPERVISORS:
            who = User.objects.get(username=SUPERVISORS[actor.username])
        previous = case.events.order_by("-event_date", "-id").values_list("event_date", flat=True).first()
        case = services.transition_case(
            actor=who,
            case=case,
            target=target,
            version=case.version,
            data=data,
            event_date=None if target in SELF_DATED else previous,
        )
    return case


def open_case(
    actor, unit, agency_name, *, full_name="Lò Thị Mai (minh họa)", birth_year=2000, received=date(2026, 3, 1)
):
    """A case received at `unit` by the agency named, for a synthetic person."""
    return services.create_case(
        actor=actor,
        person_data={"full_name": full_name, "birth_year": birth_year},
        case_data={
            "intake_channel": "rescue",
            "reception_date": received,
            "unit": unit,
            "agency": Agency.objects.get(name=agency_name),
        },
    )
