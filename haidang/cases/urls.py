from django.urls import path

from haidang.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("new/", views.intake, name="intake"),
    path("rates/", views.rates, name="rates"),
    path("transfers/<uuid:transfer_id>/answer/", views.transfer_decide, name="transfer_decide"),
    path("<uuid:case_id>/", views.detail, name="detail"),
    path("<uuid:case_id>/transition/", views.transition, name="transition"),
    path("<uuid:case_id>/consent/", views.consent, name="consent"),
    path("<uuid:case_id>/consent/<uuid:consent_id>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("<uuid:case_id>/support/", views.support_page, name="support"),
    path("<uuid:case_id>/support/extensions/", views.support_extension, name="support_extension"),
    path("<uuid:case_id>/referrals/", views.referrals, name="referrals"),
    path("<uuid:case_id>/referrals/<uuid:referral_id>/", views.referral_update, name="referral_update"),
    path("<uuid:case_id>/transfer/", views.transfer, name="transfer"),
    path("<uuid:case_id>/visits/", views.visits, name="visits"),
]
