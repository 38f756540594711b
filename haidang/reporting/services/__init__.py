"""Writes for report forms, directives and reports: one function per action, atomic and audited.

Validation answers with {field: [message]} (a ValidationError) so pages and the API name the
field; the figures of a report are named "values[<indicator>][<breakdown>]". Directives and
reports carry a version: a write names the version it read, and a stale one changes nothing.

One module per part: `common` (limits, errors), `notices` (marking notices read), `report_forms`,
`directives` and `reports`. `notify` and the links a notice carries live in `reporting.notices`, below
the services and the reminders, which both send notices. The reads (a directive's recipients, a report's
figures and the checks of its rules) are in `reporting.selectors`. Every public name is importable from here.
"""

from haidang.common.errors import StaleVersionError
from haidang.reporting.notices import directive_url, notify, report_url
from haidang.reporting.services.common import MAX_ATTACHMENT_BYTES, MAX_FIGURE, MAX_TEXT, ReportValidationError
from haidang.reporting.services.directives import (
    DIRECTIVE_FIELDS,
    add_directive_attachment,
    cancel_directive,
    create_directive,
    issue_directive,
    update_directive,
)
from haidang.reporting.services.notices import mark_all_notifications_read, mark_notification_read
from haidang.reporting.services.report_forms import define_form, new_version, publish_version, replace_draft_definition
from haidang.reporting.services.reports import refresh_prefill, save_report, submit_report, transition_report

__all__ = [
    "DIRECTIVE_FIELDS",
    "MAX_ATTACHMENT_BYTES",
    "MAX_FIGURE",
    "MAX_TEXT",
    "ReportValidationError",
    "StaleVersionError",
    "add_directive_attachment",
    "cancel_directive",
    "create_directive",
    "define_form",
    "directive_url",
    "issue_directive",
    "mark_all_notifications_read",
    "mark_notification_read",
    "new_version",
    "notify",
    "publish_version",
    "refresh_prefill",
    "replace_draft_definition",
    "report_url",
    "save_report",
    "submit_report",
    "transition_report",
    "update_directive",
]
