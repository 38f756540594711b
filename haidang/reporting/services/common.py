"""What the reporting services share: limits and the errors they raise (the links they send are in
`reporting.notices`).

Directives and reports carry a version: a write names the version it read, and a stale one
changes nothing (`common.errors.StaleVersionError`).
"""

from django.core.exceptions import ValidationError

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_FIGURE = 10**12
MAX_TEXT = 20_000


class ReportValidationError(ValidationError):
    """The report cannot be submitted: each problem names the indicator (or section) and breakdown.

    `problems` is a list of {"indicator", "breakdown", "message"}; as a ValidationError its fields
    are "values[<indicator>][<breakdown>]" and "narratives[<section>]".
    """

    def __init__(self, problems: list[dict]):
        self.problems = problems
        fields: dict[str, list[str]] = {}
        for problem in problems:
            fields.setdefault(problem["field"], []).append(problem["message"])
        super().__init__(fields)
