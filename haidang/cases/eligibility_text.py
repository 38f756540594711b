"""The eligibility engine's sentences in the reader's language, keyed by `Message.key`.

`haidang.cases.eligibility` stays free of Django: each sentence it returns is a `Message` (English
text, a stable key, the parameters). This catalogue gives each key its gettext string, so that
makemessages finds them and the Vietnamese lives in the .po file like every other string;
`cases/tests/test_eligibility_text.py` checks that every key the rules can produce is here and that
the English of each entry is the engine's own.
"""

from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from haidang.cases.eligibility import Message, Regime, render

CATALOGUE: dict[str, Promise] = {
    "regime.before_law_2024": _("Law 53/2024/QH15 is in force from {cut}; on {on} Law 66/2011/QH12 applies."),
    "regime.identified_before": _(
        "Identified as a victim on {identified_on}, before {cut}: the Law 66/2011/QH12 regime continues "
        "(Art. 63 Law 53/2024/QH15)."
    ),
    "regime.identified_after": _(
        "Identified as a victim on {identified_on}, on or after {cut}: Law 53/2024/QH15 applies."
    ),
    "regime.received_before": _(
        "No identification date is recorded; received on {received_on}, before {cut}: the Law "
        "66/2011/QH12 regime is applied (Art. 63 Law 53/2024/QH15)."
    ),
    "regime.no_dates": _("No identification or reception date is recorded: Law 53/2024/QH15 is assumed."),
    "regime.law_2024": _("Law 53/2024/QH15 applies; Art. 63 keeps the 2011 regime only for earlier victims."),
    "note.child_own_status": _(
        "The child also has its own status; assess it as a principal too, which may give more regimes."
    ),
    "2011.adult_companion.category": _("Person recorded as an accompanying child but aged 18 or over"),
    "2011.adult_companion.refuse.article": _("Art. 32(3) Law 66/2011/QH12"),
    "2011.adult_companion.refuse.reason": _(
        "Art. 32(3) Law 66/2011/QH12 covers accompanying persons under 18; this person is 18 or older, so"
        " {name} is refused unless they qualify in their own right."
    ),
    "2011.victim.category": _("Victim, Vietnamese citizen or stateless permanent resident (Law 66/2011)"),
    "2011.victim.grant.article": _("Art. 32(1)({point}) and Art. {detail} Law 66/2011/QH12"),
    "2011.victim.grant.reason": _(
        "Under Law 66/2011/QH12 a victim is entitled to {name} (Art. 32(1)({point}), Art. {detail})."
    ),
    "2011.foreign.category": _("Foreign victim trafficked in Vietnam (Law 66/2011)"),
    "2011.foreign.grant.article": _("Art. 32(2) and Art. {detail} Law 66/2011/QH12"),
    "2011.foreign.grant.reason": _(
        "Under Law 66/2011/QH12 a foreign victim trafficked in Vietnam is entitled to {name} (Art. 32(2),"
        " Art. {detail})."
    ),
    "2011.foreign.refuse.article": _("Art. 32(2) Law 66/2011/QH12"),
    "2011.foreign.refuse.reason": _(
        "Under Law 66/2011/QH12 a foreign victim is not entitled to {name}: Art. 32(2) covers points (a) to (d) only."
    ),
    "2011.foreign.not_trafficked_in_vietnam.category": _("Foreign victim not trafficked in Vietnam (Law 66/2011)"),
    "2011.foreign.not_trafficked_in_vietnam.refuse.article": _("Art. 32(2) Law 66/2011/QH12"),
    "2011.foreign.not_trafficked_in_vietnam.refuse.reason": _(
        "Art. 32(2) Law 66/2011/QH12 covers only foreign victims trafficked in Vietnam, so {name} is refused."
    ),
    "2011.child_of_victim.category": _("Minor accompanying a victim (Law 66/2011)"),
    "2011.child_of_victim.grant.article": _("Art. 32(3) and Art. {detail} Law 66/2011/QH12"),
    "2011.child_of_victim.grant.reason": _(
        "Under Law 66/2011/QH12 a minor accompanying a victim is entitled to {name} (Art. 32(3), Art. {detail})."
    ),
    "2011.child_of_victim.refuse.article": _("Art. 32(3) Law 66/2011/QH12"),
    "2011.child_of_victim.refuse.reason": _(
        "Under Law 66/2011/QH12 an accompanying minor is not entitled to {name}: Art. 32(3) covers points"
        " (a) to (c) only."
    ),
    "2011.being_identified.category": _("Person awaiting verification as a victim in Vietnam (Law 66/2011)"),
    "2011.being_identified.grant.article": _("Art. 19(1)(b) Decree 09/2013/NĐ-CP (Art. {detail} Law 66/2011/QH12)"),
    "2011.being_identified.grant.reason": _(
        "Under Law 66/2011/QH12 a person awaiting verification as a victim in Vietnam receives {name} "
        "(Decree 09/2013/NĐ-CP Art. 19(1)(b))."
    ),
    "2011.being_identified.refuse.article": _("Art. 32 Law 66/2011/QH12"),
    "2011.being_identified.refuse.reason": _(
        "Under Law 66/2011/QH12 a person awaiting verification is not entitled to {name}: Art. 32 gives "
        "it to identified victims only."
    ),
    "2011.being_identified.other.category": _(
        "Person awaiting verification abroad, or a child accompanying a person awaiting verification (Law 66/2011)"
    ),
    "2011.being_identified.other.refuse.article": _("Art. 32 Law 66/2011/QH12"),
    "2011.being_identified.other.refuse.reason": _(
        "Law 66/2011/QH12 gives support regimes to victims and minors accompanying victims; {name} is "
        "refused to this person."
    ),
    "2011.not_victim.category": _("Person found not to be a victim, or a child accompanying them (Law 66/2011)"),
    "2011.not_victim.refuse.article": _("Art. 32 Law 66/2011/QH12"),
    "2011.not_victim.refuse.reason": _(
        "A person found not to be a victim (and a child accompanying them) is not a beneficiary of Art. "
        "32 Law 66/2011/QH12, so {name} is refused."
    ),
    "2011.undetermined.category": _(
        "Person whose victim status could not be determined, or a child accompanying them (Law 66/2011)"
    ),
    "2011.undetermined.refuse.article": _("Art. 32 Law 66/2011/QH12"),
    "2011.undetermined.refuse.reason": _(
        "A person whose victim status could not be determined (and a child accompanying them) is not a "
        "beneficiary of Art. 32 Law 66/2011/QH12, so {name} is refused."
    ),
    "2011.no_row.category": _("No row of Art. 32 Law 66/2011"),
    "2011.no_row.refuse.article": _("Art. 32 Law 66/2011/QH12"),
    "2011.no_row.refuse.reason": _("No clause of Art. 32 Law 66/2011/QH12 covers this person, so {name} is refused."),
    "2011.absent.INT.article": _("Art. 32(1) Law 66/2011/QH12"),
    "2011.absent.INT.reason": _(
        "Law 66/2011/QH12 has no interpretation regime (it is new in Art. 37(1)(c) Law 53/2024/QH15), so "
        "it is not available under the transitional regime."
    ),
    "2011.absent.LEG.article": _("Art. 32(1) Law 66/2011/QH12"),
    "2011.absent.LEG.reason": _(
        "Law 66/2011/QH12 has no separate legal-support regime (it is new in Art. 37(1)(d) Law "
        "53/2024/QH15); legal aid under Art. 36 is the nearest regime."
    ),
    "2011.conditions.ESS.1": _("Meals during a facility stay for at most 60 days (Decree 09/2013/NĐ-CP)."),
    "2011.conditions.TRV.1": _(
        "Travel costs and meals on the way back to the place of residence (Art. 33 Law 66/2011/QH12)."
    ),
    "2011.conditions.PSY.1": _(
        "Only during a stay at a social protection or victim support facility (Art. 35 Law 66/2011/QH12)."
    ),
    "2011.conditions.EDU.1": _(
        "Applied for within 12 months, through the commune People's Committee (Decree 09/2013/NĐ-CP)."
    ),
    "2011.conditions.VOC.1": _("Vocational training only (Art. 37 Law 66/2011/QH12)."),
    "2011.conditions.VOC.2": _(
        "Applied for within 12 months, through the commune People's Committee (Decree 09/2013/NĐ-CP)."
    ),
    "2011.conditions.HAR.1": _("Only for victims from poor households (Decree 09/2013/NĐ-CP)."),
    "2011.conditions.HAR.2": _(
        "Applied for within 12 months, through the commune People's Committee (Decree 09/2013/NĐ-CP)."
    ),
    "2024.adult_companion.category": _("Person recorded as an accompanying child but aged 18 or over"),
    "2024.adult_companion.refuse.article": _("Art. 37(2) and (3) Law 53/2024/QH15"),
    "2024.adult_companion.refuse.reason": _(
        "Art. 37(2) and (3) covers accompanying persons under 18; this person is 18 or older, so {name} "
        "is refused unless they qualify in their own right."
    ),
    "2024.victim.category": _("Victim, Vietnamese citizen or stateless permanent resident"),
    "2024.victim.grant.article": _("Art. 37(1)({point}) Law 53/2024/QH15"),
    "2024.victim.grant.reason": _(
        "A victim who is a Vietnamese citizen or a stateless permanent resident is entitled to {name} "
        "under Art. 37(1)({point})."
    ),
    "2024.child_of_victim.voc_extended.category": _(
        "Child under 18 accompanying a victim (Vietnamese citizen or stateless permanent resident)"
    ),
    "2024.child_of_victim.voc_extended.grant.article": _("Art. 37(2) Law 53/2024/QH15 (Art. 37(1)({point}))"),
    "2024.child_of_victim.voc_extended.grant.reason": _(
        "A child under 18 accompanying a victim is entitled to {name} under Art. 37(2)."
    ),
    "2024.child_of_victim.voc_extended.refuse.article": _("Art. 37(2) Law 53/2024/QH15"),
    "2024.child_of_victim.voc_extended.refuse.reason": _(
        "An accompanying child is not entitled to {name} under Art. 37(2)."
    ),
    "2024.child_of_victim.voc_extended.VOC.article": _("Art. 24 Decree 162/2025/NĐ-CP"),
    "2024.child_of_victim.voc_extended.VOC.reason": _(
        "Decree 162/2025/NĐ-CP Art. 24 extends vocational training to a child accompanying a victim."
    ),
    "2024.child_of_victim.category": _(
        "Child under 18 accompanying a victim (Vietnamese citizen or stateless permanent resident)"
    ),
    "2024.child_of_victim.grant.article": _("Art. 37(2) Law 53/2024/QH15 (Art. 37(1)({point}))"),
    "2024.child_of_victim.grant.reason": _(
        "A child under 18 accompanying a victim is entitled to {name} under Art. 37(2)."
    ),
    "2024.child_of_victim.refuse.article": _("Art. 37(2) Law 53/2024/QH15"),
    "2024.child_of_victim.refuse.reason": _("An accompanying child is not entitled to {name} under Art. 37(2)."),
    "2024.being_identified.abroad.category": _("Vietnamese citizen being identified abroad, or an accompanying child"),
    "2024.being_identified.abroad.grant.article": _("Art. 37(3) para 1 Law 53/2024/QH15 (Art. 37(1)({point}))"),
    "2024.being_identified.abroad.grant.reason": _(
        "A Vietnamese citizen being identified as a victim abroad, and an accompanying child, is entitled"
        " to {name} under Art. 37(3) para 1."
    ),
    "2024.being_identified.abroad.refuse.article": _("Art. 37(3) para 1 Law 53/2024/QH15"),
    "2024.being_identified.abroad.refuse.reason": _(
        "While being identified abroad, a person (or an accompanying child) is not entitled to {name}: "
        "Art. 37(3) para 1 covers points (a) to (d) only."
    ),
    "2024.being_identified.domestic.category": _(
        "Vietnamese citizen or stateless permanent resident being identified in Vietnam, or an accompanying child"
    ),
    "2024.being_identified.domestic.grant.article": _("Art. 37(3) para 2 Law 53/2024/QH15 (Art. 37(1)({point}))"),
    "2024.being_identified.domestic.grant.reason": _(
        "A person being identified as a victim in Vietnam, and an accompanying child, is entitled to "
        "{name} under Art. 37(3) para 2."
    ),
    "2024.being_identified.domestic.refuse.article": _("Art. 37(3) para 2 Law 53/2024/QH15"),
    "2024.being_identified.domestic.refuse.reason": _(
        "While being identified in Vietnam, a person (or an accompanying child) is not entitled to "
        "{name}: Art. 37(3) para 2 covers points (a) to (g) only."
    ),
    "2024.being_identified.stateless_abroad.category": _(
        "Stateless permanent resident being identified abroad, or an accompanying child"
    ),
    "2024.being_identified.stateless_abroad.refuse.article": _("Art. 37(3) para 1 Law 53/2024/QH15"),
    "2024.being_identified.stateless_abroad.refuse.reason": _(
        "Art. 37(3) para 1 covers only Vietnamese citizens being identified abroad; a stateless person "
        "being identified is covered only in Vietnam (para 2), so {name} is refused."
    ),
    "2024.foreign.category": _("Foreign victim or person being identified, trafficked in Vietnam"),
    "2024.foreign.grant.article": _("Art. 37(4) Law 53/2024/QH15 (Art. 37(1)({point}))"),
    "2024.foreign.grant.reason": _(
        "A foreign person trafficked in Vietnam may receive {name} case by case under Art. 37(4)."
    ),
    "2024.foreign.refuse.article": _("Art. 37(4) Law 53/2024/QH15"),
    "2024.foreign.refuse.reason": _(
        "A foreign person is not entitled to {name}: Art. 37(4) covers points (a), (b), (c), (d), (đ) and (g) only."
    ),
    "2024.foreign.TRV.article": _("Art. 37(4) Law 53/2024/QH15"),
    "2024.foreign.TRV.reason": _(
        "A foreign person gets no travel costs under Art. 37(4); their return to their country follows "
        "the return procedure instead."
    ),
    "2024.foreign.abroad_allowed.category": _(
        "Foreign victim or person being identified, trafficked in Vietnam, now abroad"
    ),
    "2024.foreign.abroad_allowed.grant.article": _("Art. 37(4) Law 53/2024/QH15 (Art. 37(1)({point}))"),
    "2024.foreign.abroad_allowed.grant.reason": _(
        "A foreign person trafficked in Vietnam may receive {name} case by case under Art. 37(4)."
    ),
    "2024.foreign.abroad_allowed.refuse.article": _("Art. 37(4) Law 53/2024/QH15"),
    "2024.foreign.abroad_allowed.refuse.reason": _(
        "A foreign person is not entitled to {name}: Art. 37(4) covers points (a), (b), (c), (d), (đ) and (g) only."
    ),
    "2024.foreign.abroad.category": _("Foreign victim or person being identified, trafficked in Vietnam, now abroad"),
    "2024.foreign.abroad.refuse.article": _("Art. 37(4) Law 53/2024/QH15"),
    "2024.foreign.abroad.refuse.reason": _(
        "Art. 37(4) is applied to foreign persons trafficked in Vietnam while they are in Vietnam; {name}"
        " is refused while the person is abroad."
    ),
    "2024.foreign.not_trafficked_in_vietnam.category": _(
        "Foreign victim or person being identified, not trafficked in Vietnam"
    ),
    "2024.foreign.not_trafficked_in_vietnam.refuse.article": _("Art. 37(4) Law 53/2024/QH15"),
    "2024.foreign.not_trafficked_in_vietnam.refuse.reason": _(
        "Art. 37(4) covers only foreign persons trafficked in Vietnam, so {name} is refused."
    ),
    "2024.child_of_foreign.category": _("Child accompanying a foreign victim or person being identified"),
    "2024.child_of_foreign.refuse.article": _("Art. 37(2) and (3) Law 53/2024/QH15"),
    "2024.child_of_foreign.refuse.reason": _(
        "Art. 37(2) and (3) cover only children accompanying Vietnamese citizens or stateless permanent "
        "residents, so {name} is refused; assess the child in its own right if it is itself a victim or "
        "being identified."
    ),
    "2024.not_victim.category": _("Person found not to be a victim, or a child accompanying them"),
    "2024.not_victim.refuse.article": _("Art. 37 Law 53/2024/QH15"),
    "2024.not_victim.refuse.reason": _(
        "A person found not to be a victim (and a child accompanying them) is not a beneficiary of Art. "
        "37, so {name} is refused."
    ),
    "2024.undetermined.category": _("Person whose victim status could not be determined, or a child accompanying them"),
    "2024.undetermined.refuse.article": _("Art. 37 Law 53/2024/QH15"),
    "2024.undetermined.refuse.reason": _(
        "A person whose victim status could not be determined (and a child accompanying them) is not a "
        "beneficiary of Art. 37, so {name} is refused; verification must resume first."
    ),
    "2024.no_row.category": _("No row of the Art. 37 matrix"),
    "2024.no_row.refuse.article": _("Art. 37 Law 53/2024/QH15"),
    "2024.no_row.refuse.reason": _("No row of Art. 37 covers this person, so {name} is refused."),
    "2024.conditions.ESS.1": _(
        "At most 120 days unless an extension decision is recorded (Decree 162/2025/NĐ-CP Art. 17)."
    ),
    "2024.conditions.MED.1": _("Includes the first year's health-insurance contribution if the person is uninsured."),
    "2024.conditions.AID.1": _("Free of charge (Law on Legal Aid Art. 7(6a))."),
    "2024.conditions.EDU.1": _(
        "After return: tuition exemption, textbooks and school items for the first school year and the "
        "following one (Decree 162/2025/NĐ-CP Art. 24)."
    ),
    "2024.conditions.EDU.2": _(
        "Applied for on Form No. 07 and decided by the Department of Health within 9 working days (Decree"
        " 162/2025/NĐ-CP)."
    ),
    "2024.conditions.VOC.1": _(
        "Applied for on Form No. 07 and decided by the Department of Health within 9 working days (Decree"
        " 162/2025/NĐ-CP)."
    ),
    "2024.conditions.HAR.1": _(
        "Applied for on Form No. 07 and decided by the Department of Health within 9 working days (Decree"
        " 162/2025/NĐ-CP)."
    ),
    "2024.conditions.LOAN.1": _(
        "Under the Vietnam Bank for Social Policies' rules on term, amount and interest (Decree "
        "162/2025/NĐ-CP Art. 25)."
    ),
}


def regime_in_sentence(regime: Regime) -> str:
    """The regime's name as it reads inside a sentence, in the active language."""
    name = regime.name_vi if (get_language() or "").startswith("vi") else regime.name_en
    return name[0].lower() + name[1:]


def say(message: str) -> str:
    """`message` in the active language: through the catalogue when it is a `Message` with a known
    key, else as it is (plain text from elsewhere is already what it is)."""
    if not isinstance(message, Message) or message.key not in CATALOGUE:
        return str(message)
    return render(str(CATALOGUE[message.key]), message.params, regime_in_sentence)
