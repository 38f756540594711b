"""Scoped reads of directives and reports, the task lists, a report's figures and checks, completeness
and the consolidated table.

Who sees what:
- a directive: the issuing side (issue, review or statistics rights over the issuing unit; a
  draft only to those who may issue there) and its recipients;
- a report: its own unit's staff, and anyone with review, issue or statistics rights over its
  unit or over the directive's issuing unit.
Everything outside answers 404 like a missing record.

One module per part: `directives` (who sees which directive and report, the task and review lists,
a directive's recipients), `figures` (a report's values, overrides and rule checks), `consolidation`
(completeness and the consolidated figures) and `notices`. Every public name is importable from here.
"""

from haidang.reporting.selectors.consolidation import (
    Column,
    Completeness,
    CompletenessRow,
    Consolidated,
    ConsolidatedCell,
    ConsolidatedRow,
    completeness,
    consolidated,
    is_expected,
)
from haidang.reporting.selectors.directives import (
    OVERSIGHT,
    can_view_unit,
    directives_visible_to,
    filter_reports,
    get_directive_for_user,
    get_report_for_user,
    history_of,
    reports_visible_to,
    resolve_recipients,
    reviews_for,
    tasks_for,
)
from haidang.reporting.selectors.figures import (
    OPERATORS,
    blocking,
    check_report,
    overrides_of,
    values_by_indicator,
    warnings,
)
from haidang.reporting.selectors.notices import notifications_for, unread_notification_count

__all__ = [
    "OPERATORS",
    "OVERSIGHT",
    "Column",
    "Completeness",
    "CompletenessRow",
    "Consolidated",
    "ConsolidatedCell",
    "ConsolidatedRow",
    "blocking",
    "can_view_unit",
    "check_report",
    "completeness",
    "consolidated",
    "directives_visible_to",
    "filter_reports",
    "get_directive_for_user",
    "get_report_for_user",
    "history_of",
    "is_expected",
    "notifications_for",
    "overrides_of",
    "reports_visible_to",
    "resolve_recipients",
    "reviews_for",
    "tasks_for",
    "unread_notification_count",
    "values_by_indicator",
    "warnings",
]
