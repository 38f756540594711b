"""No code module over 800 lines: a module that grows becomes a package with the same public names.

Tests, migrations and declarative rule tables (listed below) are exempt.
"""

import sys
from pathlib import Path

LIMIT = 800
ROOT = Path(__file__).resolve().parent.parent
EXEMPT = {"haidang/cases/eligibility/rules.py"}  # the Art. 37 eligibility matrix, one rule per row


def main() -> int:
    too_long = []
    for path in sorted([*ROOT.glob("haidang/**/*.py"), *ROOT.glob("config/**/*.py")]):
        relative = path.relative_to(ROOT).as_posix()
        if "/tests/" in relative or "/migrations/" in relative or relative in EXEMPT:
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > LIMIT:
            too_long.append(f"{relative}: {lines} lines (limit {LIMIT}; split it into a package)")
    print("\n".join(too_long) or f"Every code module has at most {LIMIT} lines.")
    return 1 if too_long else 0


if __name__ == "__main__":
    sys.exit(main())
