"""The fixed wording of an official document and the lines built from the user's details, shared by
the PDF and the XLSX so both say the same thing once."""

import re
import unicodedata

from django.utils import translation
from django.utils.translation import pgettext

from haidang.reporting.documents.model import DocumentMeta

# A recipient line that is the archive line itself ("Lưu: VT", "Lưu VT, KGVX", "- Lưu: VT.").
ARCHIVE_LINE = re.compile(r"^(lưu|filed)\b", re.IGNORECASE)


def text(value):
    """Decomposed diacritics (from older files or some keyboards) are composed before writing, so a
    reader's search for "Hà Nội" finds them and the PDF font draws one glyph per letter."""
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def figure(value: int | None) -> str:
    """A count in an official document: Vietnamese writes thousands with a dot (50.640)."""
    return "" if value is None else f"{value:,}".replace(",", ".")


def date_line(meta: DocumentMeta) -> str:
    # Decree 30: days below 10 and the months January and February are written with a leading zero.
    day = f"{meta.issued_on.day:02d}"
    month = f"{meta.issued_on.month:02d}" if meta.issued_on.month < 3 else str(meta.issued_on.month)
    return pgettext("official document", "%(place)s, day %(day)s month %(month)s year %(year)s") % {
        "place": meta.place,
        "day": day,
        "month": month,
        "year": meta.issued_on.year,
    }


def number_line(meta: DocumentMeta) -> str:
    return pgettext("official document", "No.: %(number)s") % {"number": meta.number or "      /"}


def summary_line(subject: str, type_name: str) -> str:
    """The summary under the document type, without repeating the type: a form called "Báo cáo kết
    quả …" under "BÁO CÁO" reads "Kết quả …" (Decree 30, Appendix I: type name, then summary)."""
    subject = " ".join(text(subject or "").split())
    if subject.casefold().startswith(type_name.casefold()):
        rest = subject[len(type_name) :].lstrip(" :-–—")
        if rest:
            subject = rest[0].upper() + rest[1:]
    return subject


def title_lines(meta: DocumentMeta) -> list[str]:
    """The document type in capitals, then the summary and the period, each once."""
    type_name = pgettext("official document", "REPORT")
    lines = [type_name]
    summary = summary_line(meta.subject, type_name)
    if summary:
        lines.append(summary)
    period = text(meta.period_label or "").strip()
    if period and period.casefold() not in summary.casefold():
        lines.append(period)
    return lines


def recipient_lines(recipients, archive: str) -> list[str]:
    """The "Nơi nhận" list: "- name;" for each recipient, then the archive line, once, ending with a
    full stop (Decree 30, Appendix I, item 9). A line typed for the archive ("Lưu: VT, KGVX") takes the
    place of the default one instead of repeating it; a recipient typed twice is listed once."""
    names: list[str] = []
    typed_archive = ""
    for raw in recipients:
        name = text(raw or "").strip().lstrip("-–•+ ").rstrip(";.,").strip()
        if not name:
            continue
        if ARCHIVE_LINE.match(name):
            typed_archive = name
        elif name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    return [f"- {name};" for name in names] + [f"- {typed_archive}." if typed_archive else archive]


def wording(meta: DocumentMeta) -> dict:
    with translation.override(meta.language):
        return {
            "nation": pgettext("official document", "SOCIALIST REPUBLIC OF VIETNAM"),
            "motto": pgettext("official document", "Independence - Freedom - Happiness"),
            "number": number_line(meta),
            "date": date_line(meta),
            "title": title_lines(meta),
            "no": pgettext("official document", "No."),
            "indicator": pgettext("official document", "Indicator"),
            "measure": pgettext("official document", "Unit of count"),
            "recipients": pgettext("official document", "Recipients:"),
            "recipient_lines": recipient_lines(
                meta.recipients, pgettext("official document", "- Filed: records office.")
            ),
            "data_sheet": pgettext("official document", "Data"),
            "report_sheet": pgettext("official document", "Report"),
            "code": pgettext("official document", "Indicator code"),
            "breakdown": pgettext("official document", "Breakdown"),
            "column": pgettext("official document", "Column"),
            "value": pgettext("official document", "Value"),
            "total": pgettext("official document", "Total"),
        }
