"""The wait as customers read it, on paper: every case of tests/fixtures/wait_wording.json,
the table ui_common/wait.js is held to as well (tests/ui/test_wait_js.py), so the ticket and
the screens word a wait alike."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drivers.escpos.i18n import WAIT_WORDS, format_wait, paper_text

TABLE = Path(__file__).parents[2] / "fixtures" / "wait_wording.json"
CASES: list[dict[str, Any]] = json.loads(TABLE.read_text(encoding="utf-8"))


def case_id(case: dict[str, Any]) -> str:
    rng = "-".join(map(str, case["range"])) if case["range"] else "point"
    return f"{case['lang']}-{case['seconds']}-{rng}" + ("-rough" if case["rough"] else "")


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_paper_words_the_wait_as_the_table_says(case: dict[str, Any]) -> None:
    got = format_wait(case["lang"], case["seconds"], wait_range=case["range"], rough=case["rough"])
    assert got == case["text"]


def test_the_table_covers_every_branch_of_the_rule_in_every_language() -> None:
    for lang in WAIT_WORDS:
        mine = [c for c in CASES if c["lang"] == lang]
        texts = [c["text"] for c in mine]
        words = WAIT_WORDS[lang]
        assert words.under_a_minute in texts, lang
        assert any(c["rough"] and c["text"] == words.under_a_minute for c in mine), lang
        assert any(c["range"] and "\u2013" in c["text"] for c in mine), lang
        assert any(c["range"] and c["text"].startswith(words.up_to.format("")) for c in mine)
        assert any(c["rough"] and c["text"] != words.under_a_minute for c in mine), lang
        assert any(not c["range"] and c["seconds"] >= 3600 for c in mine), lang
    seconds = {c["seconds"] for c in CASES if not c["range"]}
    # Each band of the point rule and its edges: under a minute, up to 10 min, up to an hour.
    assert {0, 59, 60, 61, 599, 749, 750, 3449, 3450} <= seconds


def test_paper_prints_the_range_dash_as_a_hyphen() -> None:
    text = paper_text(format_wait("en", 700, wait_range=(610, 890)))
    assert text == "10-15 minutes"
    assert text.isascii()
