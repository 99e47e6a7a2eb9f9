/**
 * ui_common/i18n.js — translations for the Sira screens (en, tr, el, pl and more).
 *
 * Stable API (teller_ui/ and manager_ui/ import this; add, never rename):
 *
 *   LANG_NAMES            { en: "English", tr: "Türkçe", el: "Ελληνικά", pl: "Polski" }
 *                         (each language's name in that language)
 *   SUPPORTED_LANGS       ["en", "tr", "el", "pl"]
 *   createI18n(dicts, { lang = "en", fallback = "en" }) -> i18n
 *     dicts: { en: { key: "text with {var}" }, tr: {...}, ... }
 *     i18n.t(key, vars?)  the text in the current language, {var} replaced; falls back to the
 *                         fallback language, then to the key itself (both counted in .missing)
 *     i18n.lang           current language;  i18n.setLang(lang) (unknown -> fallback)
 *     i18n.has(lang)      whether a dictionary exists
 *     i18n.missing        Set of "lang:key" looked up but absent (tests read it)
 *     i18n.apply(root = document)  fills every [data-i18n="key"] element's textContent and
 *                         every [data-i18n-attr="attr:key;attr2:key2"] attribute; sets
 *                         <html lang> when root is the document
 *   formatMinutes(seconds, lang) -> "5 minutes" / "5 dakika" / "5 λεπτά" / "5 minut": a wait
 *                         as customers read it; kept for callers of old, the wording is
 *                         ui_common/wait.js's formatWait (use that: ranges, "rough estimate")
 *   formatTime(date, lang, timeZone?) -> "14:05"
 *   missingKeys(dicts, reference = "en") -> { lang: { missing: [...], extra: [...] } }
 */

import { formatWait } from "./wait.js";

export const SUPPORTED_LANGS = ["en", "tr", "el", "pl"];

export const LANG_NAMES = {
  en: "English",
  tr: "Türkçe",
  el: "Ελληνικά",
  pl: "Polski",
  de: "Deutsch",
  fr: "Français",
  ar: "العربية",
};

export function createI18n(dicts, { lang = "en", fallback = "en" } = {}) {
  const i18n = {
    dicts,
    fallback,
    lang: dicts[lang] ? lang : fallback,
    missing: new Set(),
    has(l) {
      return Boolean(dicts[l]);
    },
    setLang(l) {
      this.lang = dicts[l] ? l : fallback;
      return this.lang;
    },
    t(key, vars) {
      let text = dicts[this.lang]?.[key];
      if (text === undefined) {
        this.missing.add(`${this.lang}:${key}`);
        text = dicts[fallback]?.[key] ?? key;
      }
      if (vars) text = text.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
      return text;
    },
    apply(root = document) {
      for (const el of root.querySelectorAll("[data-i18n]")) {
        el.textContent = this.t(el.dataset.i18n);
      }
      for (const el of root.querySelectorAll("[data-i18n-attr]")) {
        for (const pair of el.dataset.i18nAttr.split(";")) {
          const [attr, key] = pair.split(":").map((s) => s.trim());
          if (attr && key) el.setAttribute(attr, this.t(key));
        }
      }
      if (root === document) document.documentElement.lang = this.lang;
    },
  };
  return i18n;
}

export function formatMinutes(seconds, lang) {
  return formatWait(lang, seconds);
}

export function formatTime(date, lang, timeZone) {
  const opts = { hour: "2-digit", minute: "2-digit", hour12: false };
  if (timeZone) opts.timeZone = timeZone;
  try {
    return new Intl.DateTimeFormat(lang, opts).format(date);
  } catch {
    delete opts.timeZone;
    return new Intl.DateTimeFormat(lang, opts).format(date);
  }
}

export function missingKeys(dicts, reference = "en") {
  const ref = new Set(Object.keys(dicts[reference] || {}));
  const out = {};
  for (const [lang, dict] of Object.entries(dicts)) {
    const keys = new Set(Object.keys(dict));
    out[lang] = {
      missing: [...ref].filter((k) => !keys.has(k)),
      extra: [...keys].filter((k) => !ref.has(k)),
    };
  }
  return out;
}
