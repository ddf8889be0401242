"""axe-core in the browser tests: `assert_accessible(page)` fails on any violation of
WCAG 2.0, 2.1 and 2.2 A/AA or of axe's best practices on the page as it stands, listing
each rule with its impact, help, and the elements it found.

axe-core (axe.min.js) comes with the axe-playwright-python package; it is read as a file
and run through page.evaluate, which goes through the DevTools protocol and so is not
subject to the page's Content-Security-Policy: the policy stays exactly as in production.
It needs JavaScript: in a context made with java_script_enabled=False, page.evaluate never
returns, so check pages with JavaScript on (their no-JavaScript markup is the same).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

from playwright.sync_api import Page

# The rule sets that must pass. best-practice adds landmarks, one h1, heading order and
# unique landmark names, which a screen reader user navigates by.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

RUN_AXE = """async tags => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return results.violations;
}"""


@cache
def axe_source() -> str:
    return files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


def _inject(page: Page) -> None:
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """What axe-core finds wrong on the page as it stands now."""
    _inject(page)
    return list(page.evaluate(RUN_AXE, AXE_TAGS))


def violations_report(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f" [{violation['helpUrl']}]"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    {target}: {node['failureSummary'].splitlines()[-1].strip()}")
            lines.append(f"      {node['html'][:200]}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Fail, listing every violation, unless axe-core finds none on the page."""
    violations = axe_violations(page)
    assert not violations, (
        f"axe-core: {len(violations)} rule(s) violated on {page.url}\n"
        + violations_report(violations)
    )
