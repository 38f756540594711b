"""The one name resolver: what a person typed for a place, and the day the record is about → the unit
valid that day, with a confidence and the alternatives.

Every place picker (forms, filters, the API's `/units/resolve`) reads names through `resolve` and
suggests through `suggest`; the import's address resolution (exchange) extends this module — more
noise words and abbreviations, village and house parts — rather than writing a second resolver.

What it reads:
- a code ("09955", "01", "VN"): the unit with that code valid on the day;
- a name with or without diacritics and with or without its type word ("Thạch Thất", "thach that",
  "Xã Thạch Thất", "tp Hà Nội");
- a name followed by its parents, as the pickers show it ("Xã Thạch Thất — Thành phố Hà Nội") or as
  people write it ("Kim Quan, Thạch Thất, Hà Nội").

How sure it is: an exact name (type word and name) scores 1.0, the name without its type word 0.95,
a name spelt with other diacritics than typed 0.85, the start of a name 0.6, a word inside a name
0.4. A unit is chosen when one candidate alone scores at least `SURE` and no other scores as high;
otherwise the candidates are alternatives to choose from — an ambiguous name gets a choice, not an
error. A name that only matches units of another date ("Huyện Thạch Thất" on a 2026 record, "Xã
Thạch Thất" on a 2024 one) is explained, and the units valid on the day that it became (or that
became it) are offered instead.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from haidang.common.dates import format_day
from haidang.common.text import clean_text, fold
from haidang.places import selectors
from haidang.places.errors import UnitLookupError, UnitNotValidError
from haidang.places.models import AdministrativeUnit, UnitLevel, UnitSuccession
from haidang.places.text import TYPE_PREFIXES, proper_name

__all__ = [
    "AddressResolution",
    "LABEL_SEPARATOR",
    "Match",
    "Resolution",
    "SURE",
    "describe",
    "home_paths",
    "label",
    "ranked_search",
    "resolve",
    "resolve_address",
    "set_area_provider",
    "suggest",
]

# A chosen unit is at least this sure; below it the candidates are offered as a choice.
SURE = 0.9
EXACT, PROPER, OTHER_MARKS, PREFIX, WORD = 1.0, 0.95, 0.85, 0.6, 0.4
# How many rows of the word search are scored, and how many alternatives are offered.
CANDIDATES = 300
ALTERNATIVES = 12
LABEL_SEPARATOR = " — "

# Type words people put before a name, folded, longest first; and the short forms read the same way.
_TYPE_WORDS = tuple(sorted({fold(prefix) for prefix in TYPE_PREFIXES}, key=len, reverse=True))
ABBREVIATIONS = {"tp": "thanh pho", "tx": "thi xa", "tt": "thi tran"}
# Between a name and its parents: the pickers' dash, commas and semicolons (a plain hyphen is part of
# some names, "Bà Rịa - Vũng Tàu", and is tried as a separator only when the whole text finds nothing).
_PARTS = re.compile(r"\s*(?:—|,|;)\s*")
_DASHES = re.compile(r"\s+[-–]\s+")
_CODE = re.compile(r"^(?:\d{1,5}|vn)$", re.IGNORECASE)
_TRAILING_CODE = re.compile(r"^(?P<text>.*?)\s*\((?:[^\d()]*\s)?(?P<code>\d{1,5})\)$")


@dataclass
class Match:
    """A candidate unit with how sure the resolver is of it and why (`how`: code, name, successor, …)."""

    unit: AdministrativeUnit
    score: float
    how: str = "name"
    # For a unit offered in place of one of another date: that unit ("Huyện Thạch Thất"), and whether it
    # went whole into this one (True) or was split between several (False).
    via: AdministrativeUnit | None = None
    whole: bool = False


@dataclass
class Resolution:
    """The answer for one text on one day.

    `status` is "resolved" (`unit` is set), "ambiguous" (choose among `alternatives`), "not_valid" (the
    text names units of other dates only; `alternatives` are the units valid on the day in their place),
    "unknown" (nothing has that name or code) or "empty".
    """

    text: str
    day: date
    status: str
    unit: AdministrativeUnit | None = None
    confidence: float = 0.0
    alternatives: list[Match] = field(default_factory=list)
    message: str = ""
    # Units of other dates the text names (the old district typed on a 2026 record), nearest first.
    other_dates: list[AdministrativeUnit] = field(default_factory=list)

    @property
    def resolved(self) -> bool:
        return self.unit is not None


# --- The user's own area ---------------------------------------------------------------------------
# Units in the user's area are listed first among equals. The scope rule lives in `access`, above this
# layer; it tells the resolver how to find a user's area at start-up (`AccessConfig.ready`).


def _no_area(user) -> tuple[str, ...]:
    return ()


_area_of = _no_area


def set_area_provider(provider) -> None:
    """`provider(user)` → the scope paths of the user's own area (access sets it at start-up)."""
    global _area_of
    _area_of = provider


def home_paths(user) -> tuple[str, ...]:
    if user is None or not getattr(user, "is_authenticated", False):
        return ()
    return tuple(_area_of(user))


# --- Reading the text -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Name:
    words: str  # the folded name without its type word ("thach that")
    type_word: str  # the folded type word typed, or ""
    marked: str  # the name as typed, lower-case with its diacritics ("thạch thất"), for a closer look

    @property
    def full(self) -> str:
        return f"{self.type_word} {self.words}".strip()


def _simplify(text: str) -> str:
    # Dots of abbreviations ("Tp.", "X.") and stray punctuation are spaces; apostrophes stay (Ea H'leo).
    return " ".join(re.sub(r"[.·:()\"“”]", " ", text).split())


def _split_type(folded: str) -> tuple[str, int]:
    """The type word at the start of a folded name (its full form) and how many words it took."""
    words = folded.split()
    if len(words) > 1 and words[0] in ABBREVIATIONS:
        return ABBREVIATIONS[words[0]], 1
    for type_word in _TYPE_WORDS:
        size = len(type_word.split())
        if len(words) > size and " ".join(words[:size]) == type_word:
            return type_word, size
    return "", 0


def _read_name(text: str) -> _Name:
    simple = _simplify(clean_text(text))
    folded = fold(simple)
    type_word, size = _split_type(folded)
    return _Name(
        words=" ".join(folded.split()[size:]),
        type_word=type_word,
        marked=" ".join(simple.lower().split()[size:]),
    )


def _unit_name(unit: AdministrativeUnit) -> _Name:
    proper = proper_name(unit.name)
    folded_proper = fold(proper)
    type_word = unit.name_folded[: -len(folded_proper)].strip() if unit.name_folded.endswith(folded_proper) else ""
    return _Name(words=folded_proper, type_word=type_word, marked=clean_text(proper).lower())


def _score(query: _Name, unit: AdministrativeUnit) -> float:
    name = _unit_name(unit)
    if query.words == name.words:
        if query.type_word and query.type_word != name.type_word:
            return PREFIX  # "Huyện Thạch Thất" typed, "Xã Thạch Thất" found: the name, not the unit
        marked_differ = query.marked != fold(query.marked) and query.marked != name.marked
        if marked_differ:
            return OTHER_MARKS
        return EXACT if query.type_word else PROPER
    if name.words.startswith(query.words):
        return PREFIX
    return WORD


# --- Candidates -------------------------------------------------------------------------------------


def _relevance(query: _Name) -> Case:
    """Rank in SQL before the rows are cut: the whole name, then the name without its type word."""
    whens = [When(name_folded=query.full, then=Value(0))]
    if query.words:
        whens.append(When(name_folded__endswith=" " + query.words, then=Value(1)))
        whens.append(When(name_folded=query.words, then=Value(1)))
    return Case(*whens, default=Value(2), output_field=IntegerField())


def ranked_search(text: str, *, as_of: date | None = None, level: int | None = None) -> QuerySet:
    """`selectors.search_units` with the closest names first (the API's `/units?q=` uses this order)."""
    queryset = selectors.search_units(text, as_of=as_of, level=level)
    name = _read_name(text)
    return queryset.annotate(relevance=_relevance(name)).order_by("relevance", *queryset.query.order_by)


def _candidates(name: _Name, *, day: date | None, levels: Iterable[int] | None) -> list[AdministrativeUnit]:
    if not name.words:
        return []
    # Ranked by the name as typed with its type word ("Xã Thanh" before the hundreds of "… Thanh"), so that the
    # exact unit is never cut off by CANDIDATES.
    queryset = selectors.search_units(name.words, as_of=day)
    queryset = queryset.annotate(relevance=_relevance(name)).order_by("relevance", *queryset.query.order_by)
    if levels:
        queryset = queryset.filter(level__in=list(levels))
    return list(queryset[:CANDIDATES])


def _ancestor_map(units: Iterable[AdministrativeUnit]) -> dict[int, AdministrativeUnit]:
    """Every ancestor of the units (below the nation), by id, in one query."""
    units = list(units)
    ids = {int(part) for unit in units for part in unit.path.strip("/").split("/")[1:-1] if part}
    # Parents already fetched with their units (`select_related`) are not read again: a commune's
    # only ancestor below the nation is often its province, so most names need no second query.
    known = {}
    for unit in units:
        parent = unit._state.fields_cache.get("parent")
        if parent is not None and parent.pk in ids:
            known[parent.pk] = parent
    missing = ids - known.keys()
    if missing:
        known.update((u.pk, u) for u in AdministrativeUnit.objects.filter(pk__in=missing))
    return known


def _chain(unit: AdministrativeUnit, ancestors: dict[int, AdministrativeUnit]) -> list[AdministrativeUnit]:
    """The unit's parents from the nearest up, without the nation."""
    ids = [int(part) for part in unit.path.strip("/").split("/")[1:-1] if part]
    return [ancestors[pk] for pk in reversed(ids) if pk in ancestors]


def _names_parent(typed: _Name, ancestor: _Name) -> bool:
    # The start of the parent's words ("tay ninh" for "Tây Ninh"), and its type word when one was typed.
    if not typed.words or not f"{ancestor.words} ".startswith(f"{typed.words} "):
        return typed.words != "" and ancestor.words.startswith(typed.words) and not typed.type_word
    return not typed.type_word or typed.type_word == ancestor.type_word


def _parents_match(unit, parents: list[_Name], ancestors) -> bool:
    """Each parent typed names one of the unit's parents, nearest first, in the order typed."""
    chain = [_unit_name(a) for a in _chain(unit, ancestors)]
    position = 0
    for typed in parents:
        while position < len(chain) and not _names_parent(typed, chain[position]):
            position += 1
        if position == len(chain):
            return False
        position += 1
    return True


def _ranked(matches: list[Match], prefer: tuple[str, ...]) -> list[Match]:
    def key(match: Match):
        inside = any(match.unit.scope_path.startswith(path) for path in prefer) if prefer else False
        return (-match.score, not inside, match.unit.level, match.unit.sort_key, match.unit.code)

    return sorted(matches, key=key)


def _scored(text: str, *, day, levels, prefer) -> tuple[list[Match], list[_Name]]:
    parts = [part for part in _PARTS.split(clean_text(text)) if part]
    name, parents = _read_name(parts[0]) if parts else _Name("", "", ""), [_read_name(p) for p in parts[1:]]
    units = _candidates(name, day=day, levels=levels)
    if parents:
        ancestors = _ancestor_map(units)
        units = [unit for unit in units if _parents_match(unit, parents, ancestors)]
    return _ranked([Match(unit, _score(name, unit)) for unit in units], prefer), parents


def _matches(text: str, *, day, levels, prefer) -> list[Match]:
    matches, parents = _scored(text, day=day, levels=levels, prefer=prefer)
    if not matches and not parents and _DASHES.search(text):
        # "Thạch Thất - Hà Nội": a plain dash between a name and its parent.
        matches, _parents = _scored(_DASHES.sub(", ", text), day=day, levels=levels, prefer=prefer)
    return matches


# --- Units of another date --------------------------------------------------------------------------


def _in_place_of(units: list[AdministrativeUnit], day: date, levels) -> list[Match]:
    """For units not valid on `day`: the units valid on `day` that they became (an old unit asked for after
    the reform) or that became them (a new unit asked for before it)."""
    by_id = {u.pk: u for u in units}
    ended = [u.pk for u in units if u.valid_to is not None and u.valid_to < day]
    to_come = [u.pk for u in units if u.valid_from is not None and day < u.valid_from]
    links = UnitSuccession.objects.filter(Q(predecessor__in=ended) | Q(successor__in=to_come)).select_related(
        "predecessor", "successor"
    )
    offered: dict[int, Match] = {}
    links = list(links.order_by("-is_default", "successor__sort_key", "predecessor__sort_key"))
    spread = defaultdict(int)  # how many units each ended unit went to
    for link in links:
        spread[link.predecessor_id] += 1
    for link in links:
        if link.predecessor_id in by_id and link.predecessor_id in ended:
            unit, via, how = link.successor, by_id[link.predecessor_id], "successor"
        else:
            unit, via, how = link.predecessor, by_id[link.successor_id], "predecessor"
        if unit.is_valid_on(day) and (not levels or unit.level in levels) and unit.pk not in offered:
            unit.effective_on = link.effective_on
            offered[unit.pk] = Match(unit, PREFIX, how=how, via=via, whole=spread[link.predecessor_id] == 1)
    return list(offered.values())


def _not_valid(text: str, day: date, others: list[Match], valid: list[Match], levels, prefer) -> Resolution:
    units = [m.unit for m in others]
    nearest = units[0]
    later = selectors.successors(nearest) if nearest.valid_to is not None and nearest.valid_to < day else []
    message = UnitNotValidError(nearest, day, later).message
    offered = _ranked(_in_place_of(units[:ALTERNATIVES], day, levels), prefer)
    seen = {m.unit.pk for m in offered}
    alternatives = offered + [m for m in valid if m.unit.pk not in seen]
    return Resolution(
        text=text,
        day=day,
        status="not_valid",
        alternatives=alternatives[:ALTERNATIVES],
        message=message,
        other_dates=units,
    )


def _by_code(text: str, day: date, levels, prefer) -> Resolution:
    try:
        unit = selectors.resolve_unit(text, day)
    except UnitNotValidError as error:
        alternatives = _ranked(_in_place_of([error.unit], day, levels), prefer)
        return Resolution(
            text=text,
            day=day,
            status="not_valid",
            alternatives=alternatives,
            message=error.message,
            other_dates=[error.unit],
        )
    except UnitLookupError as error:
        return Resolution(text=text, day=day, status="unknown", message=error.message)
    if levels and unit.level not in levels:
        return Resolution(text=text, day=day, status="unknown", message=_level_message(unit, levels))
    return Resolution(text=text, day=day, status="resolved", unit=unit, confidence=1.0)


def _level_message(unit: AdministrativeUnit, levels) -> str:
    names = ", ".join(str(UnitLevel(level).label).lower() for level in sorted(levels))
    return _("%(unit)s is not a unit of the kind asked for here (%(levels)s).") % {"unit": unit.name, "levels": names}


# --- The resolver -----------------------------------------------------------------------------------


def resolve(
    text: str,
    *,
    day: date,
    levels: Iterable[int] | None = None,
    prefer: Iterable[str] = (),
) -> Resolution:
    """The unit `text` names on `day`, or why not and what to choose instead.

    `levels` limits the kinds of unit (e.g. communes only); `prefer` lists scope paths whose units
    are offered first among equals (the user's own area). The choice is never made for the user
    because a unit is in their area: two communes of one name stay two alternatives.
    """
    cleaned = clean_text(text)
    levels = tuple(levels) if levels else None
    prefer = tuple(prefer)
    if not cleaned:
        return Resolution(text="", day=day, status="empty")
    found = _TRAILING_CODE.match(cleaned)
    if found:  # "Xã Thạch Thất (09955)": the code decides
        cleaned = found["code"]
    if _CODE.match(cleaned):
        return _by_code(cleaned, day, levels, prefer)
    matches = _matches(cleaned, day=day, levels=levels, prefer=prefer)
    if not matches or matches[0].score < SURE:
        # Nothing sure on the day: is it the exact name of a unit of another date?
        others = [m for m in _matches(cleaned, day=None, levels=levels, prefer=prefer) if not m.unit.is_valid_on(day)]
        sure = [m for m in others if m.score >= SURE]
        if sure or (others and not matches):
            return _not_valid(cleaned, day, sure or others, matches, levels, prefer)
    if not matches:
        message = _("No administrative unit is named or coded “%(text)s”.") % {"text": cleaned[:100]}
        return Resolution(text=cleaned, day=day, status="unknown", message=message)
    best = matches[0]
    rivals = [m for m in matches[1:] if m.score >= best.score]
    if best.score >= SURE and not rivals:
        return Resolution(
            text=cleaned,
            day=day,
            status="resolved",
            unit=best.unit,
            confidence=best.score,
            alternatives=matches[1:ALTERNATIVES],
        )
    if best.score >= SURE:  # two units of one name: the choice is between them, not every word match
        matches = [m for m in matches if m.score >= SURE]
    message = _("Several units match “%(text)s” on %(day)s: choose one.") % {
        "text": cleaned[:100],
        "day": format_day(day),
    }
    if best.score < SURE:
        message = _("No unit is named exactly “%(text)s” on %(day)s: choose one of these.") % {
            "text": cleaned[:100],
            "day": format_day(day),
        }
    return Resolution(text=cleaned, day=day, status="ambiguous", alternatives=matches[:ALTERNATIVES], message=message)


def suggest(
    text: str,
    *,
    day: date,
    levels: Iterable[int] | None = None,
    prefer: Iterable[str] = (),
    limit: int = 10,
) -> list[Match]:
    """Units to offer while someone types: those valid on `day` best first; when the text names units of
    another date, the units valid on `day` that they became (or that became them)."""
    resolution = resolve(text, day=day, levels=levels, prefer=prefer)
    if resolution.unit is not None:
        return [Match(resolution.unit, resolution.confidence), *resolution.alternatives][:limit]
    return resolution.alternatives[:limit]


# --- Showing a unit ---------------------------------------------------------------------------------


def label(unit: AdministrativeUnit, ancestors: dict[int, AdministrativeUnit] | None = None) -> str:
    """The unit and its parents as the pickers show it: "Xã Thạch Thất — Thành phố Hà Nội"."""
    ancestors = ancestors if ancestors is not None else _ancestor_map([unit])
    return LABEL_SEPARATOR.join([unit.name, *(a.name for a in _chain(unit, ancestors))])


@dataclass(frozen=True)
class Described:
    """A unit as the pickers list it: its label, whether it is of the old map, and what it became."""

    code: str
    name: str
    label: str
    level: int
    valid_to: date | None
    note: str  # "until 30/06/2025, now Xã Thạch Thất", "from Huyện Thạch Thất", or ""
    how: str = "name"


def describe(matches: list[Match]) -> list[Described]:
    """Labels and notes for a list of matches, in two queries whatever their number."""
    units = [m.unit for m in matches]
    ancestors = _ancestor_map(units)
    became: dict[int, list[AdministrativeUnit]] = defaultdict(list)
    old = [u.pk for u in units if u.valid_to is not None]
    if old:
        links = UnitSuccession.objects.filter(predecessor__in=old).select_related("successor")
        for link in links.order_by("-is_default", "successor__sort_key"):
            became[link.predecessor_id].append(link.successor)
    return [
        Described(
            code=m.unit.code,
            name=m.unit.name,
            label=label(m.unit, ancestors),
            level=m.unit.level,
            valid_to=m.unit.valid_to,
            note=_note(m, became.get(m.unit.pk, [])),
            how=m.how,
        )
        for m in matches
    ]


def _note(match: Match, became: list[AdministrativeUnit]) -> str:
    unit = match.unit
    notes = []
    if unit.valid_to is not None:
        params = {"end": format_day(unit.valid_to), "units": ", ".join(u.name for u in became[:4])}
        if len(became) > 4:
            params["units"] += ", …"
        if became:
            notes.append(_("until %(end)s, now %(units)s") % params)
        else:
            notes.append(_("until %(end)s") % params)
    if match.via is not None and match.how == "successor":
        since = getattr(unit, "effective_on", None) or match.via.valid_to
        params = {"day": format_day(since), "unit": match.via.name}
        if match.whole:
            notes.append(_("since %(day)s includes %(unit)s") % params)
        else:
            notes.append(_("since %(day)s includes part of %(unit)s") % params)
    return "; ".join(notes)


# --- Addresses ----------------------------------------------------------------------------------------
# An address as people write it in a register: "thôn 3, xa binh yen, thach that, ha noi", "X. Bình Yên, H.
# Thạch Thất, TP Hà Nội", "Số 12 ngõ 5, P.12, Q.3, Tp.HCM". The parts below the commune (hamlet, street, house)
# come first and are set aside; short type words are read in full; the rest goes to `resolve` as a name with
# its parents, so the parents choose between communes of one name and the record's date chooses the map.

# Short type words (folded, without their dots) → the type word in full.
ADDRESS_TYPE_WORDS = {
    "x": "Xã",
    "h": "Huyện",
    "p": "Phường",
    "q": "Quận",
    "tt": "Thị trấn",
    "ttr": "Thị trấn",
    "tx": "Thị xã",
    "tp": "Thành phố",
    "t": "Tỉnh",
}
# Names written short.
ADDRESS_NAMES = {"hcm": "Hồ Chí Minh", "tphcm": "Thành phố Hồ Chí Minh", "hn": "Hà Nội", "brvt": "Bà Rịa - Vũng Tàu"}
_SHORT_NUMBERED = re.compile(r"^(?P<type>[pPqQ])(?P<number>\d{1,2})$")


@dataclass
class AddressResolution:
    """An address read on a day: the resolver's answer for the part that names a unit, the parts set aside
    (hamlet, street, house), and where the unit — or each alternative — counts on today's map."""

    address: str
    resolution: Resolution
    set_aside: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.resolution.status

    @property
    def unit(self) -> AdministrativeUnit | None:
        return self.resolution.unit

    @property
    def confidence(self) -> float:
        return self.resolution.confidence

    @property
    def alternatives(self) -> list[Match]:
        return self.resolution.alternatives

    @property
    def today(self) -> AdministrativeUnit | None:
        """Where records made under the unit count today (the unit itself when it is current)."""
        return selectors.current_unit_for(self.unit) if self.unit is not None else None


def _expand_part(part: str) -> str:
    """ "X. Bình Yên" → "Xã Bình Yên", "Q.3" → "Quận 3", "Tp.HCM" → "Thành phố Hồ Chí Minh"."""
    simple = _simplify(part)
    numbered = _SHORT_NUMBERED.match(simple)
    if numbered:
        return f"{ADDRESS_TYPE_WORDS[numbered['type'].lower()]} {numbered['number']}"
    words = simple.split()
    if not words:
        return ""
    first = fold(words[0])
    if first in ADDRESS_NAMES:
        return " ".join([ADDRESS_NAMES[first], *words[1:]])
    if len(words) > 1 and first in ADDRESS_TYPE_WORDS:
        rest = [ADDRESS_NAMES.get(fold(word), word) for word in words[1:]]
        return " ".join([ADDRESS_TYPE_WORDS[first], *rest])
    return simple


def _address_parts(text: str) -> list[str]:
    parts = [part for part in _PARTS.split(clean_text(text)) if part.strip()]
    return [expanded for expanded in (_expand_part(part) for part in parts) if expanded]


def resolve_address(
    text: str, *, as_of: date, levels: Iterable[int] | None = None, prefer: Iterable[str] = ()
) -> AddressResolution:
    """The unit an address names on `as_of`, with its place on today's map, a confidence and the alternatives.

    The address is read as a name followed by its parents; while that names nothing, its first part is set
    aside as a place below the commune (hamlet, street, house: "thôn 3", "số 12 ngõ 5", "Đồng Mai") and the
    rest is read again. A part is never set aside for the word it begins with: "Đường Lâm" and "Phố Ràng" are
    communes. The first reading that names anything is the answer: a unit (valid on the day, or of another date
    with the units valid on the day in its place), or a choice — never a coarser unit found by setting aside a
    part that names several. In an address written with diacritics, two units whose names differ only by them
    are told apart by the spelling typed.
    """
    address = clean_text(text)
    parts = _address_parts(address)
    marked = address.lower() != fold(address)  # written with diacritics: "Thanh" is then not "Thành"
    for begin in range(len(parts)):
        found = resolve(", ".join(parts[begin:]), day=as_of, levels=levels, prefer=prefer)
        if found.status == "ambiguous" and marked:
            found = _decided_by_marks(found, parts[begin])
        if found.status not in ("unknown", "empty"):
            return AddressResolution(address=address, resolution=found, set_aside=parts[:begin])
    found = resolve(", ".join(parts), day=as_of, levels=levels, prefer=prefer)
    return AddressResolution(address=address, resolution=found)


def _decided_by_marks(found: Resolution, typed_part: str) -> Resolution:
    """Two units whose names differ only by diacritics ("Xã Nga Thanh" and "Xã Nga Thành" of one district): in
    an address written with diacritics, the one spelt exactly as typed."""
    typed = _read_name(typed_part)
    exact = [m for m in found.alternatives if m.score >= SURE and _unit_name(m.unit).marked == typed.marked]
    if len(exact) != 1:
        return found
    others = [m for m in found.alternatives if m is not exact[0]]
    return Resolution(
        text=found.text, day=found.day, status="resolved", unit=exact[0].unit, confidence=PROPER, alternatives=others
    )
