/**
 * ui_common/langpick.js — the language picker of the staff screens (teller console, manager
 * dashboard): a labelled <select> in the top bar listing the languages the screen's dictionary
 * has, each written in its own language ("English", "Türkçe", "Ελληνικά", "Polski", with its
 * `lang` attribute so a screen reader reads it right).
 *
 *   const picker = mountLangPicker($("lang-pick"), store, {
 *     onChange: () => applyLanguage(),      // redraw the page in the new language
 *     api,                                  // the screen's Api (ui_common/api.js)
 *     signedIn: () => Boolean(state.session),
 *   });
 *   picker.sync()        show the current language as chosen (after any setLang)
 *   picker.adopt(me)     after sign-in, with GET /api/v1/auth/me: switch to `me.language` when the
 *                        person saved one (true when it switched: the caller redraws), except
 *                        when they chose a language on the sign-in screen just now, which is
 *                        then saved as theirs instead, or the page's address asked for one
 *                        (?lang=pl: kept, not saved)
 *
 * A choice is kept in localStorage (the store does it) and, for the signed-in person, on the
 * server: PUT /api/v1/auth/me/language {"language": "el"}. A server that does not know the
 * route, or a failed save, changes nothing on screen: the choice still holds in this browser.
 *
 * `store` is ui_common/i18n-core.js's createLangStore, or anything with its `strings`, `t`,
 * `getLang` and `setLang`; the label reads the "language" key. `signedIn()` says whether a
 * person is signed in (default: the Api has a token).
 */

import { LANG_NAMES } from "./i18n.js";

const SAVE_PATH = "/api/v1/auth/me/language";

export function mountLangPicker(host, store, { onChange = () => {}, api = null, signedIn = () => Boolean(api?.token) } = {}) {
  const label = document.createElement("label");
  label.className = "lang-pick-label";
  label.htmlFor = "lang-select";
  label.dataset.i18n = "language";
  label.textContent = store.t("language");

  const select = document.createElement("select");
  select.id = "lang-select";
  select.dataset.testid = "lang-select";
  for (const code of Object.keys(store.strings)) {
    const option = document.createElement("option");
    option.value = code;
    option.lang = code;
    option.textContent = LANG_NAMES[code] || code;
    select.append(option);
  }
  host.classList.add("lang-pick");
  host.replaceChildren(label, select);

  // A choice made before signing in is the person's choice for now: it is saved as theirs
  // once they sign in, rather than replaced by the one the server remembers.
  let chosenSignedOut = false;

  function save(lang) {
    if (!api || !signedIn()) return;
    api.request("PUT", SAVE_PATH, { body: { language: lang } }).catch(() => {
      // an older server, or the network: the choice still holds in this browser
    });
  }

  function sync() {
    select.value = store.getLang();
  }

  select.addEventListener("change", () => {
    if (!store.setLang(select.value)) {
      sync();
      return;
    }
    if (signedIn()) save(store.getLang());
    else chosenSignedOut = true;
    onChange(store.getLang());
    sync();
  });

  function adopt(me) {
    if (chosenSignedOut) {
      chosenSignedOut = false;
      save(store.getLang());
      return false;
    }
    if (store.fromUrl) return false;
    const wanted = me?.language;
    if (!wanted || wanted === store.getLang() || !Object.hasOwn(store.strings, wanted)) return false;
    store.setLang(wanted);
    sync();
    return true;
  }

  sync();
  return { select, sync, adopt };
}
