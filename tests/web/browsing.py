"""A signed-in browser tab for the web tests: axe-core on every page (zero serious or
critical violations), no Content-Security-Policy violation, and a screenshot of each page
under test-artifacts/screenshots/."""

from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Browser, ConsoleMessage, Page

from tests.web.conftest import AXE, SCREENSHOTS

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
  }));
}"""


@dataclass
class Tab:
    page: Page
    base: str
    csp_errors: list[str] = field(default_factory=list)

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def check(self, name: str) -> None:
        """The page as it stands: every image loaded, screenshot, accessibility, CSP."""
        self.page.wait_for_function("() => Array.from(document.images).every(i => i.complete)")
        broken = self.page.evaluate(
            "() => Array.from(document.images).filter(i => !i.naturalWidth).map(i => i.src)"
        )
        assert broken == [], f"{name}: images that did not load: {broken}"
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        violations: list[dict[str, Any]] = self.page.evaluate(AXE_RUN)
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert serious == [], f"{name}: {serious}"
        assert self.csp_errors == [], f"{name}: {self.csp_errors}"


def open_tab(browser: Browser, base: str) -> Tab:
    # axe is added as an init script (run by the browser itself, as an extension would), so
    # that the pages' strict Content-Security-Policy stays on for everything they load.
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    tab = Tab(page, base)

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            tab.csp_errors.append(message.text)

    page.on("console", on_console)
    return tab


def signed_in(browser: Browser, base: str, username: str, password: str) -> Tab:
    tab = open_tab(browser, base)
    tab.go("/search")
    tab.page.get_by_label("Username").fill(username)
    tab.page.get_by_label("Password").fill(password)
    tab.page.get_by_role("button", name="Sign in").click()
    tab.page.get_by_role("button", name="Sign out").wait_for()
    return tab
