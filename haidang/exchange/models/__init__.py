"""Exchange: imports of the registers people keep and exports in HTCDS v2 (one module per side)."""

from haidang.exchange.models.exports import Export, ExportAudience, ExportFormat, ExportStatus
from haidang.exchange.models.imports import (
    REGISTER_KINDS,
    ImportBatch,
    ImportFile,
    ImportKind,
    ImportLink,
    ImportStatus,
    RowAction,
    StagedRow,
)

__all__ = [
    "Export",
    "ExportAudience",
    "ExportFormat",
    "ExportStatus",
    "ImportBatch",
    "ImportFile",
    "ImportKind",
    "ImportLink",
    "ImportStatus",
    "REGISTER_KINDS",
    "RowAction",
    "StagedRow",
]
