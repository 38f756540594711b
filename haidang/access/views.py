"""Pages: sign-in with a second factor, the home page, agency and user administration."""

import base64

import django_otp
import segno
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from haidang.access import selectors, services
from haidang.access.forms import AgencyForm, MembershipForm, OneTimeCodeForm, SignInForm, UserForm
from haidang.access.models import AgencyType, Membership
from haidang.access.permissions import require_capability
from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.audit.services import record_event
from haidang.common import holidays
from haidang.places.models import AdministrativeUnit, UnitLevel

SETUP_DEVICE_SESSION_KEY = "haidang_totp_setup_device"


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _apply_form_errors(form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


# --- Sign-in ------------------------------------------------------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def login_view(request):
    if request.user.is_authenticated:
        return redirect(_safe_next(request, reverse("access:home")))
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=form.cleaned_data["username"], password=form.cleaned_data["password"])
        if getattr(request, "axes_locked_out", False):
            form.add_error(
                None,
                _(
                    "Too many failed sign-in attempts. This account is locked for a while; "
                    "try again later or ask an administrator."
                ),
            )
            record_event(action="access.sign_in_locked_out", changes={"username": form.cleaned_data["username"]})
            status = 429
        elif user is None:
            form.add_error(None, _("The user name or password is not correct."))
            record_event(action="access.sign_in_failed", changes={"username": form.cleaned_data["username"]})
            status = 401
        else:
            login(request, user)
            record_event(action="access.signed_in", actor=user, target=user)
            return redirect(_safe_next(request, reverse("access:home")))
    return render(request, "access/login.html", {"form": form, "next": _safe_next(request, "")}, status=status)


@require_POST
def logout_view(request):
    user = request.user
    record_event(action="access.signed_out", actor=user, target=user)
    logout(request)
    return redirect("access:login")


def two_factor_verify(request):
    user = request.user
    if user.is_verified():
        return redirect("access:home")
    if not services.has_confirmed_device(user):
        return redirect("access:two_factor_setup")
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.verify_second_factor(user, form.cleaned_data["otp"])
        if device is not None:
            django_otp.login(request, device)
            record_event(action="access.two_factor_verified", actor=user, target=user)
            return redirect(_safe_next(request, reverse("access:home")))
        record_event(action="access.two_factor_failed", actor=user, target=user)
        form.add_error("otp", _("The code is not correct or has expired. Enter the current code."))
    return render(request, "access/two_factor_verify.html", {"form": form})


def two_factor_setup(request):
    """Enrolment: show a QR code and the secret, confirm with a first code."""
    user = request.user
    if services.has_confirmed_device(user):
        return redirect("access:home" if user.is_verified() else "access:two_factor_verify")
    device = None
    device_id = request.session.get(SETUP_DEVICE_SESSION_KEY)
    if device_id:
        device = TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()
    if device is None:
        device = services.start_totp_enrolment(user)
        request.session[SETUP_DEVICE_SESSION_KEY] = device.pk
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.confirm_totp_enrolment(user=user, device=device, token=form.cleaned_data["otp"]):
            request.session.pop(SETUP_DEVICE_SESSION_KEY, None)
            django_otp.login(request, device)
            messages.success(request, _("Two-factor sign-in is set up."))
            return redirect("access:home")
        form.add_error("otp", _("The code is not correct. Check the time on your phone and enter the current code."))
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    qr = segno.make(device.config_url, error="m")
    context = {"form": form, "secret": secret, "qr_data_uri": qr.svg_data_uri(scale=5, border=2)}
    return render(request, "access/two_factor_setup.html", context)


# --- Home -------------------------------------------------------------------------------------


def home(request):
    user = request.user
    scope = scope_for(user)
    memberships = list(selectors.memberships_of(user))
    units = []
    for unit in selectors.scope_units(user):
        communes = AdministrativeUnit.objects.filter(
            path__startswith=unit.path, level=UnitLevel.COMMUNE, valid_to__isnull=True
        )
        units.append(
            {
                "unit": unit,
                "commune_count": communes.count() if unit.level < UnitLevel.COMMUNE else None,
                "province_count": AdministrativeUnit.objects.filter(
                    level=UnitLevel.PROVINCE, valid_to__isnull=True
                ).count()
                if unit.level == UnitLevel.NATION
                else None,
                # Old units whose records now count here, so a commune sees its history.
                "former_units": list(
                    AdministrativeUnit.objects.filter(placement=unit, valid_to__isnull=False).order_by("level", "name")[
                        :12
                    ]
                )
                if unit.level == UnitLevel.COMMUNE
                else [],
            }
        )
    capabilities = [label for value, label in Capability.choices if value in scope.capabilities]
    context = {
        "memberships": memberships,
        "scope_units": units,
        "capabilities": capabilities,
        "two_factor_required": scope.needs_two_factor,
        "two_factor_enabled": services.has_confirmed_device(user),
        "agency_count": selectors.agencies_visible_to(user).count(),
        # The administrator is told when next year's public holidays are not entered yet.
        "holiday_warning": _holiday_warning() if scope.can(Capability.MANAGE_AGENCIES) else "",
    }
    return render(request, "access/home.html", context)


def _holiday_warning() -> str:
    year = holidays.missing_coming_year()
    return holidays.missing_year_message(year) if year is not None else ""


# --- Agencies ---------------------------------------------------------------------------------


@require_capability(Capability.VIEW_AGENCIES)
def agency_list(request):
    queryset = selectors.filter_agencies(
        selectors.agencies_visible_to(request.user),
        q=request.GET.get("q", "").strip(),
        agency_type=request.GET.get("agency_type", "") if request.GET.get("agency_type") in AgencyType.values else "",
    )
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "access/agency_list.html",
        {
            "page": page,
            "agency_types": AgencyType.choices,
            "q": request.GET.get("q", ""),
            "selected_type": request.GET.get("agency_type", ""),
            "can_manage": scope_for(request.user).can(Capability.MANAGE_AGENCIES),
        },
    )


@require_capability(Capability.MANAGE_AGENCIES)
def agency_create(request):
    form = AgencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.create_agency(
                actor=request.user,
                name=data["name"],
                short_name=data["short_name"],
                agency_type=data["agency_type"],
                unit=data["unit"],
                valid_from=data.get("valid_from"),
                valid_to=data.get("valid_to"),
            )
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, _("Agency created."))
            return redirect("access:agency_list")
    return render(request, "access/agency_form.html", {"form": form, "creating": True})


@require_capability(Capability.MANAGE_AGENCIES)
def agency_edit(request, agency_id):
    agency = selectors.get_agency_for_user(request.user, agency_id)
    if agency is None:
        raise Http404
    initial = {
        "name": agency.name,
        "short_name": agency.short_name,
        "agency_type": agency.agency_type,
        "unit": agency.unit,
        "is_active": agency.is_active,
        "valid_from": agency.valid_from,
        "valid_to": agency.valid_to,
    }
    form = AgencyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_agency(actor=request.user, agency=agency, **form.cleaned_data)
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, _("Agency saved."))
            return redirect("access:agency_list")
    return render(request, "access/agency_form.html", {"form": form, "agency": agency, "creating": False})


# --- Users ------------------------------------------------------------------------------------


@require_capability(Capability.MANAGE_USERS)
def user_list(request):
    queryset = selectors.users_visible_to(request.user).annotate(
        membership_count=Count("memberships", filter=Q(memberships__is_active=True))
    )
    q = request.GET.get("q", "").strip()
    if q:
        queryset = queryset.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    return render(request, "access/user_list.html", {"page": page, "q": q})


@require_capability(Capability.MANAGE_USERS)
def user_create(request):
    form = UserForm(request.POST or None, creating=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.create_user(
                actor=request.user,
                username=data["username"],
                password=data["password"],
                full_name=data["full_name"],
                email=data["email"],
                phone=data["phone"],
            )
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, _("User created. Now give them a membership."))
            return redirect("access:user_edit", user_id=user.pk)
    return render(request, "access/user_form.html", {"form": form, "creating": True})


@require_capability(Capability.MANAGE_USERS)
def user_edit(request, user_id):
    subject = selectors.get_user_for_admin(request.user, user_id)
    if subject is None:
        raise Http404
    record_event(action="access.user_viewed", actor=request.user, target=subject)
    agencies = selectors.agencies_visible_to(request.user)
    user_form = UserForm(
        initial={
            "username": subject.username,
            "full_name": subject.full_name,
            "email": subject.email,
            "phone": subject.phone,
            "is_active": subject.is_active,
        }
    )
    membership_form = MembershipForm(agencies=agencies)
    if request.method == "POST" and request.POST.get("action") == "membership":
        membership_form = MembershipForm(request.POST, agencies=agencies)
        if membership_form.is_valid():
            data = membership_form.cleaned_data
            try:
                services.add_membership(
                    actor=request.user,
                    user=subject,
                    agency=data["agency"],
                    unit=data["unit"] or data["agency"].unit,
                    role=data["role"],
                )
            except ValidationError as error:
                _apply_form_errors(membership_form, error)
            else:
                messages.success(request, _("Membership added."))
                return redirect("access:user_edit", user_id=subject.pk)
    elif request.method == "POST":
        user_form = UserForm(request.POST, initial={"username": subject.username})
        if user_form.is_valid():
            data = user_form.cleaned_data
            try:
                services.update_user(
                    actor=request.user,
                    user=subject,
                    full_name=data["full_name"],
                    email=data["email"],
                    phone=data["phone"],
                    is_active=data["is_active"],
                )
                if data["password"]:
                    services.set_password(actor=request.user, user=subject, password=data["password"])
            except ValidationError as error:
                _apply_form_errors(user_form, error)
            else:
                messages.success(request, _("User saved."))
                return redirect("access:user_edit", user_id=subject.pk)
    memberships = (
        Membership.objects.filter(user=subject).select_related("agency", "unit").order_by("-is_active", "created_at")
    )
    return render(
        request,
        "access/user_form.html",
        {
            "form": user_form,
            "membership_form": membership_form,
            "subject": subject,
            "memberships": memberships,
            "creating": False,
            "two_factor_enabled": services.has_confirmed_device(subject),
        },
    )


@require_POST
@require_capability(Capability.MANAGE_USERS)
def membership_end(request, user_id, membership_id):
    subject = selectors.get_user_for_admin(request.user, user_id)
    membership = Membership.objects.filter(pk=membership_id, user=subject).select_related("agency", "unit").first()
    if subject is None or membership is None:
        raise Http404
    services.end_membership(actor=request.user, membership=membership)
    messages.success(request, _("Membership ended."))
    return redirect("access:user_edit", user_id=subject.pk)
