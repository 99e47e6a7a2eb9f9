"""Every staff string in all four languages: the teller console, the manager dashboard and
each Settings section have the same keys in English, Turkish, Greek and Polish (Polish may add
its few/many plural forms), keep every {placeholder}, and no translation is left in English
where the word differs. Read from the modules the browser loads, in the browser."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.ui.conftest import Site

LANGS = ("tr", "el", "pl")
SECTIONS = ("branches", "services", "counters", "users", "devices", "audit")
# Words the same in English and the language (names, units, loan words); a translation made
# only of these, placeholders, digits and punctuation is no English left behind.
SAME_WORDS = {
    *("sira", "csv", "erlang", "c", "usb", "mm", "min", "s"),
    *("kiosk", "standard", "moment", "agent", "administrator", "system"),
}
PLACEHOLDER = re.compile(r"\{(\w+)\}")

LOAD = """async (sections) => {
  const manager = await import('/manager/i18n.js');
  await import('/manager/settings/shell.js');  // its own words join the dashboard's
  const teller = await import('/teller/i18n.js');
  const parts = {manager: manager.STRINGS, teller: teller.STRINGS};
  for (const s of sections) {
    parts[`settings/${s}`] = (await import(`/manager/settings/${s}.js`)).words;
  }
  return JSON.parse(JSON.stringify(parts));
}"""


@pytest.fixture
def dictionaries(site: Site, context: Any) -> dict[str, dict[str, dict[str, str]]]:
    page = context.new_page()
    page.goto(f"{site.url}/manager/")
    return dict(page.evaluate(LOAD, list(SECTIONS)))


def base_key(key: str) -> str:
    return re.sub(r"_(zero|one|two|few|many|other)$", "", key)


def polish_form(lang: str, key: str, en: dict[str, str]) -> bool:
    """Polish counts add _few and _many to English's _one/_other."""
    return lang == "pl" and bool(re.search(r"_(few|many)$", key)) and base_key(key) + "_one" in en


def english_left(text: str, english: str) -> bool:
    if text != english:
        return False
    words = re.findall(r"[^\W\d_]+", PLACEHOLDER.sub("", text))
    return any(w.lower() not in SAME_WORDS for w in words)


def test_every_staff_screen_speaks_all_four_languages(dictionaries: Any) -> None:
    problems: list[str] = []
    for part, langs in dictionaries.items():
        en = langs.get("en") or {}
        assert en, f"{part}: no English dictionary"
        for lang in LANGS:
            words = langs.get(lang)
            if words is None:
                problems.append(f"{part}: no {lang} dictionary")
                continue
            missing = sorted(set(en) - set(words))
            extra = sorted(
                k
                for k in set(words) - set(en)
                if not (
                    lang == "pl" and re.search(r"_(few|many)$", k) and base_key(k) + "_one" in en
                )
            )
            problems += [f"{part} {lang}: missing {k}" for k in missing]
            problems += [f"{part} {lang}: unknown {k}" for k in extra]
            for key, english in en.items():
                text = words.get(key)
                if not isinstance(text, str) or not isinstance(english, str):
                    continue
                # A count's form may say its number or not ("once" / "{n} kez").
                ignore = {"n"} if base_key(key) != key else set()
                if (
                    set(PLACEHOLDER.findall(text)) - ignore
                    != set(PLACEHOLDER.findall(english)) - ignore
                ):
                    problems.append(f"{part} {lang}: {key} changes its placeholders")
                if english_left(text, english):
                    problems.append(f"{part} {lang}: {key} is still English: {text!r}")
    assert problems == [], "\n".join(problems)


def test_polish_counts_have_every_plural_form(dictionaries: Any) -> None:
    gaps = []
    for part, langs in dictionaries.items():
        pl = langs.get("pl") or {}
        for key in pl:
            if key.endswith("_one"):
                stem = key[: -len("_one")]
                gaps += [
                    f"{part}: {stem}_{f}"
                    for f in ("few", "many", "other")
                    if f"{stem}_{f}" not in pl
                ]
    assert gaps == []
