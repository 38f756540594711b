"""Directives and the periodic reports they ask for.

A report form is versioned: a published version never changes (a new draft version is made
instead), so every report keeps meaning what it meant when it was filed. A directive names one
published form version and one period; issuing it makes one report per recipient. Each figure
is a row keyed by indicator and dimension columns (blank = every value of that dimension), so
roll-ups are plain sums over rows.
"""

from datetime import datetime, time

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from haidang.access.models import Agency, AgencyType
from haidang.common.ids import new_id
from haidang.common.models import UploadedFile
from haidang.places.models import AdministrativeUnit, UnitLevel
from haidang.reporting.dimensions import DIMENSION_CODES
from haidang.reporting.periods import PeriodError, PeriodType, parse

# --- Report forms ----------------------------------------------------------------------------


class ReportForm(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("report form")
        verbose_name_plural = _("report forms")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class ReportFormVersion(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    form = models.ForeignKey(
        ReportForm, verbose_name=_("report form"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    period_type = models.CharField(_("period type"), max_length=12, choices=PeriodType.choices)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("report form version")
        verbose_name_plural = _("report form versions")
        ordering = ["form", "-number"]
        constraints = [models.UniqueConstraint(fields=["form", "number"], name="report_form_version_unique")]

    def __str__(self) -> str:
        return f"{self.form.name} (v{self.number})"

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED


class Measure(models.TextChoices):
    PERSONS = "persons", _("Persons")
    CASES = "cases", _("Cases")
    ACTIVITIES = "activities", _("Activities")
    SESSIONS = "sessions", _("Sessions")
    PARTICIPANTS = "participants", _("Participants")
    MATERIALS = "materials", _("Materials")
    OTHER = "other", _("Other")


class Indicator(models.Model):
    version = models.ForeignKey(ReportFormVersion, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=255)
    position = models.PositiveIntegerField(_("position"), default=0)
    measure = models.CharField(_("measure"), max_length=16, choices=Measure.choices, default=Measure.OTHER)
    # Blank: entered by hand. Otherwise a key of the pre-fill registry (prefill.SOURCES).
    source = models.CharField(_("pre-fill source"), max_length=40, blank=True)
    # Dimension codes (dimensions.DIMENSIONS) the figure is broken down by, in display order.
    breakdowns = models.JSONField(_("breakdowns"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["version", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="indicator_code_unique_per_version")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_computed(self) -> bool:
        return bool(self.source)


class NarrativeSection(models.Model):
    version = models.ForeignKey(ReportFormVersion, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField(_("code"), max_length=40)
    title = models.CharField(_("title"), max_length=255)
    position = models.PositiveIntegerField(_("position"), default=0)
    required = models.BooleanField(_("required"), default=False)

    class Meta:
        verbose_name = _("narrative section")
        verbose_name_plural = _("narrative sections")
        ordering = ["version", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="section_code_unique_per_version")]

    def __str__(self) -> str:
        return self.title


class Operator(models.TextChoices):
    LE = "<=", "≤"
    LT = "<", "<"
    EQ = "==", "="
    GE = ">=", "≥"
    GT = ">", ">"


class Severity(models.TextChoices):
    # An error stops the submission; a warning is shown to filer and reviewer and recorded with
    # the submission (a figure can break the rule legitimately, e.g. received last quarter and
    # identified this quarter).
    ERROR = "error", _("Error (blocks submission)")
    WARNING = "warning", _("Warning (does not block)")


class ValidationRule(models.Model):
    """left OPERATOR right, compared cell by cell over the shared breakdowns and on the totals."""

    version = models.ForeignKey(ReportFormVersion, on_delete=models.CASCADE, related_name="rules")
    code = models.CharField(_("code"), max_length=40)
    left_indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    operator = models.CharField(_("operator"), max_length=2, choices=Operator.choices)
    right_indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    message = models.CharField(_("message"), max_length=255, blank=True)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices, default=Severity.ERROR)

    class Meta:
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")
        ordering = ["version", "code"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="rule_code_unique_per_version")]

    def __str__(self) -> str:
        return f"{self.left_indicator.code} {self.operator} {self.right_indicator.code}"


# --- Directives ------------------------------------------------------------------------------


class DirectiveStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")
    CANCELLED = "cancelled", _("Cancelled")


class Directive(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    number = models.CharField(_("number"), max_length=60)
    issued_on = models.DateField(_("date"))
    issuing_unit = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("issuing unit"), on_delete=models.PROTECT, related_name="+"
    )
    issuing_agency = models.ForeignKey(
        Agency, verbose_name=_("issuing agency"), on_delete=models.PROTECT, related_name="directives"
    )
    title = models.CharField(_("title"), max_length=500)
    text = models.TextField(_("text"), blank=True)
    form_version = models.ForeignKey(
        ReportFormVersion, verbose_name=_("report form"), on_delete=models.PROTECT, related_name="directives"
    )
    period_id = models.CharField(_("period"), max_length=32)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=12, choices=DirectiveStatus.choices, default=DirectiveStatus.DRAFT
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # Optimistic locking: an update names the version it read; a stale one is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("directive")
        verbose_name_plural = _("directives")
        ordering = ["-issued_on", "-created_at"]
        indexes = [models.Index(fields=["status", "deadline"], name="directive_status_deadline")]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="directive_period_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.title}"

    @property
    def period(self):
        try:
            return parse(self.period_id)
        except PeriodError:
            return None

    @property
    def period_label(self) -> str:
        found = self.period
        return found.label if found is not None else self.period_id


class DirectiveActivity(models.Model):
    """One activity the directive asks the recipients to organise."""

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="activities")
    position = models.PositiveIntegerField(default=0)
    text = models.TextField(_("activity"))

    class Meta:
        verbose_name = _("requested activity")
        verbose_name_plural = _("requested activities")
        ordering = ["directive", "position", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class DirectiveRecipientRule(models.Model):
    """Recipients by level and agency type: "every commune People's Committee below the issuer"."""

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="recipient_rules")
    level = models.PositiveSmallIntegerField(_("level"), choices=UnitLevel.choices)
    # Blank: the unit itself reports, by whichever of its agencies files reports.
    agency_type = models.CharField(_("agency type"), max_length=32, choices=AgencyType.choices, blank=True)

    class Meta:
        verbose_name = _("recipient rule")
        verbose_name_plural = _("recipient rules")
        ordering = ["directive", "level", "agency_type"]
        constraints = [
            models.UniqueConstraint(fields=["directive", "level", "agency_type"], name="recipient_rule_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.get_agency_type_display()}".strip()


class DirectiveRecipient(models.Model):
    """A concrete recipient: named by hand, or resolved from a rule when the directive is issued."""

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="recipients")
    unit = models.ForeignKey(AdministrativeUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rule = models.ForeignKey(
        DirectiveRecipientRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="recipients"
    )

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        ordering = ["directive", "unit__level", "unit__sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["directive", "unit", "agency"],
                condition=Q(agency__isnull=False),
                name="directive_recipient_unique",
            ),
            models.UniqueConstraint(
                fields=["directive", "unit"], condition=Q(agency__isnull=True), name="directive_recipient_unit_unique"
            ),
        ]

    def __str__(self) -> str:
        return str(self.agency or self.unit)


class DirectiveAttachment(UploadedFile):
    """A file issued with the directive; its type is checked by content, not by name."""

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="reporting/%Y/%m/")


# --- Reports ---------------------------------------------------------------------------------


class ReportStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", pgettext_lazy("report", "Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", pgettext_lazy("report", "Approved")
    LOCKED = "locked", _("Locked")


# Statuses in which the recipient has handed the report in.
SUBMITTED_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.APPROVED, ReportStatus.LOCKED)
# Statuses whose figures count in a consolidated report.
APPROVED_STATUSES = (ReportStatus.APPROVED, ReportStatus.LOCKED)
# Statuses in which the recipient may still change the figures.
EDITABLE_STATUSES = (ReportStatus.NOT_STARTED, ReportStatus.DRAFT, ReportStatus.RETURNED)


def local_day(moment: datetime | None):
    """The calendar day of `moment` in Vietnam (deadlines are days, not instants)."""
    if moment is None:
        return None
    return timezone.localtime(moment).date()


def end_of_day(day) -> datetime:
    """The last instant of `day` in Vietnam: a report submitted before it is on time."""
    return timezone.make_aware(datetime.combine(day, time.max))


class Report(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    directive = models.ForeignKey(
        Directive, verbose_name=_("directive"), on_delete=models.PROTECT, related_name="reports"
    )
    form_version = models.ForeignKey(
        ReportFormVersion, verbose_name=_("report form"), on_delete=models.PROTECT, related_name="reports"
    )
    unit = models.ForeignKey(AdministrativeUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    period_id = models.CharField(_("period"), max_length=32)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.NOT_STARTED
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    prefilled_at = models.DateTimeField(_("pre-filled at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["deadline", "unit__level", "unit__sort_key"]
        indexes = [
            models.Index(fields=["status", "deadline"], name="report_status_deadline"),
            models.Index(fields=["directive", "status"], name="report_directive_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["directive", "unit", "agency"], condition=Q(agency__isnull=False), name="report_unique"
            ),
            models.UniqueConstraint(
                fields=["directive", "unit"], condition=Q(agency__isnull=True), name="report_unique_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.directive.number} — {self.agency or self.unit}"

    @property
    def recipient_name(self) -> str:
        return str(self.agency or self.unit)

    @property
    def is_submitted(self) -> bool:
        return self.status in SUBMITTED_STATUSES

    @property
    def is_approved(self) -> bool:
        return self.status in APPROVED_STATUSES

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def on_time(self) -> bool | None:
        """Submitted on or before the deadline day (Vietnam time); None while not submitted."""
        if self.submitted_at is None:
            return None
        return local_day(self.submitted_at) <= self.deadline

    def is_late_on(self, day) -> bool:
        if self.submitted_at is not None:
            return local_day(self.submitted_at) > self.deadline
        return day > self.deadline

    @property
    def is_late(self) -> bool:
        """Submitted after the deadline day, or still not submitted once it has passed."""
        return self.is_late_on(timezone.localdate())

    @property
    def period(self):
        try:
            return parse(self.period_id)
        except PeriodError:
            return None

    @property
    def period_label(self) -> str:
        found = self.period
        return found.label if found is not None else self.period_id


class ReportValue(models.Model):
    """One figure: an indicator at one cell of its breakdowns (blank column = all values)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    sex = models.CharField(max_length=16, blank=True, default="")
    age_band = models.CharField(max_length=16, blank=True, default="")
    nationality = models.CharField(max_length=16, blank=True, default="")
    material_kind = models.CharField(max_length=32, blank=True, default="")
    activity_type = models.CharField(max_length=32, blank=True, default="")
    # What the records say, when the indicator has a source; kept beside an override.
    computed_value = models.BigIntegerField(_("computed value"), null=True, blank=True)
    # The figure that counts.
    value = models.BigIntegerField(_("value"), null=True, blank=True)
    override_reason = models.TextField(_("reason for the change"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("report value")
        verbose_name_plural = _("report values")
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator", *DIMENSION_CODES], name="report_value_cell_unique"),
            models.CheckConstraint(condition=Q(value__isnull=True) | Q(value__gte=0), name="report_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.dimensions} = {self.value}"

    @property
    def dimensions(self) -> dict[str, str]:
        """The cell's non-blank dimension columns."""
        return {code: getattr(self, code) for code in DIMENSION_CODES if getattr(self, code)}

    @property
    def is_overridden(self) -> bool:
        return self.computed_value is not None and self.value != self.computed_value


class ReportNarrative(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="narratives")
    section = models.ForeignKey(NarrativeSection, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("text"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("narrative")
        verbose_name_plural = _("narratives")
        ordering = ["report", "section__position"]
        constraints = [models.UniqueConstraint(fields=["report", "section"], name="report_narrative_unique")]

    def __str__(self) -> str:
        return self.section.title


class ReportStatusChange(models.Model):
    """The history: who moved the report from which status to which, when, and why."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=12, choices=ReportStatus.choices)
    to_status = models.CharField(max_length=12, choices=ReportStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["report", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


# --- Notices and reminders -------------------------------------------------------------------


class NotificationKind(models.TextChoices):
    DIRECTIVE_ISSUED = "directive_issued", _("New directive")
    REMINDER = "reminder", _("Reminder")
    REPORT_SUBMITTED = "report_submitted", _("Report submitted")
    REPORT_RETURNED = "report_returned", _("Report returned")
    REPORT_APPROVED = "report_approved", _("Report approved")
    DIRECTIVE_CANCELLED = "directive_cancelled", _("Directive cancelled")


class Notification(models.Model):
    """An in-application notice to one user."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=24, choices=NotificationKind.choices)
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(max_length=255, blank=True)
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at", "created_at"], name="notification_user_unread")]

    def __str__(self) -> str:
        return self.title


class ReminderRung(models.TextChoices):
    """The ladder: days relative to the deadline, and whether the supervisor is told too."""

    BEFORE_3 = "before_3", _("3 days before the deadline")
    DEADLINE = "deadline", _("On the deadline day")
    AFTER_1 = "after_1", _("1 day after the deadline")
    AFTER_7 = "after_7", _("7 days after the deadline")


class Reminder(models.Model):
    """One rung of one report's ladder: scheduled on issue, sent at most once."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="reminders")
    rung = models.CharField(_("rung"), max_length=12, choices=ReminderRung.choices)
    due_on = models.DateField(_("due on"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # Who was told (user ids), or empty when the rung was skipped.
    recipients = models.JSONField(default=list, blank=True)
    skipped = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["report", "due_on"]
        indexes = [models.Index(fields=["due_on", "sent_at"], name="reminder_due")]
        constraints = [models.UniqueConstraint(fields=["report", "rung"], name="reminder_rung_unique")]

    def __str__(self) -> str:
        return f"{self.report_id} {self.rung} {self.due_on}"
