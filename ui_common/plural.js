/**
 * ui_common/plural.js — counts in words, by each language's own plural rules.
 *
 *   const plural = createPlural(PLURALS, i18n);   // i18n from ui_common/i18n.js createI18n
 *   plural("people_ahead", 5)  -> "5 osób przed Tobą" (pl), "5 people ahead of you" (en)
 *
 *   PLURALS: { lang: { key: { one: "{n} …", few: "…", many: "…", other: "…" } } }: the forms
 *   each language needs (Intl.PluralRules: English and Greek have one/other, Turkish one/other,
 *   Polish one/few/many/other). {n} and any {var} passed in are filled in. The form is picked
 *   in i18n.lang at the time of the call; a language or key without forms falls back to
 *   i18n.fallback's (counted in i18n.missing, as createI18n does), a missing form to "other".
 *
 *   neededForms(lang) -> the categories a language's integers can take, e.g. ["few", "many",
 *                        "one", "other"] for "pl" (tests check every key has them all)
 */

export function neededForms(lang) {
  try {
    return [...new Intl.PluralRules(lang).resolvedOptions().pluralCategories].sort();
  } catch {
    return ["other"];
  }
}

function category(lang, n) {
  try {
    return new Intl.PluralRules(lang).select(n);
  } catch {
    return "other";
  }
}

export function createPlural(dicts, i18n) {
  return function plural(key, n, vars = {}) {
    const lang = i18n.lang;
    let forms = dicts[lang]?.[key];
    if (!forms) {
      i18n.missing.add(`${lang}:${key}`);
      forms = dicts[i18n.fallback]?.[key] ?? {};
    }
    const text = forms[category(lang, n)] ?? forms.other ?? key;
    const all = { n, ...vars };
    return text.replace(/\{(\w+)\}/g, (m, k) => (k in all ? String(all[k]) : m));
  };
}
