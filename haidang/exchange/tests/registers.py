"""Registers for the import tests, written as the people who keep them would (synthetic data only)."""

import csv
import io

from openpyxl import Workbook

from haidang.exchange.imports.kinds.activities import SCHEMA as ACTIVITIES
from haidang.exchange.imports.kinds.cases import SCHEMA as CASES
from haidang.exchange.imports.kinds.criminal_cases import SCHEMA as CRIMINAL_CASES
from haidang.exchange.imports.kinds.support import SCHEMA as SUPPORT

HN_COMMITTEE = "Ủy ban nhân dân Thành phố Hà Nội"
HN_WOMEN = "Hội Liên hiệp Phụ nữ Thành phố Hà Nội"


def activity_row(number="HD-001", **values) -> dict:
    row = {
        "register_number": number,
        "activity_type": "Buổi tuyên truyền",
        "title": "Truyền thông phòng, chống mua bán người tại thôn 3",
        "start_date": "30/07/2026",
        "unit": "Xã Thạch Thất, Hà Nội",
        "organiser": HN_COMMITTEE,
        "co_organisers": HN_WOMEN,
        "target_groups": "Phụ nữ; Thanh niên",
        "sessions": 2,
        "participants": "1.250",
        "material_leaflet": "4.000",
        "cost": "12.500.000",
    }
    row.update(values)
    return row


def case_row(number="SO-001", **values) -> dict:
    row = {
        "register_number": number,
        "full_name": "Nguyễn Thị Minh Hòa (minh họa)",
        "sex": "Nữ",
        "birth_year": 2001,
        "intake_channel": "Tự trình báo",
        "reception_date": "15/03/2026",
        "unit": "Xã Thạch Thất, Hà Nội",
        "exploitation_forms": "Bóc lột tình dục",
        "destination_country": "KHM",
        "route": "Việt Nam–Campuchia",
    }
    row.update(values)
    return row


def xlsx(schema, rows: list[dict], *, headers: list[str] | None = None, cells=None) -> bytes:
    """A workbook whose first sheet holds the headers and the rows (values by column key)."""
    book = Workbook()
    sheet = book.active
    headers = headers if headers is not None else schema.headers
    sheet.append(headers)
    by_header = {column.header: column.key for column in schema.columns}
    for row in rows:
        sheet.append([row.get(by_header.get(header, header)) for header in headers])
    if cells:
        cells(sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(schema, rows: list[dict], *, delimiter=";", bom=True) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(schema.headers)
    writer.writerows([("" if row.get(c.key) is None else row[c.key]) for c in schema.columns] for row in rows)
    text = out.getvalue()
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def criminal_row(key="VA-1", **values) -> dict:
    row = {
        "register_number": key,
        "number": "12/VA",
        "article": "Điều 150 — Tội mua bán người",
        "detected_on": "10/03/2026",
        "prosecution_opened_on": "20/03/2026",
        "investigating_agency": "Công an Thành phố Hà Nội",
        "unit": "Thành phố Hà Nội",
        "route": "Việt Nam–Campuchia",
        "destination_country": "KHM",
        "exploitation_forms": "Cưỡng ép thực hiện hành vi phạm tội (kể cả lừa đảo trực tuyến)",
        "full_name": "Trần Văn Bình (minh họa)",
        "document_number": "001090000123",
        "sex": "Nam",
        "birth_year": 1990,
        "role": "Kẻ môi giới",
        "prosecuted_on": "25/03/2026",
    }
    row.update(values)
    return row


def support_row(number="HT-1", case_number="", **values) -> dict:
    row = {
        "register_number": number,
        "case_number": case_number,
        "regime": "Hỗ trợ nhu cầu thiết yếu",
        "item": "Tiền ăn",
        "provider": "Cơ sở trợ giúp nạn nhân Hà Nội (minh họa)",
        "start_date": "10/03/2026",
        "end_date": "29/03/2026",
        "quantity": "20",
    }
    row.update(values)
    return row


__all__ = [
    "ACTIVITIES",
    "CASES",
    "CRIMINAL_CASES",
    "SUPPORT",
    "activity_row",
    "case_row",
    "criminal_row",
    "csv_bytes",
    "support_row",
    "xlsx",
]
