"""API: victim cases. Intake, the list with filters, reads, updates with a version, transitions, the worklist,
and on each case its linked persons, protection decisions, shelter stays, Form 07 applications and files.

Every endpoint needs the right to see cases (403 `forbidden` without it) and gets its cases from
`cases_visible_to`: a case outside the user's scope answers 404 exactly like a missing one.
Identifying fields are masked unless the reader's role shows identities for that case. Each read
of a case is audited (`cases.case_viewed`); a list call writes one entry (`cases.case_list_viewed`).
Writes go through the services; a stale `version` answers 409 `conflict` and writes nothing.

Field names in errors are paths in the request body: `person.full_name`, `case.unit` on intake;
`route` on an update; `target`, `note`, `data.decision_date` on a transition; the body's own field
names on the protection, shelter and reintegration endpoints (`risk_assessment`, `start_date`).
Sealed or restricted values on those (names, risk assessments, reasons, the facility, file names) are
masked unless the reader sees identities; a file is downloaded only by such a reader, audited.

One module per topic, as in `views`: `worklist` (the list and the worklist), `intake`, `case`,
`support`, `referrals`, `transfers`, `people`, `protection`, `shelter`, `reintegration` and
`attachments`; `_common` holds the router and what they share.
"""

# The routes are registered on the one router in the order of these imports, and URLs are matched
# in that order: /cases/worklist must come before /cases/{case_id}. Keep the order.
# isort: off
from haidang.cases.api import worklist, intake, case, support, referrals, transfers  # noqa: F401
from haidang.cases.api import people, protection, shelter, reintegration, attachments  # noqa: F401

# isort: on
from haidang.cases.api._common import router


def _keep_operation_ids() -> None:
    """Keep the OpenAPI operation ids of the single module the routes were in (`haidang_cases_api_<name>`),
    so that clients generated from the document keep their method names."""
    for path_view in router.path_operations.values():
        for operation in path_view.operations:
            operation.operation_id = operation.operation_id or f"haidang_cases_api_{operation.view_func.__name__}"


_keep_operation_ids()

__all__ = ["router"]
