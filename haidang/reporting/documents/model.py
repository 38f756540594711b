"""What an official document is made of: its heading details, body sections and table of figures."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Section:
    """A body section: an optional heading and its paragraphs (the report's narratives)."""

    heading: str = ""
    paragraphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocumentMeta:
    parent_body: str  # e.g. "UBND THÀNH PHỐ HÀ NỘI"; may be blank for a body with no parent line
    issuing_body: str  # e.g. "SỞ Y TẾ"
    number: str  # e.g. "123/BC-UBND"; blank leaves "Số:" with a gap to fill in by hand
    place: str  # e.g. "Hà Nội"
    issued_on: date
    subject: str  # what the report is about, e.g. "Kết quả thực hiện Tháng hành động phòng, chống mua bán người"
    period_label: str  # e.g. "Quý III/2026"
    sections: tuple[Section, ...] = ()
    signer_authority: str = ""  # e.g. "TM. ỦY BAN NHÂN DÂN" (blank when the head signs directly)
    signer_position: str = ""  # e.g. "CHỦ TỊCH"
    signer_name: str = ""
    recipients: tuple[str, ...] = ()  # the "Nơi nhận" list
    table_caption: str = ""
    language: str = "vi"


@dataclass(frozen=True)
class Cell:
    """One breakdown cell of an indicator, e.g. "Nữ, dưới 16 tuổi"; `values` per table column."""

    label: str
    values: tuple[int | None, ...]


@dataclass(frozen=True)
class IndicatorRow:
    code: str
    name: str
    measure: str  # the unit of count, e.g. "người"
    total: tuple[int | None, ...]
    cells: tuple[Cell, ...] = ()

    @classmethod
    def summed(cls, code: str, name: str, measure: str, cells: Sequence[Cell], width: int) -> "IndicatorRow":
        """A row whose total is the sum of its cells, column by column (blank if every cell is blank)."""
        return cls(
            code=code,
            name=name,
            measure=measure,
            total=sum_columns((c.values for c in cells), width),
            cells=tuple(cells),
        )


@dataclass(frozen=True)
class ReportTable:
    columns: tuple[str, ...]  # headings of the figure columns, e.g. ("Kỳ báo cáo",)
    rows: tuple[IndicatorRow, ...] = field(default_factory=tuple)


def sum_columns(rows: Iterable[Sequence[int | None]], width: int) -> tuple[int | None, ...]:
    totals: list[int | None] = [None] * width
    for values in rows:
        for index, value in enumerate(values[:width]):
            if value is not None:
                totals[index] = (totals[index] or 0) + value
    return tuple(totals)
