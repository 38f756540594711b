"""Downloadable workbooks: a template per kind of register (Vietnamese headers, a sheet of instructions,
drop-down lists for code fields, a synthetic example row) and the uploaded sheet given back with an
error column, so the keeper can fix the rows where they are."""

import io

from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from haidang.exchange.imports.kinds.activities import SCHEMA as ACTIVITIES
from haidang.exchange.imports.kinds.cases import SCHEMA as CASES
from haidang.exchange.imports.kinds.criminal_cases import SCHEMA as CRIMINAL_CASES
from haidang.exchange.imports.kinds.support import SCHEMA as SUPPORT
from haidang.exchange.imports.readers import open_sheet
from haidang.exchange.imports.registry import kind_for
from haidang.exchange.models import ImportBatch
from haidang.exchange.rows import ERROR_HEADER, Schema

DATA_SHEET = "Dữ liệu"
INSTRUCTIONS_SHEET = "Hướng dẫn"
LISTS_SHEET = "Danh mục"
BOLD = Font(bold=True)
ERROR_FILL = PatternFill("solid", fgColor="FDE2E1")

EXAMPLES = {
    "activities": {
        "register_number": "HD-2026-001",
        "activity_type": "Buổi tuyên truyền",
        "title": "Tuyên truyền phòng, chống mua bán người tại nhà văn hóa thôn 3 (ví dụ)",
        "start_date": "30/07/2026",
        "end_date": "30/07/2026",
        "unit": "Xã Thạch Thất, Thành phố Hà Nội",
        "place": "Nhà văn hóa thôn 3",
        "organiser": "Ủy ban nhân dân Thành phố Hà Nội",
        "co_organisers": "Hội Liên hiệp Phụ nữ Thành phố Hà Nội",
        "target_groups": "Phụ nữ; Thanh niên",
        "sessions": 1,
        "participants": "120",
        "material_leaflet": "1.000",
        "cost": "5.000.000",
        "funding_source": "Ngân sách địa phương",
    },
    "cases": {
        "register_number": "SO-2026-001",
        "full_name": "Nguyễn Thị Ví Dụ (minh họa)",
        "sex": "Nữ",
        "birth_year": 2001,
        "intake_channel": "Tự trình báo",
        "reception_date": "15/03/2026",
        "unit": "Xã Thạch Thất, Thành phố Hà Nội",
        "address": "Thôn 3, xã Thạch Thất",
        "exploitation_forms": "Bóc lột tình dục",
        "destination_country": "KHM",
        "route": "Việt Nam – Campuchia",
        "verification_date": "16/03/2026",
    },
    "criminal_cases": {
        "register_number": "VA-2026-001-1",
        "number": "12/VA",
        "article": "Điều 150 — Tội mua bán người",
        "detected_on": "10/03/2026",
        "prosecution_opened_on": "20/03/2026",
        "investigating_agency": "Công an Thành phố Hà Nội",
        "unit": "Thành phố Hà Nội",
        "route": "Việt Nam – Campuchia",
        "destination_country": "KHM",
        "exploitation_forms": "Cưỡng ép thực hiện hành vi phạm tội (kể cả lừa đảo trực tuyến)",
        "full_name": "Trần Văn Ví Dụ (minh họa)",
        "sex": "Nam",
        "birth_year": 1990,
        "nationality": "VNM",
        "role": "Kẻ môi giới",
        "prosecuted_on": "25/03/2026",
    },
    "support": {
        "register_number": "HT-2026-001",
        "case_number": "HN-2026-00001",
        "regime": "Hỗ trợ nhu cầu thiết yếu",
        "item": "Tiền ăn",
        "provider": "Cơ sở trợ giúp nạn nhân Hà Nội (minh họa)",
        "start_date": "16/03/2026",
        "end_date": "25/03/2026",
        "quantity": 10,
    },
}
SCHEMAS = {"activities": ACTIVITIES, "cases": CASES, "criminal_cases": CRIMINAL_CASES, "support": SUPPORT}

FORMATS = {
    "text": "Chữ",
    "day": "Ngày dd/mm/yyyy (ví dụ 30/07/2026)",
    "count": "Số nguyên, có thể viết 10.000",
    "amount": "Số tiền (đồng), có thể viết 5.000.000",
    "code": "Chọn một giá trị trong danh sách",
    "codes": "Một hoặc nhiều giá trị trong danh sách, cách nhau bởi dấu ;",
    "unit": "Tên xã, phường (kèm tỉnh, thành phố), đúng với ngày của dòng; hoặc mã đơn vị",
}


# What a kind of register needs said beyond its columns.
NOTES = {
    "cases": [
        "Các bước đã thực hiện: ghi ngày của từng bước theo đúng thứ tự (tiếp nhận → thông báo, xác minh ban đầu"
        " → xác định là nạn nhân → trở về nơi cư trú → hỗ trợ tái hòa nhập cộng đồng); để trống các bước chưa làm.",
        "Bước xác định là nạn nhân cần đủ: ngày quyết định, căn cứ xác định, loại, cơ quan cấp, số và ngày cấp"
        " giấy xác nhận.",
        "Mỗi bước chỉ cơ quan được pháp luật giao mới được ghi; bước mà cơ quan của người nhập không được làm"
        " sẽ báo lỗi ở dòng đó, ghi rõ cơ quan nào được làm.",
    ],
}


def _instructions(book: Workbook, schema: Schema, kind: str = "") -> None:
    sheet = book.create_sheet(INSTRUCTIONS_SHEET)
    sheet.append(["Cột", "Bắt buộc", "Cách ghi", "Giá trị được chọn"])
    for cell in sheet[1]:
        cell.font = BOLD
    for column in schema.columns:
        values = "; ".join(str(label) for _code, label in column.choices)
        sheet.append([column.header, "Có" if column.required else "", FORMATS[column.kind], values[:32_000]])
    sheet.append([])
    sheet.append(["Mỗi dòng là một bản ghi; cột đầu là số trong sổ, dùng để nhập lại mà không tạo bản trùng."])
    sheet.append(["Công thức không được tính: chỉ giá trị đã lưu trong tệp được đọc. Không dùng tệp có macro."])
    for line in NOTES.get(kind, []):
        sheet.append([line])
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["C"].width = 60
    sheet.column_dimensions["D"].width = 80


def _drop_downs(book: Workbook, data, schema: Schema) -> None:
    lists = book.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    position = 0
    for number, column in enumerate(schema.columns, start=1):
        if column.kind not in ("code",) or not column.choices:
            continue
        position += 1
        letter = get_column_letter(position)
        lists.cell(row=1, column=position, value=column.header)
        for row, (_code, label) in enumerate(column.choices, start=2):
            lists.cell(row=row, column=position, value=str(label))
        last = len(column.choices) + 1
        validation = DataValidation(
            type="list", formula1=f"='{LISTS_SHEET}'!${letter}$2:${letter}${last}", allow_blank=not column.required
        )
        validation.error = "Chọn một giá trị trong danh sách."
        validation.errorTitle = column.header
        target = get_column_letter(number)
        validation.add(f"{target}2:{target}10000")
        data.add_data_validation(validation)


def template_workbook(kind: str) -> bytes:
    """The template for a kind of register, in Vietnamese whatever the page's language."""
    schema = SCHEMAS[kind]
    kind_for(kind)  # the code lists (ethnic groups) are filled in
    with translation.override("vi"):
        book = Workbook()
        data = book.active
        data.title = DATA_SHEET
        data.append(schema.headers)
        for cell in data[1]:
            cell.font = BOLD
        example = EXAMPLES[kind]
        data.append([example.get(column.key) for column in schema.columns])
        for number, column in enumerate(schema.columns, start=1):
            data.column_dimensions[get_column_letter(number)].width = max(14, min(40, len(column.header) + 4))
        data.freeze_panes = "A2"
        _instructions(book, schema, kind)
        _drop_downs(book, data, schema)
        out = io.BytesIO()
        book.save(out)
    return out.getvalue()


def _messages_by_row(batch: ImportBatch) -> dict[int, str]:
    rows: dict[int, list[str]] = {}
    for error in batch.file_errors:
        rows.setdefault(error.get("row") or 1, []).append(_line(error))
    for staged in batch.rows.filter(error_count__gt=0).order_by("row_number").iterator(chunk_size=500):
        rows.setdefault(staged.row_number, []).extend(_line(error) for error in staged.errors)
    return {row: " | ".join(lines) for row, lines in rows.items()}


def _line(error: dict) -> str:
    column = error.get("column") or ""
    return f"{column}: {error['message']}" if column else error["message"]


def error_workbook(batch: ImportBatch) -> bytes:
    """The uploaded sheet as it was (values only), with a last column of what is wrong on each row.
    Written in streaming mode, row by row."""
    messages = _messages_by_row(batch)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(DATA_SHEET)
    with batch.upload.file.open("rb") as stream:
        reader = getattr(kind_for(batch.kind), "file_sheet", None)  # a kind with a format of its own (HTCDS JSON)
        if reader is not None:
            source = reader(stream, batch, max_rows=10**7)
        else:
            source = open_sheet(stream, batch.content_type, max_rows=10**7)
        sheet.append([*source.header, ERROR_HEADER])
        width = len(source.header)
        for number, cells in source.rows:
            values = list(cells)[:width] + [None] * max(0, width - len(cells))
            sheet.append([*values, messages.get(number, "")])
        if 1 in messages:  # the header's own problems (missing or extra columns)
            sheet.append([None] * width + [messages[1]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


__all__ = ["error_workbook", "template_workbook"]
