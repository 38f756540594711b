from haidang.exchange.models.imports import (  # noqa: F401
    ImportBatch,
    ImportFile,
    ImportKind,
    ImportLink,
    ImportStatus,
    RowAction,
    StagedRow,
)
