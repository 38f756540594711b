"""The consolidated report as an official document: XLSX and PDF in the Vietnamese administrative
layout (Decree 30/2020/NĐ-CP on clerical work, Appendix I).

Layout, top to bottom: the issuing body (parent body above, issuing agency in bold below, a short
rule under it) with the document number under it on the left; the national name and the motto
(ruled as long as its line) on the right, place and date under them; the document type and its
summary, centred, with a short rule; the body paragraphs; the table; the signature block, kept on
one page with the last lines of the body, with the recipients ("Nơi nhận", ending "Lưu: VT.")
on the left. A4 portrait, margins inside the decree's ranges.

Input is plain data (`DocumentMeta` and `ReportTable`), so this package never touches the
database; the consolidated view builds both from the selectors. Official documents are in
Vietnamese, so the fixed wording is rendered in `meta.language` (Vietnamese unless asked otherwise).
"""

from haidang.reporting.documents.model import Cell, DocumentMeta, IndicatorRow, ReportTable, Section, sum_columns
from haidang.reporting.documents.pdf import consolidated_pdf, register_fonts
from haidang.reporting.documents.xlsx import consolidated_xlsx

__all__ = [
    "Cell",
    "DocumentMeta",
    "IndicatorRow",
    "ReportTable",
    "Section",
    "consolidated_pdf",
    "consolidated_xlsx",
    "register_fonts",
    "sum_columns",
]
