"""Reads of imports for a user: the one scoped path for the pages and the API."""

from django.db.models import Q, QuerySet

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.exchange.models import ImportBatch, ImportKind, StagedRow


def imports_visible_to(user) -> QuerySet[ImportBatch]:
    """Imports of the user's area for someone who may import; a case register (it names people) only
    for those who may also see identities, and always the user's own."""
    scope = scope_for(user)
    if not scope.can(Capability.IMPORT_EXPORT):
        return ImportBatch.objects.none()
    queryset = scope.filter(ImportBatch.objects.all(), Capability.IMPORT_EXPORT, widen=Q(created_by=user))
    if not scope.can(Capability.VIEW_IDENTITY):
        queryset = queryset.filter(~Q(kind=ImportKind.CASES) | Q(created_by=user))
    return queryset.select_related("unit", "agency", "created_by")


def get_import_for_user(user, batch_id) -> ImportBatch | None:
    try:
        return imports_visible_to(user).filter(pk=batch_id).first()
    except (ValueError, TypeError):
        return None


def problem_rows(batch: ImportBatch) -> QuerySet[StagedRow]:
    """Rows with errors or warnings, in the sheet's order."""
    return batch.rows.filter(Q(error_count__gt=0) | Q(warning_count__gt=0)).order_by("row_number")


def row_messages(batch: ImportBatch, *, limit: int | None = None) -> tuple[list[dict], list[dict]]:
    """(errors, warnings) as {"row", "column", "value", "message"}: the file's own errors first."""
    errors = list(batch.file_errors)
    warnings: list[dict] = []
    for row in problem_rows(batch).iterator(chunk_size=500):
        errors.extend(row.errors)
        warnings.extend(row.warnings)
        if limit is not None and len(errors) >= limit and len(warnings) >= limit:
            break
    if limit is not None:
        return errors[:limit], warnings[:limit]
    return errors, warnings
