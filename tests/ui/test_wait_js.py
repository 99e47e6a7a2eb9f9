"""The wait as customers read it, on the screens: ui_common/wait.js in real Chromium against
every case of tests/fixtures/wait_wording.json, the table the ticket's wording is held to as
well (tests/drivers/escpos/test_wait_wording.py), so screens and paper word a wait alike."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parents[2]
TABLE = ROOT / "tests" / "fixtures" / "wait_wording.json"
CASES: list[dict[str, Any]] = json.loads(TABLE.read_text(encoding="utf-8"))


def test_screens_word_the_wait_as_the_table_says(browser: Any) -> None:
    page = browser.new_page()
    try:
        # The module as the pages load it, minus the server: its exports handed to the test.
        source = (ROOT / "ui_common" / "wait.js").read_text(encoding="utf-8")
        page.add_script_tag(
            content=source + "\nwindow.wait = { formatWait, roughNote };", type="module"
        )
        page.wait_for_function("() => window.wait !== undefined")
        got = page.evaluate(
            """(cases) => cases.map((c) =>
                 window.wait.formatWait(c.lang, c.seconds, { range: c.range, rough: c.rough }))""",
            CASES,
        )
        wrong = [
            (case, text) for case, text in zip(CASES, got, strict=True) if text != case["text"]
        ]
        assert wrong == []
        # The words a short "rough" marker stands for are the table's own.
        notes = page.evaluate("['en', 'tr', 'el', 'pl'].map((l) => window.wait.roughNote(l))")
        assert notes == [
            "(rough estimate)",
            "(kaba tahmin)",
            "(πρόχειρη εκτίμηση)",
            "(orientacyjnie)",
        ]
    finally:
        page.close()
