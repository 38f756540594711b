"""API: the audit log, for auditors (GET /api/v1/audit-events)."""

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.audit import selectors
from haidang.audit.forms import AuditFilterForm
from haidang.audit.models import AuditEntry
from haidang.audit.services import record_event
from haidang.common.api import ApiError, ErrorOut, page_params, paginate
from haidang.common.schemas import CleanSchema
from haidang.places.territory import API_NOTE as TERRITORY_NOTE

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    id: int
    occurred_at: datetime
    actor_username: str
    role: str
    ip: str | None
    action: str
    object_type: str
    object_id: str
    unit_code: str
    changes: dict
    reason: str
    prev_hash: str
    entry_hash: str


class AuditEventList(Schema):
    items: list[AuditEventOut]
    count: int
    page: int
    page_size: int


class AuditFilters(CleanSchema):
    user: str = ""
    unit: str = ""
    as_of: str = ""
    object_type: str = ""
    object_id: str = ""
    action: str = ""
    since: str = ""
    until: str = ""
    page: int = 1
    page_size: int = 50


def _event_out(entry: AuditEntry) -> dict:
    return {
        "id": entry.id,
        "occurred_at": entry.occurred_at,
        "actor_username": entry.actor_username,
        "role": entry.role,
        "ip": entry.ip,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "unit_code": entry.unit_code,
        "changes": entry.changes,
        "reason": entry.reason,
        "prev_hash": entry.prev_hash,
        "entry_hash": entry.entry_hash,
    }


@router.get(
    "/audit-events",
    response={200: AuditEventList, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="The audit log, newest first (auditors only)",
    description=(
        "Filters: `user` (user name), `unit` and `as_of` (below), `object_type`, `object_id`, `action` (ending "
        "with a dot for a group, e.g. `access.`), `since` and `until` (ISO 8601 or dd/mm/yyyy, optionally with a "
        "time; a day means the whole day; an impossible date answers 400 naming it). Reading the log is itself "
        "recorded. " + TERRITORY_NOTE
    ),
)
def list_audit_events(request, filters: Query[AuditFilters]):
    if not scope_for(request.user).can(Capability.VIEW_AUDIT):
        record_event(action="audit.log_access_denied", actor=request.user, request=request)
        raise ApiError(403, "forbidden", _("Your role does not allow this."))
    page, page_size = page_params(filters.page, filters.page_size)
    form = AuditFilterForm(filters.model_dump(exclude={"page", "page_size"}))
    if not form.is_valid():
        fields = {name: [str(message) for message in messages] for name, messages in form.errors.items()}
        raise ApiError(400, "invalid", _("The request has invalid values."), fields)
    record_event(
        action="audit.log_viewed",
        actor=request.user,
        request=request,
        changes={**form.as_record(), "page": page, "via": "api"},
    )
    entries = selectors.filter_entries(selectors.entries_visible_to(request.user), **form.filters())
    return paginate(entries, page, page_size, _event_out)
