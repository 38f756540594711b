"""The consolidated report as an A4 PDF laid out by Decree 30/2020/NĐ-CP, Appendix I.

Measurements used (Appendix I, Part I–II; a range in the decree, the value chosen here):

- A4 portrait; margins top and bottom 20–25 mm (20), left 30–35 mm (30), right 15–20 mm (15).
- Issuing body, top left: the parent body in capitals, 12–13 pt upright (12); the issuing body in
  capitals, 12–13 pt upright bold (12), centred under it; under it a rule 1/3–1/2 as long as its
  line (0.4), centred. The number "Số: …", 13 pt upright, centred under the rule.
- National name, top right, capitals 12–13 pt upright bold (12); the motto 13–14 pt upright bold
  (13: one point above the name), centred under it, ruled underneath with a line as long as the
  motto's, centred, drawn (not an underline) below the letters' lowest marks (the dot of "ạ").
- Place and date under the motto, 13–14 pt italic (13), centred.
- Document type "BÁO CÁO", capitals 13–14 pt upright bold (14), centred; the summary under it,
  14 pt upright bold, never repeating the type; a rule 1/3–1/2 as long as its line (0.4) under it.
- Body 13–14 pt upright (14), justified, first line indented 1–1.27 cm (1.27), at least 6 pt
  between paragraphs (6), line spacing between single and 1.5 lines (18 pt leading).
- Signer: authority and position in capitals 13–14 pt upright bold (14); the name 13–14 pt bold
  (14), centred under them, with room for the signature and seal.
- "Nơi nhận:" 12 pt italic bold; each recipient 11 pt upright, "- …;", the last "- Lưu: VT.".
- Page numbers 13–14 pt upright (13), centred in the top margin, none on the first page.

What still differs from the decree (known, kept on purpose or not yet done):

- Type face: Liberation Serif 2 instead of Times New Roman (not free to ship). Its letters have
  exactly Times New Roman's widths, so lines break and sit where they would in Times New Roman;
  the shapes differ slightly.
- The seal and signature (cell 8) are left blank for the printed copy; no digital signature.
- The table of figures is part of the body in portrait; the decree allows a landscape page or an
  appendix for wide tables, which a one-column printed table does not need.
- The number is left as "Số:      /" when not given, to be filled in by the records office; the
  drafter's initials and the number of copies (cell 11) are written only if typed in the archive line.
- The decree draws no column widths: the issuing body takes 40% of the text width, the national
  heading 60%, as in the decree's model documents.
"""

import io
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.fonts import addMapping
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm, mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.doctemplate import _FrameBreak  # what KeepTogether puts first to move to a new page

from haidang.reporting.documents.model import DocumentMeta, ReportTable
from haidang.reporting.documents.wording import figure, text, wording

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
FONT = "LiberationSerif"
FONT_BOLD = "LiberationSerif-Bold"
FONT_ITALIC = "LiberationSerif-Italic"
FONT_BOLD_ITALIC = "LiberationSerif-BoldItalic"

MARGIN_TOP = 20
MARGIN_BOTTOM = 20
MARGIN_LEFT = 30
MARGIN_RIGHT = 15
A4_WIDTH_MM = 210
LEFT_SHARE = 0.4  # of the text width, for the issuing body; the national heading takes the rest
SHORT_RULE = 0.4  # under the issuing body and the summary: 1/3 to 1/2 of the line
RULE_WIDTH = 0.6  # points
RULE_GAP = 3  # points between the bottom of a line's box and its rule: below "ạ", "ọ", "ụ"
TAIL_ROWS = 2  # rows of the table kept on the signature's page
# Where a unit's name breaks when it needs two lines: "ỦY BAN NHÂN DÂN / THÀNH PHỐ HÀ NỘI".
NAME_BREAKS = ("THÀNH PHỐ", "TỈNH", "XÃ", "PHƯỜNG", "ĐẶC KHU")


@lru_cache(maxsize=1)
def register_fonts() -> str:
    """Register the Liberation Serif faces with reportlab once per process; returns the family name."""
    for name, file in (
        (FONT, "LiberationSerif-Regular.ttf"),
        (FONT_BOLD, "LiberationSerif-Bold.ttf"),
        (FONT_ITALIC, "LiberationSerif-Italic.ttf"),
        (FONT_BOLD_ITALIC, "LiberationSerif-BoldItalic.ttf"),
    ):
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file)))
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, FONT_BOLD)
    addMapping(FONT, 0, 1, FONT_ITALIC)
    addMapping(FONT, 1, 1, FONT_BOLD_ITALIC)
    return FONT


def _style(name: str, size: float, font: str = FONT, align=TA_CENTER, leading: float | None = None, **more):
    leading = leading or round(size * 1.2, 1)  # single line spacing
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading, alignment=align, **more)


def _styles() -> dict:
    return {
        "parent": _style("parent", 12),
        "body_name": _style("body_name", 12, FONT_BOLD),
        "number": _style("number", 13),
        "nation": _style("nation", 12, FONT_BOLD),
        "motto": _style("motto", 13, FONT_BOLD),
        "date": _style("date", 13, FONT_ITALIC),
        "type": _style("type", 14, FONT_BOLD),
        "summary": _style("summary", 14, FONT_BOLD),
        "heading": _style("heading", 14, FONT_BOLD, TA_LEFT, 18, spaceBefore=6, spaceAfter=6, keepWithNext=1),
        "body": _style("body", 14, FONT, TA_JUSTIFY, 18, firstLineIndent=1.27 * cm, spaceAfter=6),
        "cell": _style("cell", 12, FONT, TA_LEFT, 14),
        "cell_bold": _style("cell_bold", 12, FONT_BOLD, TA_LEFT, 14),
        "cell_centre": _style("cell_centre", 12, FONT, TA_CENTER, 14),
        "cell_head": _style("cell_head", 12, FONT_BOLD, TA_CENTER, 14),
        "figure": _style("figure", 12, FONT, TA_RIGHT, 14),
        "figure_bold": _style("figure_bold", 12, FONT_BOLD, TA_RIGHT, 14),
        "recipients_head": _style("recipients_head", 12, FONT_BOLD_ITALIC, TA_LEFT),
        "recipient": _style("recipient", 11, FONT, TA_LEFT),
        "signer": _style("signer", 14, FONT_BOLD),
    }


def _p(value: str, style) -> Paragraph:
    return Paragraph(escape(text(value)).replace("\n", "<br/>"), style)


class CentredRule(Flowable):
    """A drawn rule centred under the paragraph above it, `share` of that paragraph's longest line.

    Measured from the paragraph as it was laid out, so the rule stays centred under the words
    whatever their length, and drawn RULE_GAP below the paragraph's box so it never cuts a letter.
    """

    def __init__(self, above: Paragraph, share: float):
        super().__init__()
        self.above = above
        self.share = share

    def wrap(self, available_width, available_height):
        self.width = available_width
        return available_width, RULE_GAP + RULE_WIDTH

    def draw(self):
        length = max(self.above.getActualLineWidths0() or [0]) * self.share
        start = (self.width - length) / 2
        self.canv.setLineWidth(RULE_WIDTH)
        self.canv.line(start, RULE_WIDTH / 2, start + length, RULE_WIDTH / 2)


def _two_lines(name: str, font: str, size: float, width: float) -> str:
    """A unit's name in capitals, broken before its level word when it does not fit on one line."""
    name = " ".join(text(name).upper().split())
    if pdfmetrics.stringWidth(name, font, size) <= width:
        return name
    for word in NAME_BREAKS:
        at = name.find(" " + word + " ")
        if at > 0:
            first, second = name[:at], name[at + 1 :]
            if max(pdfmetrics.stringWidth(part, font, size) for part in (first, second)) <= width:
                return f"{first}\n{second}"
    return name  # the paragraph wraps it where it must


def _heading(meta: DocumentMeta, words: dict, styles: dict, frame_width: float) -> Table:
    left_width = frame_width * LEFT_SHARE
    right_width = frame_width - left_width
    left = []
    if meta.parent_body:
        left.append(_p(_two_lines(meta.parent_body, FONT, 12, left_width), styles["parent"]))
    body_name = _p(_two_lines(meta.issuing_body, FONT_BOLD, 12, left_width), styles["body_name"])
    left += [body_name, CentredRule(body_name, SHORT_RULE), Spacer(1, 5), _p(words["number"], styles["number"])]
    motto = _p(words["motto"], styles["motto"])
    right = [
        _p(words["nation"], styles["nation"]),
        motto,
        CentredRule(motto, 1.0),
        Spacer(1, 5),
        _p(words["date"], styles["date"]),
    ]
    heading = Table([[left, right]], colWidths=[left_width, right_width])
    heading.setStyle(_flat())
    return heading


def _flat() -> TableStyle:
    return TableStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ]
    )


def _title(words: dict, styles: dict) -> list:
    lines = words["title"]
    story = [_p(lines[0], styles["type"])]
    if len(lines) > 1:
        summary = _p("\n".join(lines[1:]), styles["summary"])
        story += [summary, CentredRule(summary, SHORT_RULE)]
    return story


class _KeepWithSignature(KeepTogether):
    """The last rows of the table and the signature block, on one page.

    When they do not fit under the rest of the table and move to the next page, the rows there get
    the table's header again (`moved`), as every other page of the table has it.
    """

    def __init__(self, content: list, moved: list):
        super().__init__(content)
        self.moved = moved

    def split(self, available_width, available_height):
        parts = super().split(available_width, available_height)
        if parts and isinstance(parts[0], _FrameBreak):
            return [parts[0], *self.moved]
        return parts


def consolidated_pdf(table: ReportTable, meta: DocumentMeta) -> bytes:
    """The report as an A4 PDF with embedded Liberation Serif, so every diacritic survives."""
    register_fonts()
    words = wording(meta)
    styles = _styles()
    frame_width = (A4_WIDTH_MM - MARGIN_LEFT - MARGIN_RIGHT) * mm

    story = [_heading(meta, words, styles, frame_width), Spacer(1, 8 * mm), *_title(words, styles), Spacer(1, 6 * mm)]
    body_start = len(story)
    for section in meta.sections:
        if section.heading:
            story.append(_p(section.heading, styles["heading"]))
        story.extend(_p(paragraph, styles["body"]) for paragraph in section.paragraphs)
    if meta.table_caption:
        story.append(_p(meta.table_caption, styles["heading"]))

    signature = [Spacer(1, 8 * mm), _signature(meta, words, styles, frame_width)]
    grid = _FiguresGrid(table, words, styles, frame_width)
    if grid.lines:
        body, tail, tail_with_header = grid.split_tail(TAIL_ROWS)
        story.append(body)
        story.append(_KeepWithSignature([tail, *signature], [tail_with_header, *signature]))
    else:
        # No figures: the last paragraph of the body goes with the signature.
        last = [story.pop()] if len(story) > body_start else []
        story.append(KeepTogether([*last, grid.whole(), *signature]))

    out = io.BytesIO()

    def number_pages(canvas, document):
        # Decree 30: page numbers centred in the top margin, upright 13–14 pt, from the second page on.
        canvas.saveState()
        canvas.setFont(FONT, 13)
        canvas.drawCentredString(A4[0] / 2, A4[1] - MARGIN_TOP * mm / 2, str(document.page))
        canvas.restoreState()

    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        topMargin=MARGIN_TOP * mm,
        bottomMargin=MARGIN_BOTTOM * mm,
        leftMargin=MARGIN_LEFT * mm,
        rightMargin=MARGIN_RIGHT * mm,
        title=" ".join(words["title"]),
        author=meta.issuing_body,
        subject=meta.subject,
    )
    document.build(story, onLaterPages=number_pages)
    return out.getvalue()


class _FiguresGrid:
    """The table of figures (No. | Indicator | Unit of count | figures…), whole or with its last rows
    apart so they can stay with the signature."""

    def __init__(self, table: ReportTable, words: dict, styles: dict, frame_width: float):
        width = len(table.columns)
        number_width, measure_width = 14 * mm, 22 * mm
        figure_width = min(28 * mm, (frame_width - number_width - measure_width - 55 * mm) / max(width, 1))
        name_width = frame_width - number_width - measure_width - figure_width * width
        self.widths = [number_width, name_width, measure_width] + [figure_width] * width
        head = [_p(value, styles["cell_head"]) for value in (words["no"], words["indicator"], words["measure"])]
        self.head = head + [_p(value, styles["cell_head"]) for value in table.columns]
        self.lines: list[list] = []
        self.bold: set[int] = set()  # indexes in `lines` of the indicator rows
        for number, indicator in enumerate(table.rows, 1):
            self.bold.add(len(self.lines))
            self.lines.append(
                [
                    _p(str(number), styles["cell_centre"]),
                    _p(indicator.name, styles["cell_bold"]),
                    _p(indicator.measure, styles["cell_centre"]),
                ]
                + [_p(figure(value), styles["figure_bold"]) for value in indicator.total[:width]]
            )
            self.lines.extend(
                ["", _p("– " + cell.label, styles["cell"]), ""]
                + [_p(figure(value), styles["figure"]) for value in cell.values[:width]]
                for cell in indicator.cells
            )

    def _grid(self, lines: list[list], first: int, header: bool) -> Table:
        rows = [self.head, *lines] if header else list(lines)
        shift = 1 if header else 0
        grid = Table(rows, colWidths=self.widths, repeatRows=1 if header else 0)
        commands = [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        # A heavier rule above each indicator groups its breakdown lines under it.
        commands += [
            ("LINEABOVE", (0, index - first + shift), (-1, index - first + shift), 0.8, colors.black)
            for index in self.bold
            if first <= index < first + len(lines)
        ]
        grid.setStyle(TableStyle(commands))
        return grid

    def whole(self) -> Table:
        return self._grid(self.lines, 0, header=True)

    def split_tail(self, count: int) -> tuple[Table, Table, Table]:
        """(the table without its last `count` rows, those rows alone, those rows under the header)."""
        if len(self.lines) <= count:  # a short table goes with the signature whole
            return Spacer(1, 0), self.whole(), self.whole()
        cut = len(self.lines) - count
        body = self._grid(self.lines[:cut], 0, header=True)
        return body, self._grid(self.lines[cut:], cut, header=False), self._grid(self.lines[cut:], cut, header=True)


def _signature(meta: DocumentMeta, words: dict, styles: dict, frame_width: float) -> Table:
    """Recipients on the left (cell 9), the signer on the right (cells 7a–7c), side by side."""
    left_width = frame_width * LEFT_SHARE
    recipients = [_p(words["recipients"], styles["recipients_head"])]
    recipients += [_p(line, styles["recipient"]) for line in words["recipient_lines"]]
    signer = [_p(line.upper(), styles["signer"]) for line in (meta.signer_authority, meta.signer_position) if line]
    if meta.signer_name:
        signer += [Spacer(1, 25 * mm), _p(meta.signer_name, styles["signer"])]
    block = Table([[recipients, signer]], colWidths=[left_width, frame_width - left_width])
    block.setStyle(_flat())
    return block
