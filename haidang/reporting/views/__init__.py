"""Pages for directives and reports: issue a directive, the recipient's tasks, fill in and submit,
review, completeness and the consolidated figures with their official document.

Records come from the selectors (scope in one place; out of scope is a 404), writes go through
the services, and a service's ValidationError is put back on the field it names.

One module per topic: `directives`, `reports` (with the task lists), `consolidation`
(completeness and consolidated figures) and `notifications`; `urls.py` names them from here.
"""

from haidang.reporting.views.consolidation import completeness, consolidated, consolidated_export
from haidang.reporting.views.directives import (
    attachment_download,
    directive_cancel,
    directive_detail,
    directive_edit,
    directive_issue,
    directive_list,
    directive_new,
)
from haidang.reporting.views.notifications import notification_open, notifications, notifications_read_all
from haidang.reporting.views.reports import report_detail, report_refresh, report_review, reviews, tasks

__all__ = [
    "attachment_download",
    "completeness",
    "consolidated",
    "consolidated_export",
    "directive_cancel",
    "directive_detail",
    "directive_edit",
    "directive_issue",
    "directive_list",
    "directive_new",
    "notification_open",
    "notifications",
    "notifications_read_all",
    "report_detail",
    "report_refresh",
    "report_review",
    "reviews",
    "tasks",
]
