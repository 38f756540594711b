"""Forms for directives and reports.

Forms check shape (a real date, a period that exists, a choice from the list); the services
check the rules (deadline after the date, a published form, recipients under the issuer) and
their errors are put back on the field they name.
"""

import re
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from haidang.access.models import Agency, AgencyType
from haidang.common.forms import DayField
from haidang.common.text import clean_text, nfc
from haidang.places.forms import UnitListField, resolve_unit_list_field
from haidang.places.models import UnitLevel
from haidang.reporting import periods
from haidang.reporting.dimensions import DIMENSIONS, TOTAL, cell_key, cell_label, full_cells
from haidang.reporting.models import Measure, ReportFormVersion, VersionStatus
from haidang.reporting.period_field import PeriodField
from haidang.reporting.prefill import SOURCES

CUSTOM = "custom"
MAX_ACTIVITIES = 50
MAX_TEXT = 20_000

# Levels a directive can go to, and the agency types offered at each (blank: the unit as a whole).
RULE_LEVELS = (UnitLevel.PROVINCE, UnitLevel.COMMUNE)
COMMUNE_TYPES = (
    AgencyType.COMMUNE_PEOPLES_COMMITTEE,
    AgencyType.COMMUNE_POLICE,
    AgencyType.WOMENS_UNION,
    AgencyType.YOUTH_UNION,
    AgencyType.SCHOOL,
)
PROVINCE_TYPES = tuple(
    t
    for t in AgencyType
    if t not in (AgencyType.COMMUNE_PEOPLES_COMMITTEE, AgencyType.COMMUNE_POLICE, AgencyType.MINISTRY)
    and t not in (AgencyType.MISSION_ABROAD, AgencyType.PRESS, AgencyType.NGO, AgencyType.SCHOOL)
)


def rule_value(level: int, agency_type: str) -> str:
    return f"{level}:{agency_type}"


class DirectiveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    number = forms.CharField(
        label=_("Number"), max_length=60, help_text=_("As written on the document, e.g. 1368/UBND-VX.")
    )
    issued_on = DayField(label=_("Date of the directive"))
    issuing_agency = forms.ModelChoiceField(label=_("Issuing agency"), queryset=Agency.objects.none())
    title = forms.CharField(
        label=_("Subject of the directive"), max_length=500, widget=forms.TextInput(attrs={"class": "wide"})
    )
    text = forms.CharField(
        label=_("Text"), required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 6})
    )
    activities = forms.CharField(
        label=_("Activities asked for"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One activity per line."),
    )
    form_version = forms.ModelChoiceField(label=_("Report form"), queryset=ReportFormVersion.objects.none())
    period = PeriodField(
        label=_("Period"),
        help_text=_("The period the reports cover: a month, a quarter, six or nine months, a year, or a custom range."),
    )
    deadline = DayField(label=_("Reports due by"), help_text=_("The last day a report counts as on time."))
    recipient_rules = forms.MultipleChoiceField(
        label=_("Recipients by level and agency type"), required=False, widget=forms.CheckboxSelectMultiple
    )
    recipient_agencies = forms.MultipleChoiceField(
        label=_("Recipients by name"), required=False, widget=forms.CheckboxSelectMultiple
    )
    recipient_units = UnitListField(
        label=_("Recipient units by name"),
        required=False,
        date_field="deadline",
        help_text=_(
            "Communes or provinces that report as a whole, one per line, by name or code (units of the deadline day)."
        ),
    )

    error_aliases = {"period_id": "period", "recipients": "recipient_agencies"}

    def __init__(self, *args, agencies, named_agencies, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuing_agency"].queryset = agencies
        self.fields["form_version"].queryset = (
            ReportFormVersion.objects.filter(status=VersionStatus.PUBLISHED)
            .select_related("form")
            .order_by("form__name")
        )
        self.fields["form_version"].label_from_instance = lambda v: (
            _("%(name)s (version %(number)s, %(kind)s)")
            % {
                "name": v.form.name,
                "number": v.number,
                "kind": periods.PeriodType(v.period_type).label.lower(),
            }
        )
        self.fields["recipient_rules"].choices = [
            (rule_value(level, t), "") for level in RULE_LEVELS for t in ("", *AgencyType.values)
        ]
        self.named = list(named_agencies)
        self.user = user
        self.fields["recipient_agencies"].choices = [(str(a.pk), f"{a.name} — {a.unit.name}") for a in self.named]

    def rule_rows(self):
        """The checkbox grid: one row per agency type, one box per level where it applies."""
        chosen = set(self["recipient_rules"].value() or [])
        types = [("", _("The unit as a whole"))] + [(t.value, t.label) for t in AgencyType]
        rows = []
        for agency_type, label in types:
            boxes = []
            for level in RULE_LEVELS:
                offered = agency_type == "" or agency_type in (
                    COMMUNE_TYPES if level == UnitLevel.COMMUNE else PROVINCE_TYPES
                )
                value = rule_value(level, agency_type)
                boxes.append({"offered": offered, "value": value, "checked": value in chosen, "level": level})
            if any(box["offered"] for box in boxes):
                rows.append({"label": label, "boxes": boxes})
        return rows

    @staticmethod
    def rule_levels():
        return [UnitLevel(level).label for level in RULE_LEVELS]

    def clean_number(self):
        return clean_text(self.cleaned_data["number"])

    def clean_title(self):
        return clean_text(self.cleaned_data["title"])

    def clean_text(self):
        return nfc(self.cleaned_data.get("text") or "").strip()

    def clean_activities(self):
        lines = [clean_text(line) for line in (self.cleaned_data.get("activities") or "").splitlines()]
        lines = [line.lstrip("-–•* ").strip() for line in lines if line]
        if len(lines) > MAX_ACTIVITIES:
            raise ValidationError(_("List at most %(count)s activities.") % {"count": MAX_ACTIVITIES})
        return [line for line in lines if line]

    def clean(self):
        data = super().clean()
        if data.get("period") is not None:
            data["period_id"] = data["period"].identifier
        resolve_unit_list_field(self, "recipient_units", data.get("deadline"), user=self.user)
        named = data.get("recipient_rules") or data.get("recipient_agencies") or data.get("recipient_units")
        if not named and not self.errors:
            self.add_error(
                "recipient_rules", _("Choose who receives the directive: by level and agency type, or by name.")
            )
        return data

    def directive_fields(self) -> dict:
        data = self.cleaned_data
        by_id = {str(a.pk): a for a in self.named}
        return {
            "number": data["number"],
            "issued_on": data["issued_on"],
            "issuing_agency": data["issuing_agency"],
            "title": data["title"],
            "text": data["text"],
            "activities": data["activities"],
            "form_version": data["form_version"],
            "period_id": data.get("period_id", ""),
            "deadline": data["deadline"],
            "recipient_rules": [
                {"level": int(value.split(":", 1)[0]), "agency_type": value.split(":", 1)[1]}
                for value in data["recipient_rules"]
            ],
            "recipients": [
                *({"unit": by_id[pk].unit, "agency": by_id[pk]} for pk in data["recipient_agencies"] if pk in by_id),
                *({"unit": unit, "agency": None} for unit in data.get("recipient_units") or []),
            ],
        }


def initial_from_directive(directive) -> dict:
    return {
        "version": directive.version,
        "number": directive.number,
        "issued_on": directive.issued_on,
        "issuing_agency": directive.issuing_agency_id,
        "title": directive.title,
        "text": directive.text,
        "activities": "\n".join(directive.activities.values_list("text", flat=True)),
        "form_version": directive.form_version_id,
        "period": directive.period,
        "deadline": directive.deadline,
        "recipient_rules": [rule_value(r.level, r.agency_type) for r in directive.recipient_rules.all()],
        "recipient_agencies": [
            str(r.agency_id) for r in directive.recipients.filter(rule__isnull=True, agency__isnull=False)
        ],
        "recipient_units": [
            r.unit for r in directive.recipients.filter(rule__isnull=True, agency__isnull=True).select_related("unit")
        ],
    }


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Add a file"), help_text=_("PDF, image or office document, up to 20 MB."))


class CancelForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason for cancelling"), required=False, max_length=2000)


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=(("approve", _("Approve")), ("return", _("Return for correction"))))
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when returning: say what must be corrected."),
    )


class ExportForm(forms.Form):
    """The details of the official document that the system cannot know."""

    number = forms.CharField(label=_("Number and symbol of the report"), required=False, max_length=60)
    place = forms.CharField(label=_("Place"), required=False, max_length=80)
    signer_authority = forms.CharField(
        label=_("Signing on behalf of"), required=False, max_length=120, help_text=_("e.g. TM. ỦY BAN NHÂN DÂN")
    )
    signer_position = forms.CharField(label=_("Position of the signer"), required=False, max_length=120)
    signer_name = forms.CharField(label=_("Name of the signer"), required=False, max_length=120)
    recipients = forms.CharField(
        label=_("Recipients (Nơi nhận)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line."),
    )

    def clean(self):
        data = super().clean()
        for name in ("number", "place", "signer_authority", "signer_position", "signer_name"):
            data[name] = clean_text(data.get(name))
        data["recipients"] = tuple(
            clean_text(line).rstrip(";.") for line in (data.get("recipients") or "").splitlines() if clean_text(line)
        )
        return data


# --- Filling in a report ------------------------------------------------------------------------------

FIELD_PATTERN = re.compile(r"^values\[(?P<code>[^\]]*)\]\[(?P<key>[^\]]*)\]$")
NARRATIVE_PATTERN = re.compile(r"^narratives\[(?P<code>[^\]]*)\]$")


def value_name(code: str, cell) -> str:
    return f"v:{code}:{cell_key(cell)}"


def reason_name(code: str) -> str:
    return f"r:{code}"


def narrative_name(code: str) -> str:
    return f"n:{code}"


def normalise_figure(raw: str) -> str:
    """ "1.200" or "1 200" as a Vietnamese reader writes twelve hundred; anything else as typed."""
    text = (raw or "").strip().replace(" ", "").replace("\u00a0", "")
    if "." in text and all(len(part) == 3 for part in text.split(".")[1:]) and text.split(".")[0].isdigit():
        text = text.replace(".", "")
    return text


@dataclass
class EntryCell:
    cell: tuple
    name: str
    label: str
    text: str  # what the box shows
    computed: int | None = None
    stored: int | None = None
    error: bool = False

    @property
    def differs(self) -> bool:
        return self.computed is not None and self.stored is not None and self.stored != self.computed


@dataclass
class EntryBlock:
    indicator: object
    code: str
    name: str
    measure: str
    source_label: str
    layout: str  # single | row | grid | list
    cells: list  # EntryCell, finest cells in order
    total: int | None
    computed_total: int | None
    reason_name: str
    reason: str
    grid_columns: list = field(default_factory=list)  # labels
    grid_rows: list = field(default_factory=list)  # (label, [EntryCell])
    errors: list = field(default_factory=list)

    @property
    def is_computed(self) -> bool:
        return bool(self.indicator.source)

    @property
    def has_overrides(self) -> bool:
        return any(c.differs for c in self.cells)


@dataclass
class NarrativeBlock:
    section: object
    name: str
    text: str
    errors: list = field(default_factory=list)


class ReportEntry:
    """The figures and narratives of one report as boxes on a page, and what the page sent back.

    Indicators with breakdowns are entered by their finest cells (sex × age band as a grid), as
    the service expects; totals are shown, never typed. A pre-filled indicator has one "reason for
    the change" box that applies to each of its figures that differs from the records.
    """

    def __init__(self, report, stored: dict, narratives: dict, data=None):
        self.report = report
        self.data = data
        self.blocks: list[EntryBlock] = []
        self.sections: list[NarrativeBlock] = []
        self.errors: list[str] = []
        for indicator in report.form_version.indicators.order_by("position", "code"):
            rows = stored.get(indicator.code, {})
            finest = full_cells(indicator.breakdowns)
            entry_cells = []
            for cell in finest:
                row = rows.get(cell)
                name = value_name(indicator.code, cell)
                stored_value = row.value if row is not None else None
                text = data.get(name, "") if data is not None else ("" if stored_value is None else str(stored_value))
                entry_cells.append(
                    EntryCell(
                        cell=cell,
                        name=name,
                        label=cell_label(cell),
                        text=text,
                        computed=row.computed_value if row is not None else None,
                        stored=stored_value,
                    )
                )
            total_row = rows.get(TOTAL)
            reasons = sorted({row.override_reason for row in rows.values() if row.override_reason})
            reason = data.get(reason_name(indicator.code), "") if data is not None else "; ".join(reasons)
            source = SOURCES.get(indicator.source)
            block = EntryBlock(
                indicator=indicator,
                code=indicator.code,
                name=indicator.name,
                measure=str(Measure(indicator.measure).label),
                source_label=str(source.label) if source else "",
                layout=self._layout(indicator.breakdowns),
                cells=entry_cells,
                total=total_row.value if total_row is not None else None,
                computed_total=total_row.computed_value if total_row is not None else None,
                reason_name=reason_name(indicator.code),
                reason=reason,
            )
            if block.layout == "grid":
                first, second = indicator.breakdowns
                block.grid_columns = [label for _code, label in DIMENSIONS[second].values]
                by_cell = {c.cell: c for c in entry_cells}
                block.grid_rows = [
                    (label, [by_cell[((first, value), (second, other))] for other in DIMENSIONS[second].codes])
                    for value, label in DIMENSIONS[first].values
                ]
            self.blocks.append(block)
        for section in report.form_version.sections.order_by("position", "code"):
            name = narrative_name(section.code)
            text = data.get(name, "") if data is not None else narratives.get(section.pk, "")
            self.sections.append(NarrativeBlock(section=section, name=name, text=text))

    @staticmethod
    def _layout(breakdowns) -> str:
        return {0: "single", 1: "row", 2: "grid"}.get(len(breakdowns or []), "list")

    def values_payload(self) -> list[dict]:
        payload = []
        for block in self.blocks:
            reason = clean_text(self.data.get(block.reason_name, ""))
            payload.extend(
                {
                    "indicator": block.code,
                    "dimensions": dict(entry.cell),
                    "value": normalise_figure(entry.text),
                    "override_reason": reason,
                }
                for entry in block.cells
            )
        return payload

    def narratives_payload(self) -> dict:
        return {block.section.code: nfc(self.data.get(block.name, "")).strip() for block in self.sections}

    def add_errors(self, messages: dict) -> None:
        """Put a service's {field: [message]} on the indicator, figure or section it names."""
        blocks = {block.code: block for block in self.blocks}
        sections = {block.section.code: block for block in self.sections}
        for name, texts in messages.items():
            match = FIELD_PATTERN.match(name)
            narrative = NARRATIVE_PATTERN.match(name)
            if match and match["code"] in blocks:
                block = blocks[match["code"]]
                block.errors.extend(texts)
                for entry in block.cells:
                    if cell_key(entry.cell) == match["key"]:
                        entry.error = True
            elif narrative and narrative["code"] in sections:
                sections[narrative["code"]].errors.extend(texts)
            else:
                self.errors.extend(texts)

    @property
    def all_errors(self) -> list[tuple[str, str]]:
        """(anchor, message) for the summary at the top of the page."""
        found = [("", message) for message in self.errors]
        found += [(f"indicator-{b.code}", m) for b in self.blocks for m in b.errors]
        found += [(f"section-{s.section.code}", m) for s in self.sections for m in s.errors]
        return found
