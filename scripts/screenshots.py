"""Screenshots of the Sira screens for the README: ``python scripts/screenshots.py``.

Starts its own server (a temporary data dir with the demo branch), fills it with a few tickets
and calls, and writes PNGs to docs/screenshots/. Each screen has one function
``shoot_<screen>(browser, site_url, creds, out_dir)``; add yours to SCREENS.
``creds`` is what ``server.demo.create_demo`` returns: ``{"branch", "users", "devices"}``.

Options: ``--only kiosk,display`` to shoot some screens, ``--out DIR``,
``--chromium PATH`` (default /usr/bin/chromium or $SIRA_TEST_CHROMIUM).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT_DIR = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("SIRA_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]
Creds = dict[str, Any]


# --- a server with the demo branch ---------------------------------------------------------------


@contextmanager
def demo_server(data_dir: Path) -> Iterator[tuple[str, Creds]]:
    """Serve a fresh demo branch from ``data_dir``; yields (base URL, credentials)."""
    import uvicorn

    from server.config import Settings
    from server.db import Database
    from server.demo import create_demo
    from server.main import create_app
    from server.migrations import upgrade

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    url = f"http://127.0.0.1:{port}"
    settings = Settings(env="dev", data_dir=data_dir, public_url=url, day_close_interval_s=0)
    upgrade(settings.sqlalchemy_url)
    db = Database(settings.sqlalchemy_url)
    with db.unit_of_work() as session:
        creds = create_demo(session)
    assert creds is not None
    creds["database_url"] = settings.sqlalchemy_url  # for history (shoot_manager)
    app = create_app(settings, db=db)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the screenshot server did not start")
        time.sleep(0.05)
    try:
        yield url, creds
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        db.dispose()


def call_api(
    base: str, method: str, path: str, *, token: str | None = None, body: Any = None
) -> Any:
    """A JSON request to the server; returns the decoded body (None for 204)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=15) as res:
        raw = res.read()
    return json.loads(raw) if raw else None


def login(base: str, creds: Creds, username: str) -> str:
    r = call_api(
        base,
        "POST",
        "/api/v1/auth/login",
        body={"username": username, "password": creds["users"][username]},
    )
    return str(r["access_token"])


def counter_ids(base: str, creds: Creds) -> dict[str, int]:
    snap = call_api(
        base,
        "GET",
        f"/api/v1/branches/{creds['branch']}/snapshot",
        token=creds["devices"]["display"],
    )
    return {c["label"]: c["id"] for c in snap["data"]["counters"]}


def issue(base: str, creds: Creds, service: str, lang: str = "en", **extra: Any) -> Any:
    return call_api(
        base,
        "POST",
        f"/api/v1/branches/{creds['branch']}/tickets",
        token=creds["devices"]["kiosk"],
        body={"service": service, "lang": lang, **extra},
    )


def seed(base: str, creds: Creds) -> dict[str, Any]:
    """A morning's worth of state: tickets in every queue, four counters calling."""
    langs = ["en", "tr", "el", "pl"]
    tickets = [issue(base, creds, svc, langs[i % 4]) for i, svc in enumerate("AABABCABAC")]
    counters = counter_ids(base, creds)
    token = login(base, creds, "teller1")
    called = []
    for label in ("1", "2", "3", "4"):  # one teller at each counter, as in a branch
        who = token if label == "1" else login(base, creds, f"teller{label}")
        call_api(base, "POST", f"/api/v1/counters/{counters[label]}/open", token=who)
        r = call_api(base, "POST", f"/api/v1/counters/{counters[label]}/call-next", token=who)
        if r:
            called.append(r["ticket"])
    for _ in range(4):
        issue(base, creds, "A")
    issue(base, creds, "B")
    return {"tickets": tickets, "called": called, "teller_token": token, "counters": counters}


# --- the screens ---------------------------------------------------------------------------------


def shoot_kiosk(browser: Any, site_url: str, creds: Creds, out_dir: Path) -> list[Path]:
    """kiosk-home.png (portrait 1080×1920), kiosk-ticket.png, kiosk-home-landscape.png."""
    token = creds["devices"]["kiosk"]
    out = []
    ctx = browser.new_context(viewport={"width": 1080, "height": 1920}, has_touch=True)
    page = ctx.new_page()
    page.goto(f"{site_url}/kiosk/#token={token}&idle=600&back=600")
    page.get_by_test_id("service-A").wait_for()
    out.append(out_dir / "kiosk-home.png")
    page.screenshot(path=str(out[-1]))
    page.get_by_test_id("lang-tr").tap()
    page.get_by_test_id("service-B").tap()
    page.get_by_test_id("ticket-code").wait_for()
    _until(page, "document.getElementById('ticket-qr').complete")
    out.append(out_dir / "kiosk-ticket.png")
    page.screenshot(path=str(out[-1]))
    ctx.close()
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, has_touch=True)
    page = ctx.new_page()
    page.goto(f"{site_url}/kiosk/#token={token}&idle=600&back=600")
    page.get_by_test_id("service-A").wait_for()
    out.append(out_dir / "kiosk-home-landscape.png")
    page.screenshot(path=str(out[-1]))
    ctx.close()
    return out


def _until(page: Any, expression: str, timeout_s: float = 60) -> None:
    """Poll a page expression (page.evaluate runs outside the page's CSP, unlike
    wait_for_function's eval)."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise RuntimeError(f"not true within {timeout_s} s: {expression}")
        page.wait_for_timeout(100)


def shoot_kiosk_access(browser: Any, site_url: str, creds: Creds, out_dir: Path) -> list[Path]:
    """kiosk-keyboard.png (the keypad's focus on a service, speaking it), kiosk-speech.png (the
    idle warning while speech is on), kiosk-contrast.png (high contrast and large text)."""
    token = creds["devices"]["kiosk"]
    out = []
    ctx = browser.new_context(viewport={"width": 1080, "height": 1920})
    page = ctx.new_page()
    page.goto(f"{site_url}/kiosk/#token={token}&idle=600&back=600")
    page.get_by_test_id("service-A").wait_for()
    page.keyboard.press("Tab")  # the first key: focus on the first service, speech on
    page.keyboard.press("Tab")
    _until(page, "window.sira.speech.played.some((c) => c.say === 'service')")
    out.append(out_dir / "kiosk-keyboard.png")
    page.screenshot(path=str(out[-1]))
    ctx.close()
    ctx = browser.new_context(viewport={"width": 1080, "height": 1920})
    page = ctx.new_page()
    page.goto(f"{site_url}/kiosk/#token={token}&idle=1&warn=20&back=600")
    page.get_by_test_id("service-A").wait_for()
    page.get_by_test_id("lang-pl").press("Enter")
    page.get_by_test_id("idle-warning").wait_for()
    _until(page, "window.sira.speech.played.some((c) => c.say === 'screen')")
    out.append(out_dir / "kiosk-speech.png")
    page.screenshot(path=str(out[-1]))
    ctx.close()
    ctx = browser.new_context(viewport={"width": 1080, "height": 1920}, has_touch=True)
    page = ctx.new_page()
    page.goto(f"{site_url}/kiosk/#token={token}&idle=600&back=600")
    page.get_by_test_id("service-A").wait_for()
    page.get_by_test_id("toggle-contrast").tap()
    page.get_by_test_id("toggle-large").tap()
    out.append(out_dir / "kiosk-contrast.png")
    page.screenshot(path=str(out[-1]))
    ctx.close()
    return out


def shoot_display(browser: Any, site_url: str, creds: Creds, out_dir: Path) -> list[Path]:
    """display.png (1920×1080 TV, after a few calls)."""
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = ctx.new_page()
    page.goto(f"{site_url}/display/#token={creds['devices']['display']}&hold=1")
    page.get_by_test_id("history-item").first.wait_for()
    page.wait_for_timeout(400)  # let the ticker line settle
    out = out_dir / "display.png"
    page.screenshot(path=str(out))
    ctx.close()
    return [out]


def shoot_customer(browser: Any, site_url: str, creds: Creds, out_dir: Path) -> list[Path]:
    """customer.png (a 390×844 phone, a ticket waiting in the queue)."""
    ticket = issue(site_url, creds, "A", "en")
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, has_touch=True
    )
    page = ctx.new_page()
    page.goto(f"{site_url}/t/{ticket['token']}")
    page.get_by_test_id("position").wait_for()
    out = out_dir / "customer.png"
    page.screenshot(path=str(out))
    ctx.close()
    return [out]


def _staff_sign_in(page: Any, site_url: str, creds: Creds, screen: str, user: str) -> None:
    page.goto(f"{site_url}/{screen}/")
    page.get_by_test_id("login-username").fill(user)
    page.get_by_test_id("login-password").fill(creds["users"][user])
    page.get_by_test_id("login-submit").click()


def shoot_teller(browser: Any, site_url: str, creds: Creds, out_dir: Path) -> list[Path]:
    """teller.png (1280×800 laptop: counter 1 with a customer called, the queue live)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    _staff_sign_in(page, site_url, creds, "teller", "teller1")
    page.get_by_test_id("counter-1").click()
    page.get_by_test_id("current-code").wait_for()
    _until(page, "document.getElementById('live').textContent === 'Live'")
    page.mouse.move(0, 0)
    out = out_dir / "teller.png"
    page.screenshot(path=str(out))
    ctx.close()
    return [out]


def shoot_manager(browser: Any, site_url: str, creds: Creds, out_dir: Path) -> list[Path]:
    """manager.png (1920×1080 live view), manager-reports.png (the reports tab, full page)
    over ten generated business days of history (``sira simulate``), manager-standards.png
    (the standards editor with calendar overrides, in Turkish, 1280 wide)."""
    from server.db import Database
    from server.simulate import simulate

    db = Database(creds["database_url"])
    try:
        simulate(db, branch_code=creds["branch"], days=10, seed=7)
    finally:
        db.dispose()
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = ctx.new_page()
    _staff_sign_in(page, site_url, creds, "manager", "manager")
    page.get_by_test_id("counter-state-1").wait_for()
    page.wait_for_selector("#chart-today[data-rendered]")
    _until(page, "document.getElementById('live').textContent === 'Live'")
    out = [out_dir / "manager.png"]
    page.mouse.move(0, 0)
    page.screenshot(path=str(out[-1]))
    page.get_by_test_id("tab-reports").click()
    page.wait_for_selector("#chart-satisfaction[data-rendered]")
    page.wait_for_selector("#staffing tbody tr")
    page.mouse.move(0, 0)
    out.append(out_dir / "manager-reports.png")
    page.screenshot(path=str(out[-1]), full_page=True)
    # The standards editor with two calendar overrides, in Turkish.
    token = login(site_url, creds, "manager")
    overrides = [
        {"label": "Maaş günü", "days_of_month": [1, 15], "moments": ["wait"], "factor": 0.8},
        {"label": "Yılbaşı arifesi", "dates": ["2026-12-31"], "factor": 1.5},
    ]
    call_api(
        site_url,
        "PUT",
        f"/api/v1/branches/{creds['branch']}/service-cycle",
        token=token,
        body={"overrides": overrides},
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_test_id("lang-select").select_option("tr")
    page.get_by_test_id("tab-standards").click()
    page.wait_for_selector("#overrides .ovr-title")
    page.mouse.move(0, 0)
    out.append(out_dir / "manager-standards.png")
    page.screenshot(path=str(out[-1]), full_page=True)
    page.get_by_test_id("lang-select").select_option("en")  # leave the stored choice English
    ctx.close()
    return out


def shoot_settings(browser: Any, site_url: str, creds: Creds, out_dir: Path) -> list[Path]:
    """settings-services.png (services with their names per language, one missing), and
    settings-devices.png (devices, their printers and pairing), 1280×900, as the admin."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    _staff_sign_in(page, site_url, creds, "manager", "admin")
    page.get_by_test_id("tab-settings").click()
    page.get_by_test_id("settings-nav-services").click()
    page.get_by_test_id("settings-body").locator("table tbody tr").first.wait_for()
    page.mouse.move(0, 0)
    out = [out_dir / "settings-services.png"]
    page.screenshot(path=str(out[-1]), full_page=True)
    page.get_by_test_id("settings-nav-devices").click()
    page.get_by_test_id("settings-body").get_by_text("Entrance kiosk").first.wait_for()
    page.mouse.move(0, 0)
    out.append(out_dir / "settings-devices.png")
    page.screenshot(path=str(out[-1]), full_page=True)
    ctx.close()
    return out


def _demo_logo() -> bytes:
    """A wide PNG logo for the demo bank, drawn here (no image files in the repository)."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (640, 160), (11, 58, 102))
    draw = ImageDraw.Draw(image)
    draw.ellipse((28, 28, 132, 132), outline=(255, 255, 255), width=10)
    draw.rectangle((70, 56, 90, 104), fill=(255, 255, 255))
    draw.text(
        (160, 80),
        "Sira Demo Bank",
        fill=(255, 255, 255),
        anchor="lm",
        font=ImageFont.load_default(size=60),
    )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def shoot_settings_hours(browser: Any, site_url: str, creds: Creds, out_dir: Path) -> list[Path]:
    """settings-hours-logo.png: the branch form's logo, opening hours (a lunch break, Saturday
    mornings, Sunday closed, Wednesday's end mistyped and said so) and closed dates, 1366 wide,
    as the admin. It gives the demo branch opening hours (kiosks then refuse tickets outside
    them), so it comes after the screens that issue tickets."""
    token = login(site_url, creds, "admin")
    path = f"/api/v1/admin/branches/{creds['branch']}"
    lunch = [["09:00", "12:30"], ["13:30", "17:00"]]
    version = call_api(site_url, "GET", path, token=token)["version"]
    call_api(
        site_url,
        "PATCH",
        path,
        token=token,
        body={
            "opening_hours": {
                **{day: lunch for day in ("mon", "tue", "wed", "thu", "fri")},
                "sat": [["09:00", "13:00"]],
                "sun": [],
            },
            "closed_dates": ["2026-12-25", "2026-12-31", "2027-01-01"],
            "version": version,
        },
    )
    upload = urllib.request.Request(site_url + path + "/logo", data=_demo_logo(), method="PUT")
    upload.add_header("Content-Type", "image/png")
    upload.add_header("Authorization", f"Bearer {token}")
    urllib.request.urlopen(upload, timeout=15).close()

    ctx = browser.new_context(viewport={"width": 1366, "height": 768})
    page = ctx.new_page()
    _staff_sign_in(page, site_url, creds, "manager", "admin")
    page.get_by_test_id("tab-settings").click()
    page.get_by_test_id("settings-nav-branches").click()
    page.get_by_test_id(f"br-edit-{creds['branch']}").click()
    _until(page, "document.querySelector('[data-testid=br-logo-img]')?.naturalWidth > 0")
    page.get_by_test_id("br-wed-to-1").fill("12:00")  # what a mistyped time looks like
    page.get_by_test_id("br-wed-to-1").blur()
    page.mouse.move(0, 0)
    # From the logo to the closed dates: the part of the form these settings are.
    top = page.get_by_test_id("br-logo").bounding_box()
    bottom = page.get_by_test_id("br-closed").bounding_box()
    assert top is not None
    assert bottom is not None
    scroll = page.evaluate("window.scrollY")
    clip = {
        "x": top["x"] - 16,
        "y": top["y"] + scroll - 16,
        "width": top["width"] + 32,
        "height": bottom["y"] + bottom["height"] - top["y"] + 32,
    }
    out = [out_dir / "settings-hours-logo.png"]
    page.screenshot(path=str(out[-1]), full_page=True, clip=clip)
    ctx.close()
    return out


def shoot_pairing(browser: Any, site_url: str, creds: Creds, out_dir: Path) -> list[Path]:
    """kiosk-pairing.png: a kiosk with no token shows its pairing code and QR (1080×1920)."""
    ctx = browser.new_context(viewport={"width": 1080, "height": 1920}, has_touch=True)
    page = ctx.new_page()
    page.goto(f"{site_url}/kiosk/")
    page.wait_for_selector("#pair-qr:not([hidden])")
    out = [out_dir / "kiosk-pairing.png"]
    page.screenshot(path=str(out[-1]))
    ctx.close()
    return out


SCREENS: dict[str, Callable[[Any, str, Creds, Path], list[Path]]] = {
    "kiosk": shoot_kiosk,
    "kiosk-access": shoot_kiosk_access,
    "display": shoot_display,
    "customer": shoot_customer,
    "teller": shoot_teller,
    "manager": shoot_manager,
    "settings": shoot_settings,
    "settings-hours": shoot_settings_hours,
    "pairing": shoot_pairing,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated screens: " + ", ".join(SCREENS))
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    parser.add_argument("--chromium", default=CHROMIUM)
    args = parser.parse_args(argv)
    wanted = [s for s in args.only.split(",") if s] or list(SCREENS)
    unknown = [s for s in wanted if s not in SCREENS]
    if unknown:
        parser.error(f"unknown screens: {', '.join(unknown)}")
    args.out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="sira-shots-") as tmp:
        with demo_server(Path(tmp)) as (url, creds):
            seed(url, creds)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=args.chromium, headless=True, args=CHROMIUM_ARGS
                )
                try:
                    for name in wanted:
                        for path in SCREENS[name](browser, url, creds, args.out):
                            shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                            sys.stdout.write(f"{shown}\n")
                finally:
                    browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
