from django.urls import path

from haidang.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("new/", views.intake, name="intake"),
    path("rates/", views.rates, name="rates"),
    path("persons/", views.person_search, name="person_search"),
    path("break-glass/", views.break_glass, name="break_glass"),
    path("transfers/<uuid:transfer_id>/answer/", views.transfer_decide, name="transfer_decide"),
    path("<uuid:case_id>/", views.detail, name="detail"),
    path("<uuid:case_id>/transition/", views.transition, name="transition"),
    path("<uuid:case_id>/return/", views.record_return, name="record_return"),
    path("<uuid:case_id>/consent/", views.consent, name="consent"),
    path("<uuid:case_id>/consent/<uuid:consent_id>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("<uuid:case_id>/support/", views.support_page, name="support"),
    path("<uuid:case_id>/support/extensions/", views.support_extension, name="support_extension"),
    path("<uuid:case_id>/referrals/", views.referrals, name="referrals"),
    path("<uuid:case_id>/referrals/<uuid:referral_id>/", views.referral_update, name="referral_update"),
    path("<uuid:case_id>/transfer/", views.transfer, name="transfer"),
    path("<uuid:case_id>/visits/", views.visits, name="visits"),
    path("<uuid:case_id>/people/", views.people, name="people"),
    path("<uuid:case_id>/people/<uuid:link_id>/", views.link_edit, name="link_edit"),
    path("<uuid:case_id>/protection/", views.protection_page, name="protection"),
    path("<uuid:case_id>/protection/<uuid:decision_id>/refuse/", views.protection_refuse, name="protection_refuse"),
    path("<uuid:case_id>/protection/<uuid:decision_id>/end/", views.protection_end, name="protection_end"),
    path("<uuid:case_id>/shelter/", views.shelter, name="shelter"),
    path("<uuid:case_id>/shelter/<uuid:stay_id>/extend/", views.shelter_extend, name="shelter_extend"),
    path("<uuid:case_id>/shelter/<uuid:stay_id>/end/", views.shelter_end, name="shelter_end"),
    path("<uuid:case_id>/reintegration/", views.reintegration, name="reintegration"),
    path(
        "<uuid:case_id>/reintegration/<uuid:application_id>/decide/",
        views.reintegration_decide,
        name="reintegration_decide",
    ),
    path("<uuid:case_id>/files/", views.files, name="files"),
    path("<uuid:case_id>/files/<uuid:attachment_id>/", views.file_download, name="file_download"),
]
