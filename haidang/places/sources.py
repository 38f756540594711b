"""Reading the two administrative maps and the crosswalk from the installed data packages.

* `vietnam-provinces` (data/nested-divisions.json) holds the 2025 two-tier map with the official
  codes of the General Statistics Office; it is the authority for 2025 codes and names.
* `vietnamadminunits` (data/dataset.db, data/converter_2025.json) holds the last three-tier map
  (table `admin_units_legacy`), its own copy of the 2025 map (table `admin_units`) and the
  crosswalk, keyed by diacritic-free name keys ("thanhphohanoi", "huyenthachthat", ...).

Crosswalk keys are turned into codes through dataset.db; its 2025 rows are then matched to the
vietnam-provinces units by province and name, because about 120 of its 2025 commune codes are
not the official ones (every difference is reported). Only data files are read: neither
package is imported, so none of their geocoding code (which calls out to the internet) can run.
"""

import importlib.util
import json
import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata
from pathlib import Path

from haidang.common.text import clean_text, fold
from haidang.places.models import UnitLevel, UnitType

NEW_MAP_FROM = date(2025, 7, 1)
OLD_MAP_TO = date(2025, 6, 30)

NEW_PROVINCE_TYPES = {"tỉnh": UnitType.PROVINCE, "thành phố trung ương": UnitType.MUNICIPALITY}
NEW_COMMUNE_TYPES = {"xã": UnitType.COMMUNE, "phường": UnitType.WARD, "đặc khu": UnitType.SPECIAL_ZONE}
OLD_PROVINCE_TYPES = {"Tỉnh": UnitType.PROVINCE, "Thành phố": UnitType.MUNICIPALITY}
OLD_DISTRICT_TYPES = {
    "Quận": UnitType.URBAN_DISTRICT,
    "Huyện": UnitType.RURAL_DISTRICT,
    "Thị xã": UnitType.TOWN,
    "Thành phố": UnitType.PROVINCIAL_CITY,
}
OLD_COMMUNE_TYPES = {"Xã": UnitType.COMMUNE, "Phường": UnitType.WARD, "Thị trấn": UnitType.TOWNSHIP}


class SourceDataError(Exception):
    """The package data is missing or does not fit together; nothing is loaded."""


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    unit_type: str
    level: int
    parent_code: str | None  # the parent's code in the same map; None: the nation root


@dataclass(frozen=True)
class Edge:
    old_level: int
    old_code: str
    new_level: int
    new_code: str
    is_default: bool


@dataclass
class MapSource:
    new_units: list[UnitRow]  # provinces first, then communes
    old_units: list[UnitRow]  # provinces, districts, communes
    edges: list[Edge]  # old commune (or commune-less island district) -> new commune; old -> new province
    package_versions: dict[str, str]
    code_disagreements: list[str] = field(default_factory=list)
    spelling_differences: list[str] = field(default_factory=list)


def _package_dir(name: str) -> Path:
    # find_spec locates the package without running its __init__ (which would import geocoders).
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SourceDataError(f"The package {name!r} is not installed.")
    return Path(next(iter(spec.submodule_search_locations)))


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "unknown"


def _match_key(name: str) -> str:
    # Spelling variants between the packages ("Hòa"/"Hoà", "'"/"’", doubled spaces) fold alike.
    return re.sub(r"[^a-z0-9]+", "", fold(name))


def _type_from_name(name: str, types: dict[str, str]) -> str:
    for word, unit_type in types.items():
        if clean_text(name).startswith(word + " "):
            return unit_type
    raise SourceDataError(f"Unknown unit type in {name!r}.")


def _read_new_map() -> tuple[list[UnitRow], dict[tuple[str, str], list[str]], dict[str, str]]:
    path = _package_dir("vietnam_provinces") / "data" / "nested-divisions.json"
    provinces = json.loads(path.read_text(encoding="utf-8"))
    rows: list[UnitRow] = []
    communes: list[UnitRow] = []
    by_name: dict[tuple[str, str], list[str]] = defaultdict(list)
    names: dict[str, str] = {}
    for province in provinces:
        pcode = f"{int(province['code']):02d}"
        ptype = NEW_PROVINCE_TYPES[province["division_type"]]
        pname = clean_text(province["name"])
        # The package writes provinces as "Cao Bằng"; the official name is "Tỉnh Cao Bằng".
        if ptype == UnitType.PROVINCE and not pname.startswith("Tỉnh "):
            pname = f"Tỉnh {pname}"
        rows.append(UnitRow(pcode, pname, ptype, UnitLevel.PROVINCE, None))
        for ward in province["wards"]:
            wcode = f"{int(ward['code']):05d}"
            wname = clean_text(ward["name"])
            communes.append(UnitRow(wcode, wname, NEW_COMMUNE_TYPES[ward["division_type"]], UnitLevel.COMMUNE, pcode))
            by_name[(pcode, _match_key(wname))].append(wcode)
            names[wcode] = wname
    return rows + communes, by_name, names


def _read_dataset(data_dir: Path) -> tuple[list[tuple], list[tuple]]:
    """dataset.db's rows of the old three-tier map and of its own copy of the 2025 map."""
    db_path = data_dir / "dataset.db"
    if not db_path.exists():
        raise SourceDataError(f"{db_path} is missing.")
    # Read-only and immutable: the package's file is never written to.
    connection = sqlite3.connect(f"file:{db_path}?mode=ro&immutable=1", uri=True)
    try:
        legacy = connection.execute(
            "SELECT province, provinceCode, provinceKey, district, districtType, districtCode, districtKey, "
            "ward, wardType, wardCode, wardKey FROM admin_units_legacy "
            "ORDER BY provinceCode, districtCode, wardCode"
        ).fetchall()
        current = connection.execute(
            "SELECT provinceCode, provinceKey, ward, wardCode, wardKey FROM admin_units"
        ).fetchall()
    finally:
        connection.close()
    return legacy, current


def _read_old_map(legacy: list[tuple]) -> tuple[list[UnitRow], dict[str, str], dict[str, tuple[int, str]]]:
    """The old three-tier map: (its units, provinceKey -> code, "p_d_w" crosswalk key -> (level, code))."""
    old_provinces: dict[str, UnitRow] = {}
    old_districts: dict[str, UnitRow] = {}
    old_communes: list[UnitRow] = []
    old_province_code: dict[str, str] = {}  # provinceKey -> code
    old_key_to_unit: dict[str, tuple[int, str]] = {}  # "p_d_w" crosswalk key -> (level, code)
    for pname, pcode, pkey, dname, dtype, dcode, dkey, wname, wtype, wcode, wkey in legacy:
        if pcode not in old_provinces:
            ptype = _type_from_name(pname, OLD_PROVINCE_TYPES)
            old_provinces[pcode] = UnitRow(pcode, clean_text(pname), ptype, UnitLevel.PROVINCE, None)
            old_province_code[pkey] = pcode
        if dcode not in old_districts:
            old_districts[dcode] = UnitRow(
                dcode, clean_text(dname), OLD_DISTRICT_TYPES[dtype], UnitLevel.DISTRICT, pcode
            )
        if wcode:
            old_communes.append(UnitRow(wcode, clean_text(wname), OLD_COMMUNE_TYPES[wtype], UnitLevel.COMMUNE, dcode))
            old_key_to_unit[f"{pkey}_{dkey}_{wkey}"] = (UnitLevel.COMMUNE, wcode)
        else:
            # Island districts with no commune (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo): the
            # crosswalk names them "p_d_" and sends them straight to a 2025 special zone.
            old_key_to_unit[f"{pkey}_{dkey}_"] = (UnitLevel.DISTRICT, dcode)
    return [*old_provinces.values(), *old_districts.values(), *old_communes], old_province_code, old_key_to_unit


def _official_codes(
    current: list[tuple],
    new_codes: dict[tuple[int, str], UnitRow],
    new_by_name: dict[tuple[str, str], list[str]],
    new_names: dict[str, str],
    source: MapSource,
) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """dataset.db's 2025 keys -> official 2025 codes: (provinceKey -> code, (provinceKey, wardKey) -> code).
    Spelling differences and code disagreements are noted on `source`."""
    new_province_code: dict[str, str] = {}
    new_key_to_code: dict[tuple[str, str], str] = {}
    for pcode, pkey, wname, wcode, wkey in current:
        new_province_code[pkey] = pcode
        if (UnitLevel.PROVINCE, pcode) not in new_codes:
            raise SourceDataError(f"2025 province code {pcode} of vietnamadminunits is not in vietnam-provinces.")
        official = wcode if (UnitLevel.COMMUNE, wcode) in new_codes else None
        if (
            official is not None
            and new_codes[(UnitLevel.COMMUNE, official)].parent_code == pcode
            and (_match_key(new_names[official]) == _match_key(wname))
        ):
            if new_names[official] != clean_text(wname):
                source.spelling_differences.append(f"{wcode}: {clean_text(wname)!r} / {new_names[official]!r}")
        else:
            candidates = new_by_name.get((pcode, _match_key(wname)), [])
            if len(candidates) != 1:
                raise SourceDataError(
                    f"Cannot match 2025 unit {wname} ({wcode}, province {pcode}) to one official code."
                )
            official = candidates[0]
            source.code_disagreements.append(
                f"{clean_text(wname)}: vietnamadminunits {wcode}, vietnam-provinces {official}"
            )
        new_key_to_code[(pkey, wkey)] = official
    return new_province_code, new_key_to_code


def _add_crosswalk_edges(
    source: MapSource,
    crosswalk: dict,
    old_province_code: dict[str, str],
    old_key_to_unit: dict[str, tuple[int, str]],
    new_province_code: dict[str, str],
    new_key_to_code: dict[tuple[str, str], str],
) -> None:
    """Add the crosswalk's keys to `source` as edges between codes: provinces, whole old units, split ones."""

    def old_unit(key: str) -> tuple[int, str]:
        try:
            return old_key_to_unit[key]
        except KeyError:
            raise SourceDataError(f"Crosswalk key {key!r} is not a unit of the old map.") from None

    def new_commune(pkey: str, wkey: str) -> str:
        try:
            return new_key_to_code[(pkey, wkey)]
        except KeyError:
            raise SourceDataError(f"Crosswalk key {pkey}/{wkey} is not a unit of the 2025 map.") from None

    for new_pkey, old_pkeys in crosswalk["DICT_PROVINCE"].items():
        for old_pkey in old_pkeys:
            source.edges.append(
                Edge(
                    UnitLevel.PROVINCE,
                    old_province_code[old_pkey],
                    UnitLevel.PROVINCE,
                    new_province_code[new_pkey],
                    True,
                )
            )
    for new_pkey, wards in crosswalk["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_wkey, old_keys in wards.items():
            target = new_commune(new_pkey, new_wkey)
            for old_key in old_keys:
                level, code = old_unit(old_key)
                # Whole old unit into one new commune: that commune is its only (so default) successor.
                source.edges.append(Edge(level, code, UnitLevel.COMMUNE, target, True))
    for new_pkey, splits in crosswalk["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, parts in splits.items():
            level, code = old_unit(old_key)
            for part in parts:
                source.edges.append(
                    Edge(
                        level,
                        code,
                        UnitLevel.COMMUNE,
                        new_commune(new_pkey, part["newWardKey"]),
                        bool(part["isDefaultNewWard"]),
                    )
                )


def read_sources() -> MapSource:
    new_units, new_by_name, new_names = _read_new_map()
    new_codes = {(u.level, u.code): u for u in new_units}
    data_dir = _package_dir("vietnamadminunits") / "data"
    legacy, current = _read_dataset(data_dir)
    crosswalk = json.loads((data_dir / "converter_2025.json").read_text(encoding="utf-8"))

    source = MapSource(
        new_units=new_units,
        old_units=[],
        edges=[],
        package_versions={
            "vietnam-provinces": _version("vietnam-provinces"),
            "vietnamadminunits": _version("vietnamadminunits"),
        },
    )
    source.old_units, old_province_code, old_key_to_unit = _read_old_map(legacy)
    new_province_code, new_key_to_code = _official_codes(current, new_codes, new_by_name, new_names, source)
    if len(set(new_key_to_code.values())) != len(new_key_to_code) or len(new_key_to_code) != sum(
        1 for u in new_units if u.level == UnitLevel.COMMUNE
    ):
        raise SourceDataError("The 2025 units of the two packages do not match one to one.")
    _add_crosswalk_edges(source, crosswalk, old_province_code, old_key_to_unit, new_province_code, new_key_to_code)
    return source
