"""Accessibility checks with axe-core in the page under test, for any browser test.

    from tests_e2e.axe import assert_no_serious_findings
    assert_no_serious_findings(page)            # the whole page as it is now

axe-core is vendored in `tests_e2e/vendor/axe-core/` (no CDN: the tests run offline). It is put into
the page through the DevTools protocol (`page.evaluate`), which the page's strict Content Security
Policy does not apply to, so the page is tested with the same CSP it has in use.
"""

from pathlib import Path

AXE_VERSION = "4.14.1"
AXE_SOURCE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
# axe's default rule set (WCAG 2.x A and AA and its best practices); critical and serious findings fail.
RUN_OPTIONS = {"resultTypes": ["violations"]}
BLOCKING = ("critical", "serious")


def _ensure_axe(page) -> None:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8") + "\n;undefined")
        version = page.evaluate("() => window.axe.version")
        assert version == AXE_VERSION, f"axe-core {version} loaded, {AXE_VERSION} expected"


def axe_findings(page, impacts=BLOCKING, context: str | None = None) -> list[dict]:
    """The axe violations of the page (or of the element matching `context`) at the given impacts."""
    _ensure_axe(page)
    results = page.evaluate(
        "([context, options]) => axe.run(context ? document.querySelector(context) : document, options)",
        [context, RUN_OPTIONS],
    )
    return [item for item in results["violations"] if item["impact"] in impacts]


def describe(findings: list[dict]) -> str:
    """One line per finding and element: impact, rule, where, and axe's own words on how to fix it."""
    lines = []
    for item in findings:
        for node in item["nodes"][:5]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"{item['impact']} {item['id']} at {target}: {node.get('failureSummary', '')}".strip())
    return "\n".join(lines)


def assert_no_serious_findings(page, context: str | None = None) -> None:
    findings = axe_findings(page, context=context)
    assert not findings, f"axe-core found on {page.url} ({page.viewport_size['width']} px):\n{describe(findings)}"
