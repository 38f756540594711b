"""Break-the-glass: one case opened outside the user's scope, with a reason, audited and notified."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.access.models import AgencyType, Membership
from haidang.access.roles import Capability, Role
from haidang.access.scope import scope_for
from haidang.audit.services import record_event
from haidang.cases.models import Case, CaseAccessGrant
from haidang.cases.selectors import forget_grants
from haidang.cases.services._common import _event
from haidang.common import shared
from haidang.common.text import clean_text

BREAK_GLASS_HOURS = 8


@transaction.atomic
def break_glass(*, actor, case_number: str, reason: str):
    """Open one case outside the user's scope: a reason, an audit entry and a notice to the supervisors."""
    if not scope_for(actor).can(Capability.BREAK_GLASS):
        raise PermissionDenied
    if len(clean_text(reason)) < 10:
        raise ValidationError({"reason": [_("Explain in a sentence why you need this case.")]})
    case = Case.objects.select_related("unit").filter(number=clean_text(case_number).upper()).first()
    if case is None:
        raise ValidationError({"case_number": [_("No case has this number.")]})
    grant = CaseAccessGrant.objects.create(
        case=case,
        user=actor,
        reason=clean_text(reason),
        expires_at=timezone.now() + timedelta(hours=BREAK_GLASS_HOURS),
    )
    forget_grants(actor)
    shared.bump(shared.GRANTS)
    _event(case, actor=actor, kind="break_glass", note=clean_text(reason))
    record_event(
        action="cases.break_glass",
        actor=actor,
        target=case,
        unit=case.unit,
        reason=clean_text(reason),
        changes={"grant": str(grant.pk), "expires_at": grant.expires_at},
    )
    # The Department of Health's case supervisors over the case's unit are told who opened it and why
    # (no personal data in the mail); police, Border Guard and missions decide but do not oversee access.
    memberships = Membership.objects.filter(
        is_active=True, role=Role.CASE_SUPERVISOR, agency__agency_type=AgencyType.DEPARTMENT_OF_HEALTH
    ).select_related("unit", "user")
    recipients = sorted(
        {m.user.email for m in memberships if m.user.email and case.unit.scope_path.startswith(m.unit.path)}
    )
    if recipients:
        transaction.on_commit(
            lambda: send_mail(
                subject=_("Break-the-glass access to case %(number)s") % {"number": case.number},
                message=_("%(user)s opened case %(number)s outside their area. Reason: %(reason)s")
                % {"user": actor.get_username(), "number": case.number, "reason": clean_text(reason)},
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=recipients,
                fail_silently=True,
            )
        )
    return grant
