"""What the reporting pages share: records come from the selectors (scope in one place; out of
scope is a 404), and a service's ValidationError is put back on the field it names.
"""

from django.core.exceptions import ValidationError
from django.http import Http404

from haidang.access.scope import scope_for
from haidang.reporting import selectors
from haidang.reporting.permissions import ISSUE, REVIEW, VIEW_STATISTICS

# Rights that let a user follow a directive's progress and figures over a unit.
OVERSIGHT = (ISSUE, REVIEW, VIEW_STATISTICS)


def _apply_errors(form, error: ValidationError) -> None:
    """Put a service's {field: [message]} errors on the form's fields (by the form's own name)."""
    aliases = getattr(form, "error_aliases", {})
    if hasattr(error, "error_dict"):
        for name, texts in error.message_dict.items():
            name = aliases.get(name, name)
            form.add_error(name if name in form.fields else None, texts)
    else:
        form.add_error(None, error.messages)


def _error_texts(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [text for texts in error.message_dict.values() for text in texts]
    return list(error.messages)


def _get_directive(user, directive_id):
    directive = selectors.get_directive_for_user(user, directive_id)
    if directive is None:
        raise Http404
    return directive


def _get_report(user, report_id):
    report = selectors.get_report_for_user(user, report_id)
    if report is None:
        raise Http404
    return report


def _oversees(user, unit) -> bool:
    scope = scope_for(user)
    return any(scope.covers_unit(unit, capability) for capability in OVERSIGHT)
