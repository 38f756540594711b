"""Prevention and awareness: campaigns, the activities under them, and community models.

An activity is recorded once, by its organiser, with any co-organisers named beside it; totals
count it once, and per-agency views credit it to each organiser. Activities carry the unit valid
on their date, so a 2024 session in an old commune is counted in its successor today.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from haidang.access.models import Agency
from haidang.common.ids import new_id
from haidang.common.models import UploadedFile
from haidang.places.models import AdministrativeUnit


class ActivityType(models.TextChoices):
    COMMUNICATION_SESSION = "communication_session", _("Communication session")
    TALK = "talk", _("Talk or seminar")
    CONFERENCE = "conference", _("Conference")
    TRAINING = "training", _("Training course for officials")
    PARADE = "parade", _("Parade or rally")
    MOBILE_CAMPAIGN = "mobile_campaign", _("Mobile campaign")
    LOUDSPEAKER = "loudspeaker", _("Commune loudspeaker broadcast")
    PRESS_ARTICLE = "press_article", _("Press article")
    RADIO_TV = "radio_tv", _("Radio or TV item")
    ONLINE_POST = "online_post", _("Website or social media post")
    LEGAL_DOCUMENTS = "legal_documents", _("Legal documents posted")
    POSTER = "poster", _("Poster")
    BANNER = "banner", _("Banner or panel")
    LEAFLET = "leaflet", _("Leaflet or flyer")
    VIDEO_CLIP = "video_clip", _("Video clip")
    PLEDGE_SIGNING = "pledge_signing", _("Pledge signing")
    SCHOOL_ACTIVITY = "school_activity", _("School extracurricular activity")
    CONTEST = "contest", _("Contest")
    OTHER = "other", _("Other")


class JointTopic(models.TextChoices):
    DRUGS = "drugs", _("Drugs")
    PROSTITUTION = "prostitution", _("Prostitution")
    HIV_AIDS = "hiv_aids", _("HIV/AIDS")
    DOMESTIC_VIOLENCE = "domestic_violence", _("Domestic violence")


class TargetGroup(models.TextChoices):
    STUDENTS = "students", _("Students")
    WORKERS_ABROAD = "workers_abroad", _("Workers going abroad")
    ETHNIC_MINORITIES = "ethnic_minorities", _("Ethnic minorities")
    BORDER_RESIDENTS = "border_residents", _("Border residents")
    WOMEN = "women", _("Women")
    YOUTH = "youth", _("Youth")
    OFFICIALS = "officials", _("Officials")
    COMMUNITY_FIGURES = "community_figures", _("Prestigious community figures")
    OTHER = "other", _("Other")


class MaterialKind(models.TextChoices):
    LEAFLET = "leaflet", _("Leaflets and flyers")
    POSTER = "poster", _("Posters")
    BANNER = "banner", _("Banners and panels")
    BOOKLET = "booklet", _("Booklets and documents")
    PLEDGE_FORM = "pledge_form", _("Pledge forms")
    VIDEO = "video", _("Video clips")
    AUDIO = "audio", _("Audio items")
    OTHER = "other", _("Other materials")


class FundingSource(models.TextChoices):
    STATE_BUDGET = "state_budget", _("State budget (central)")
    LOCAL_BUDGET = "local_budget", _("Local budget")
    NATIONAL_PROGRAMME = "national_programme", _("National programme")
    INTERNATIONAL = "international", _("International or NGO funding")
    SOCIALISED = "socialised", _("Contributions (socialised)")
    OTHER = "other", _("Other")


class Campaign(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    name = models.CharField(_("name"), max_length=255)
    theme = models.CharField(_("theme"), max_length=500, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    issuing_unit = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("issuing unit"), on_delete=models.PROTECT, related_name="+"
    )
    issuing_agency = models.ForeignKey(
        Agency, verbose_name=_("issuing agency"), on_delete=models.PROTECT, related_name="campaigns"
    )
    # The directive that ordered it, by its number until directives are records of their own.
    directive_number = models.CharField(_("directive number"), max_length=60, blank=True)
    target_units = models.ManyToManyField(
        AdministrativeUnit, verbose_name=_("target units"), blank=True, related_name="targeted_by_campaigns"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="campaign_dates_ordered"),
        ]

    def __str__(self) -> str:
        return self.name


class Activity(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    activity_type = models.CharField(_("activity type"), max_length=32, choices=ActivityType.choices)
    title = models.CharField(_("title"), max_length=255)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    unit = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="prevention_activities"
    )
    place = models.CharField(_("place"), max_length=255, blank=True)
    organiser = models.ForeignKey(
        Agency, verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="organised_activities"
    )
    co_organisers = models.ManyToManyField(
        Agency, verbose_name=_("co-organisers"), blank=True, related_name="co_organised_activities"
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    joint_topics = models.JSONField(_("joint topics"), default=list, blank=True)
    target_groups = models.JSONField(_("target groups"), default=list, blank=True)
    language = models.CharField(_("language"), max_length=60, default="Tiếng Việt", blank=True)

    # Measures: None means "not recorded", which is not the same as zero.
    sessions = models.PositiveIntegerField(_("sessions"), null=True, blank=True)
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    participants_female = models.PositiveIntegerField(_("female participants"), null=True, blank=True)
    participants_male = models.PositiveIntegerField(_("male participants"), null=True, blank=True)
    broadcast_minutes = models.PositiveIntegerField(_("broadcast minutes"), null=True, blank=True)
    articles = models.PositiveIntegerField(_("articles"), null=True, blank=True)
    posts = models.PositiveIntegerField(_("posts"), null=True, blank=True)
    page_visits = models.PositiveIntegerField(_("page visits"), null=True, blank=True)
    pledges = models.PositiveIntegerField(_("pledges signed"), null=True, blank=True)
    cost = models.DecimalField(_("cost (VND)"), max_digits=14, decimal_places=0, null=True, blank=True)
    funding_source = models.CharField(_("funding source"), max_length=32, choices=FundingSource.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: an update names the version it read; a stale one is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("prevention activity")
        verbose_name_plural = _("prevention activities")
        ordering = ["-start_date", "-created_at"]
        indexes = [
            models.Index(fields=["start_date"], name="activity_start"),
            models.Index(fields=["activity_type", "start_date"], name="activity_type_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="activity_dates_ordered"),
        ]

    def __str__(self) -> str:
        return self.title


class ActivityMaterial(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(_("kind"), max_length=20, choices=MaterialKind.choices)
    produced = models.PositiveIntegerField(_("produced"), null=True, blank=True)
    distributed = models.PositiveIntegerField(_("distributed"), null=True, blank=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        constraints = [models.UniqueConstraint(fields=["activity", "kind"], name="activity_material_kind_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.produced or 0}/{self.distributed or 0}"


class ActivityAttachment(UploadedFile):
    """A photo or document about an activity; the type is checked by content, not by name."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="prevention/%Y/%m/")


class ModelStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    ENDED = "ended", _("Ended")


class ModelKind(models.TextChoices):
    PREVENTION = "prevention", _("Prevention model")
    REINTEGRATION = "reintegration", _("Reintegration model")


class PreventionModel(models.Model):
    """A lasting community model (mô hình), e.g. a commune club or a reintegration model."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=ModelKind.choices, default=ModelKind.PREVENTION)
    unit = models.ForeignKey(AdministrativeUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="prevention_models"
    )
    start_date = models.DateField(_("start date"))
    beneficiaries = models.PositiveIntegerField(_("beneficiaries"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ModelStatus.choices, default=ModelStatus.ACTIVE)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("prevention or reintegration model")
        verbose_name_plural = _("prevention and reintegration models")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# The measures summed in totals, in display order.
MEASURE_FIELDS = (
    "sessions",
    "participants",
    "participants_female",
    "participants_male",
    "broadcast_minutes",
    "articles",
    "posts",
    "page_visits",
    "pledges",
    "cost",
)
