"""Pseudonyms, coarser dates and ages, and k-anonymity for the research extract.

- A pseudonym is HMAC-SHA256 over the recipient and the case, keyed with `EXPORT_PSEUDONYM_KEY` (the keys
  machinery, `haidang.common.keys`; never a field key): the same case has the same pseudonym in every extract
  for one recipient, and unlinkable pseudonyms for two recipients.
- k-anonymity (k = 11, as CTDC publishes) over `fields.QUASI_IDENTIFIERS`: the quasi-identifiers are
  generalised step by step for the whole extract (month → year, province → none, age band → minor/adult,
  country of exploitation → none) until at most `MAX_SUPPRESSED` of the records sit in classes smaller than k;
  those records are then left out. The report says which steps were taken and the share redacted.
"""

import hashlib
import hmac
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from haidang.exchange.htcds.fields import QUASI_IDENTIFIERS

K = 11
MAX_SUPPRESSED = 0.05
# CTDC's `ageBroad` bands: (lowest age, label).
AGE_BANDS = ((0, "0-8"), (9, "9-17"), (18, "18-20"), (21, "21-23"), (24, "24-26"), (27, "27-29"), (30, "30-38"))
AGE_BANDS += ((39, "39-47"), (48, "48+"))
MINOR, ADULT = "0-17", "18+"


def pseudonym_key() -> bytes:
    key = settings.EXPORT_PSEUDONYM_KEY
    if not key:
        raise ImproperlyConfigured("EXPORT_PSEUDONYM_KEY is not set: research extracts cannot be pseudonymised.")
    return key.encode()


def pseudonymiser(recipient_id: str) -> Callable[[str], str]:
    """`pseudonymise(record_id)` for one recipient: 20 hex digits, stable per recipient."""
    key = hmac.new(pseudonym_key(), f"recipient:{recipient_id}".encode(), hashlib.sha256).digest()

    def pseudonymise(record_id: str) -> str:
        return hmac.new(key, str(record_id).encode(), hashlib.sha256).hexdigest()[:20]

    return pseudonymise


def month(day) -> str | None:
    return f"{day.year:04d}-{day.month:02d}" if day else None


def age_band(age: int | None) -> str | None:
    if age is None or age < 0:
        return None
    label = AGE_BANDS[0][1]
    for lowest, name in AGE_BANDS:
        if age >= lowest:
            label = name
    return label


def _to_year(value):
    return value[:4] if value else value


def _to_majority(value):
    if not value:
        return value
    return MINOR if value in ("0-8", "9-17") else ADULT


# The generalisation steps, in order: (name, field, how).
STEPS: tuple[tuple[str, str, Callable], ...] = (
    ("registered_month_to_year", "x_registered_month", _to_year),
    ("province_removed", "prs_MailingState", lambda value: None),
    ("age_band_to_minor_or_adult", "x_age_band", _to_majority),
    ("country_of_exploitation_removed", "hte_Country", lambda value: None),
)


def _key(row: dict) -> tuple:
    return tuple(tuple(v) if isinstance(v, list) else v for v in (row.get(name) for name in QUASI_IDENTIFIERS))


@dataclass
class Redaction:
    k: int
    rows: int = 0
    suppressed: int = 0
    steps: list[str] = field(default_factory=list)

    @property
    def kept(self) -> int:
        return self.rows - self.suppressed

    @property
    def share_redacted(self) -> float:
        return self.suppressed / self.rows if self.rows else 0.0

    def as_dict(self) -> dict:
        return {
            "k": self.k,
            "rows": self.rows,
            "kept": self.kept,
            "suppressed": self.suppressed,
            "share_redacted": round(self.share_redacted, 4),
            "generalised": list(self.steps),
        }


def k_anonymise(rows: list[dict], k: int = K, max_suppressed: float = MAX_SUPPRESSED) -> tuple[list[dict], Redaction]:
    """The rows with every combination of quasi-identifiers shared by at least k of them, and the report."""
    report = Redaction(k=k, rows=len(rows))
    for step in (None, *STEPS):
        if step is not None:
            name, column, how = step
            for row in rows:
                row[column] = how(row.get(column))
            report.steps.append(name)
        sizes = Counter(_key(row) for row in rows)
        small = sum(size for size in sizes.values() if size < k)
        if not rows or small / len(rows) <= max_suppressed:
            break
    kept = [row for row in rows if sizes[_key(row)] >= k] if rows else []
    report.suppressed = len(rows) - len(kept)
    return kept, report
