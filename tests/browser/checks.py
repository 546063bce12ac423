"""The two checkers every page a person sees must pass: axe-core (WCAG 2.1 AA, in the
browser, on the page as rendered) and the Nu HTML checker (vnu-jar, on the saved HTML)."""

import json
import subprocess

from tests.portal.browsing import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
RUN_AXE = """async () => await axe.run(document, {
  runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
  resultTypes: ['violations'],
})"""


def checkers_installed() -> None:
    for tool in (AXE, VNU):
        assert tool.exists(), f"{tool} is missing: `make node-modules` installs it"


def axe_violations(page) -> list:
    """(rule, impact, first targets) of each WCAG 2.1 AA violation on the page shown."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(RUN_AXE)
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
    ]


def vnu_errors(files: list[str]) -> list:
    """The Nu HTML checker's errors in these saved pages."""
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    return [m for m in messages if m.get("type") == "error"]
