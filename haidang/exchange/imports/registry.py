"""The kinds of register that can be imported, by code."""

from haidang.exchange.htcds.kind import Htcds
from haidang.exchange.imports.kinds.activities import Activities
from haidang.exchange.imports.kinds.base import Kind
from haidang.exchange.imports.kinds.cases import Cases
from haidang.exchange.imports.kinds.criminal_cases import CriminalCases
from haidang.exchange.imports.kinds.support import Support

KINDS: dict[str, Kind] = {kind.code: kind for kind in (Cases(), Activities(), CriminalCases(), Support(), Htcds())}


def kind_for(code: str) -> Kind:
    return KINDS[code]
