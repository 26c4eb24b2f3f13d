"""Headless Chromium (Debian's chromium and chromium-driver) driven by Selenium, for the
browser tests: every request it makes is logged, and nothing may leave 127.0.0.1."""

from __future__ import annotations

import base64
import json
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
# axe-core, from the npm lock in .ci/npm (.ci/run installs it): read from disk, never fetched.
AXE = Path(__file__).resolve().parents[2] / ".ci" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--disable-dev-shm-usage", "--window-size=1366,1000",
         # Any name but 127.0.0.1 fails to resolve: a request to another host cannot succeed.
         "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1")
LOCAL_SCHEMES = ("data", "blob", "about", "chrome", "devtools")


def available() -> bool:
    return os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)


class Browser:
    def __init__(self):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self.profile = tempfile.mkdtemp(prefix="kazkg-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={self.profile}")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        self.driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
        self.driver.set_page_load_timeout(60)
        self.driver.set_script_timeout(60)
        self.requests: list[str] = []

    def console_errors(self) -> list[str]:
        return [entry["message"] for entry in self.driver.get_log("browser")
                if entry["level"] == "SEVERE"]

    def drain_requests(self) -> list[str]:
        """Every URL the browser asked for since the last call."""
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                self.requests.append(message["params"]["request"]["url"])
        urls, self.requests = self.requests, []
        return urls

    @staticmethod
    def outside(urls: list[str]) -> list[str]:
        return [u for u in urls if urlsplit(u).scheme not in LOCAL_SCHEMES
                and urlsplit(u).hostname != "127.0.0.1"]

    def screenshot(self, name: str, full: bool = False) -> Path:
        """The viewport (or with `full`, the whole page) as tests/artifacts/NAME.png."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        if not full:
            self.driver.save_screenshot(str(path))
            return path
        width, height = self.driver.execute_script(
            "return [Math.max(document.documentElement.scrollWidth, window.innerWidth),"
            " document.documentElement.scrollHeight]")
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": min(height, 12000), "scale": 1}})
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def viewport(self, width: int, height: int = 900) -> None:
        """Lay pages out at exactly `width` CSS pixels (as a phone or a desktop would)."""
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def reset(self, width: int) -> None:
        """Forget the kept language (the cookie) and lay pages out `width` pixels wide."""
        self.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
        self.viewport(width)

    def overflow(self) -> int:
        """How many CSS pixels the page is wider than the window (0: no page-level scrolling)."""
        return self.driver.execute_script(
            "return Math.max(0, document.documentElement.scrollWidth - window.innerWidth)")

    def axe(self, impacts=("serious", "critical")) -> list[dict]:
        """axe-core's violations of these impacts on the current page (axe is injected from
        the local file; WebDriver's scripts are not bound by the page's CSP)."""
        if not self.driver.execute_script("return !!window.axe"):
            self.driver.execute_script(AXE.read_text(encoding="utf-8"))
        result = self.driver.execute_async_script(
            "var done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']})"
            ".then(function (r) { done(r.violations); }, function (e) { done({error: String(e)}); });")
        if isinstance(result, dict):
            raise RuntimeError(f"axe-core failed: {result['error']}")
        return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                 "nodes": [n["target"] for n in v["nodes"]][:5]}
                for v in result if v["impact"] in impacts]

    def quit(self):
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)
