"""Walking a test case along the path as the law divides the work (shared by the case tests)."""

from haidang.access.models import User
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
