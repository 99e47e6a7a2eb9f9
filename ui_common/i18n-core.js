/**
 * ui_common/i18n-core.js — the language mechanics the staff screens share (teller console,
 * manager dashboard): one dictionary per language with the same keys, the choice kept in
 * localStorage, `t(key, vars)` with {name} placeholders, and `translatePage()` for the static
 * markup. The lookup itself is ui_common/i18n.js's createI18n (same fallback rules: the
 * current language, then English, then the key; misses are counted in `i18n.missing`).
 *
 *   const store = createLangStore(STRINGS, { storageKey: "sira.manager.lang",
 *                                            locales: { en: "en-GB", tr: "tr-TR" } });
 *   store.t(key, vars)         the text in the current language
 *   store.plural(key, n, vars) key_one / key_other by the language's plural rules ({n} filled)
 *   store.getLang() / store.setLang(lang) / store.otherLang()
 *   store.locale()             the BCP 47 locale for Intl (e.g. "tr-TR")
 *   store.translatePage(root)  fills [data-i18n] text, [data-i18n-label] aria-label,
 *                              [data-i18n-placeholder], [data-i18n-title] (and createI18n's
 *                              [data-i18n-attr]); sets <html lang>
 *   store.fromUrl              true when the page's address chose the language (?lang=tr):
 *                              it wins over the stored choice and the one remembered on the
 *                              server for as long as the page is open
 */

import { createI18n } from "./i18n.js";

function readStored(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage blocked: the page still works, in the fallback language
  }
}

function readUrl() {
  try {
    return new URLSearchParams(location.search).get("lang");
  } catch {
    return null;
  }
}

export function createLangStore(strings, { storageKey, fallback = "en", locales = {} } = {}) {
  const asked = readUrl();
  const fromUrl = Boolean(asked && Object.hasOwn(strings, asked));
  const stored = readStored(storageKey);
  const i18n = createI18n(strings, {
    lang: fromUrl ? asked : stored && Object.hasOwn(strings, stored) ? stored : fallback,
    fallback,
  });
  const langs = Object.keys(strings);

  const getLang = () => i18n.lang;
  const t = (key, vars = {}) => i18n.t(key, vars);
  const locale = () => locales[i18n.lang] || i18n.lang;

  function setLang(next) {
    if (!Object.hasOwn(strings, next)) return false;
    i18n.setLang(next);
    try {
      localStorage.setItem(storageKey, next);
    } catch {
      // not remembered, but switched
    }
    document.documentElement.lang = next;
    return true;
  }

  /** The next language in the dictionary (with two: the other one). */
  function otherLang() {
    return langs[(langs.indexOf(i18n.lang) + 1) % langs.length];
  }

  function plural(key, n, vars = {}) {
    let form = "other";
    try {
      form = new Intl.PluralRules(locale()).select(n);
    } catch {
      // an unknown locale: "other"
    }
    const exact = `${key}_${form}`;
    const k = Object.hasOwn(strings[i18n.lang] || {}, exact) ? exact : `${key}_other`;
    return t(k, { n, ...vars });
  }

  function translatePage(root = document) {
    i18n.apply(root);
    document.documentElement.lang = i18n.lang;
    for (const el of root.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
    for (const el of root.querySelectorAll("[data-i18n-placeholder]"))
      el.setAttribute("placeholder", t(el.dataset.i18nPlaceholder));
    for (const el of root.querySelectorAll("[data-i18n-title]")) el.setAttribute("title", t(el.dataset.i18nTitle));
  }

  return { strings, i18n, fromUrl, getLang, setLang, otherLang, t, plural, locale, translatePage };
}
