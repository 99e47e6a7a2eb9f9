/**
 * manager_ui/settings/shell.js — the Settings tab: a side menu of sections (branches,
 * services, counters, staff, devices, audit trail), the branch being configured, and the
 * context every section gets. Each section is a module here:
 *
 *   export const words = { en: {...}, tr: {...}, el: {...}, pl: {...} };  // keys "set_<section>_…"
 *   export function mount(root, ctx);        // draw into `root` (called again on any change)
 *   export function unmount?();              // stop timers, forget state
 *
 *   ctx = { api, me, branch, branches, t, plural, locale, lang, toast(text),
 *           confirm({ title, body, confirm, danger }) -> Promise<boolean>,
 *           refresh() (mount the section again), setBranch(code) }
 *
 * Sections load on first use (a section that fails to load says so; the rest still work).
 * Their words join the dashboard's dictionaries, so the language picker covers them.
 */

import { el } from "/ui/staff.js";
import { getLang, locale, plural, STRINGS, t } from "../i18n.js";

const SHELL_WORDS = {
  en: {
    set_title: "Settings",
    set_sections: "Settings sections",
    set_branch: "Branch",
    set_sec_branches: "Branches",
    set_sec_services: "Services",
    set_sec_counters: "Counters",
    set_sec_users: "Staff",
    set_sec_devices: "Devices",
    set_sec_audit: "Audit trail",
    set_load_failed: "This section could not be loaded. Reload the page to try again.",
    set_edited_elsewhere:
      "Someone else changed this while you were editing it. Reload it to see their change, then make yours again.",
    set_offline: "The server cannot be reached. Nothing was saved; try again in a moment.",
    set_err_missing: "This is required.",
    set_err_string_too_short: "Too short: at least {min_length} characters.",
    set_err_string_too_long: "Too long: at most {max_length} characters.",
    set_err_greater_than_equal: "Must be at least {ge}.",
    set_err_less_than_equal: "Must be at most {le}.",
    set_err_greater_than: "Must be more than {gt}.",
    set_err_less_than: "Must be less than {lt}.",
    set_err_int_parsing: "Enter a whole number.",
    set_err_int_from_float: "Enter a whole number.",
    set_err_string_pattern_mismatch: "This is not in the expected form.",
    set_err_literal_error: "Choose one of the offered values.",
    set_err_enum: "Choose one of the offered values.",
    set_err_duplicate: "This is already in use here: choose another.",
    set_err_edited_elsewhere:
      "Someone else changed this while you were editing it. Reload it to see their change, then make yours again.",
    set_err_not_an_image: "That file is not a PNG, JPEG, GIF or WebP image.",
    set_err_logo_too_tall: "A logo may be at most as tall as it is wide.",
    set_err_logo_too_big: "The image is too large: a logo may be at most 4000 px on each side.",
    set_err_logo_too_narrow: "A logo must be at least 64 px wide.",
    set_err_too_large: "The file is larger than 1 MB.",
    set_err_damaged_image: "The image could not be read: is the file damaged?",
    set_count_one: "{n} item",
    set_count_other: "{n} items",
    set_pages: "Pages",
    set_prev: "Previous page",
    set_next: "Next page",
    set_page_of: "Page {page} of {pages}",
    set_cancel: "Cancel",
    set_confirm: "Confirm",
    set_saved: "Saved.",
  },
  tr: {
    set_title: "Ayarlar",
    set_sections: "Ayar bölümleri",
    set_branch: "Şube",
    set_sec_branches: "Şubeler",
    set_sec_services: "İşlemler",
    set_sec_counters: "Gişeler",
    set_sec_users: "Personel",
    set_sec_devices: "Cihazlar",
    set_sec_audit: "Denetim kaydı",
    set_load_failed: "Bu bölüm yüklenemedi. Tekrar denemek için sayfayı yenileyin.",
    set_edited_elsewhere:
      "Siz düzenlerken başka biri bunu değiştirdi. Değişikliği görmek için yeniden yükleyin, sonra kendi değişikliğinizi tekrar yapın.",
    set_offline: "Sunucuya ulaşılamıyor. Hiçbir şey kaydedilmedi; biraz sonra tekrar deneyin.",
    set_err_missing: "Bu alan zorunludur.",
    set_err_string_too_short: "Çok kısa: en az {min_length} karakter olmalı.",
    set_err_string_too_long: "Çok uzun: en fazla {max_length} karakter olabilir.",
    set_err_greater_than_equal: "En az {ge} olmalı.",
    set_err_less_than_equal: "En fazla {le} olabilir.",
    set_err_greater_than: "{gt} değerinden büyük olmalı.",
    set_err_less_than: "{lt} değerinden küçük olmalı.",
    set_err_int_parsing: "Tam sayı girin.",
    set_err_int_from_float: "Tam sayı girin.",
    set_err_string_pattern_mismatch: "Beklenen biçimde değil.",
    set_err_literal_error: "Sunulan değerlerden birini seçin.",
    set_err_enum: "Sunulan değerlerden birini seçin.",
    set_err_duplicate: "Bu zaten kullanılıyor: başka bir değer seçin.",
    set_err_edited_elsewhere:
      "Siz düzenlerken başka biri bunu değiştirdi. Değişikliği görmek için yeniden yükleyin, sonra kendi değişikliğinizi tekrar yapın.",
    set_err_not_an_image: "Bu dosya PNG, JPEG, GIF veya WebP görseli değil.",
    set_err_logo_too_tall: "Logonun yüksekliği genişliğini aşamaz.",
    set_err_logo_too_big: "Görsel çok büyük: logonun her kenarı en çok 4000 piksel olabilir.",
    set_err_logo_too_narrow: "Logo en az 64 piksel genişliğinde olmalı.",
    set_err_too_large: "Dosya 1 MB'tan büyük.",
    set_err_damaged_image: "Görsel okunamadı: dosya bozuk olabilir mi?",
    set_count_one: "{n} kayıt",
    set_count_other: "{n} kayıt",
    set_pages: "Sayfalar",
    set_prev: "Önceki sayfa",
    set_next: "Sonraki sayfa",
    set_page_of: "Sayfa {page} / {pages}",
    set_cancel: "Vazgeç",
    set_confirm: "Onayla",
    set_saved: "Kaydedildi.",
  },
  el: {
    set_title: "Ρυθμίσεις",
    set_sections: "Ενότητες ρυθμίσεων",
    set_branch: "Κατάστημα",
    set_sec_branches: "Καταστήματα",
    set_sec_services: "Υπηρεσίες",
    set_sec_counters: "Θυρίδες",
    set_sec_users: "Προσωπικό",
    set_sec_devices: "Συσκευές",
    set_sec_audit: "Αρχείο ελέγχου",
    set_load_failed: "Η ενότητα δεν φορτώθηκε. Ανανεώστε τη σελίδα για να δοκιμάσετε ξανά.",
    set_edited_elsewhere:
      "Κάποιος άλλος το άλλαξε όσο το επεξεργαζόσασταν. Φορτώστε το ξανά για να δείτε την αλλαγή του και κάντε ξανά τη δική σας.",
    set_offline: "Ο διακομιστής δεν είναι προσβάσιμος. Δεν αποθηκεύτηκε τίποτα· δοκιμάστε ξανά σε λίγο.",
    set_err_missing: "Το πεδίο είναι υποχρεωτικό.",
    set_err_string_too_short: "Πολύ σύντομο: τουλάχιστον {min_length} χαρακτήρες.",
    set_err_string_too_long: "Πολύ μεγάλο: έως {max_length} χαρακτήρες.",
    set_err_greater_than_equal: "Πρέπει να είναι τουλάχιστον {ge}.",
    set_err_less_than_equal: "Πρέπει να είναι το πολύ {le}.",
    set_err_greater_than: "Πρέπει να είναι μεγαλύτερο από {gt}.",
    set_err_less_than: "Πρέπει να είναι μικρότερο από {lt}.",
    set_err_int_parsing: "Εισαγάγετε ακέραιο αριθμό.",
    set_err_int_from_float: "Εισαγάγετε ακέραιο αριθμό.",
    set_err_string_pattern_mismatch: "Δεν έχει την αναμενόμενη μορφή.",
    set_err_literal_error: "Επιλέξτε μία από τις διαθέσιμες τιμές.",
    set_err_enum: "Επιλέξτε μία από τις διαθέσιμες τιμές.",
    set_err_duplicate: "Χρησιμοποιείται ήδη εδώ: επιλέξτε κάτι άλλο.",
    set_err_edited_elsewhere:
      "Κάποιος άλλος το άλλαξε ενώ το επεξεργαζόσασταν. Φορτώστε το ξανά για να δείτε την αλλαγή του και κάντε ξανά τη δική σας.",
    set_err_not_an_image: "Το αρχείο δεν είναι εικόνα PNG, JPEG, GIF ή WebP.",
    set_err_logo_too_tall: "Το λογότυπο δεν μπορεί να είναι ψηλότερο από όσο είναι φαρδύ.",
    set_err_logo_too_big: "Η εικόνα είναι πολύ μεγάλη: κάθε πλευρά ενός λογοτύπου μπορεί να είναι έως 4000 px.",
    set_err_logo_too_narrow: "Το λογότυπο πρέπει να έχει πλάτος τουλάχιστον 64 px.",
    set_err_too_large: "Το αρχείο είναι μεγαλύτερο από 1 MB.",
    set_err_damaged_image: "Η εικόνα δεν μπόρεσε να διαβαστεί: μήπως το αρχείο είναι κατεστραμμένο;",
    set_count_one: "{n} εγγραφή",
    set_count_other: "{n} εγγραφές",
    set_pages: "Σελίδες",
    set_prev: "Προηγούμενη σελίδα",
    set_next: "Επόμενη σελίδα",
    set_page_of: "Σελίδα {page} από {pages}",
    set_cancel: "Άκυρο",
    set_confirm: "Επιβεβαίωση",
    set_saved: "Αποθηκεύτηκε.",
  },
  pl: {
    set_title: "Ustawienia",
    set_sections: "Sekcje ustawień",
    set_branch: "Oddział",
    set_sec_branches: "Oddziały",
    set_sec_services: "Usługi",
    set_sec_counters: "Stanowiska",
    set_sec_users: "Pracownicy",
    set_sec_devices: "Urządzenia",
    set_sec_audit: "Dziennik zmian",
    set_load_failed: "Nie udało się wczytać tej sekcji. Odśwież stronę, aby spróbować ponownie.",
    set_edited_elsewhere:
      "Ktoś inny zmienił to podczas Twojej edycji. Wczytaj ponownie, aby zobaczyć jego zmianę, a potem wprowadź swoją jeszcze raz.",
    set_offline: "Brak połączenia z serwerem. Nic nie zapisano; spróbuj ponownie za chwilę.",
    set_err_missing: "To pole jest wymagane.",
    set_err_string_too_short: "Za krótkie: co najmniej {min_length} znaków.",
    set_err_string_too_long: "Za długie: najwyżej {max_length} znaków.",
    set_err_greater_than_equal: "Wartość musi wynosić co najmniej {ge}.",
    set_err_less_than_equal: "Wartość może wynosić najwyżej {le}.",
    set_err_greater_than: "Wartość musi być większa niż {gt}.",
    set_err_less_than: "Wartość musi być mniejsza niż {lt}.",
    set_err_int_parsing: "Wpisz liczbę całkowitą.",
    set_err_int_from_float: "Wpisz liczbę całkowitą.",
    set_err_string_pattern_mismatch: "Niewłaściwy format.",
    set_err_literal_error: "Wybierz jedną z dostępnych wartości.",
    set_err_enum: "Wybierz jedną z dostępnych wartości.",
    set_err_duplicate: "Ta wartość jest już tu używana: wybierz inną.",
    set_err_edited_elsewhere:
      "Ktoś inny zmienił to podczas Twojej edycji. Wczytaj ponownie, aby zobaczyć jego zmianę, a potem wprowadź swoją jeszcze raz.",
    set_err_not_an_image: "Ten plik nie jest obrazem PNG, JPEG, GIF ani WebP.",
    set_err_logo_too_tall: "Logo nie może być wyższe niż szersze.",
    set_err_logo_too_big: "Obraz jest za duży: każdy bok logo może mieć najwyżej 4000 px.",
    set_err_logo_too_narrow: "Logo musi mieć co najmniej 64 px szerokości.",
    set_err_too_large: "Plik jest większy niż 1 MB.",
    set_err_damaged_image: "Nie udało się odczytać obrazu: czy plik nie jest uszkodzony?",
    set_count_one: "{n} pozycja",
    set_count_few: "{n} pozycje",
    set_count_many: "{n} pozycji",
    set_count_other: "{n} pozycji",
    set_pages: "Strony",
    set_prev: "Poprzednia strona",
    set_next: "Następna strona",
    set_page_of: "Strona {page} z {pages}",
    set_cancel: "Anuluj",
    set_confirm: "Potwierdź",
    set_saved: "Zapisano.",
  },
};

const SECTIONS = [
  { key: "branches", load: () => import("./branches.js") },
  { key: "services", load: () => import("./services.js") },
  { key: "counters", load: () => import("./counters.js") },
  { key: "users", load: () => import("./users.js") },
  { key: "devices", load: () => import("./devices.js") },
  { key: "audit", load: () => import("./audit.js") },
];

function learn(words) {
  for (const [lang, dict] of Object.entries(words || {})) {
    if (STRINGS[lang]) Object.assign(STRINGS[lang], dict);
  }
}
learn(SHELL_WORDS);

const state = { ctx: null, section: "branches", module: null, loaded: new Map(), root: null };

/** The section in the URL fragment (#settings/users), else the last one. */
function sectionFromHash() {
  // A device's pairing QR opens /manager/#pair=CODE: Devices, its pairing form filled in.
  if (/^#pair=/.test(location.hash)) return "devices";
  const m = /^#settings\/(\w+)/.exec(location.hash);
  return m && SECTIONS.some((s) => s.key === m[1]) ? m[1] : null;
}

async function load(key) {
  if (!state.loaded.has(key)) {
    const spec = SECTIONS.find((s) => s.key === key);
    const mod = await spec.load();
    learn(mod.words);
    state.loaded.set(key, mod);
  }
  return state.loaded.get(key);
}

let toastTimer = null;
function toast(text) {
  const box = document.getElementById("settings-toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (box.hidden = true), 4000);
}

/** A modal question: resolves true when confirmed. */
function confirmBox({ title, body, confirm = t("set_confirm"), danger = false }) {
  const dialog = el(
    "dialog",
    { class: "set-dialog", "data-testid": "settings-confirm", "aria-labelledby": "set-dialog-title" },
    el(
      "form",
      { method: "dialog", class: "dialog-body" },
      el("h2", { id: "set-dialog-title", text: title }),
      ...(Array.isArray(body) ? body : [body]).map((p) => el("p", { text: p })),
      el(
        "div",
        { class: "dialog-actions" },
        el("button", { class: "btn", value: "cancel", text: t("set_cancel") }),
        el("button", {
          class: `btn ${danger ? "btn-danger" : "btn-primary"}`,
          value: "ok",
          "data-testid": "settings-confirm-ok",
          text: confirm,
        }),
      ),
    ),
  );
  document.body.append(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => {
        resolve(dialog.returnValue === "ok");
        dialog.remove();
      },
      { once: true },
    );
    dialog.showModal();
  });
}

function drawMenu() {
  const nav = document.getElementById("settings-nav");
  nav.setAttribute("aria-label", t("set_sections"));
  nav.replaceChildren(
    ...SECTIONS.map((s) =>
      el("button", {
        type: "button",
        class: "set-nav-item",
        "data-testid": `settings-nav-${s.key}`,
        "aria-current": s.key === state.section ? "page" : null,
        text: t(`set_sec_${s.key}`),
        onclick: () => open(s.key),
      }),
    ),
  );
  document.getElementById("settings-title").textContent = t("set_title");
}

function drawBranchPicker() {
  const host = document.getElementById("settings-branch");
  const codes = state.ctx.branches;
  if (!codes.length) {
    host.replaceChildren();
    return;
  }
  const select = el(
    "select",
    {
      id: "settings-branch-select",
      "data-testid": "settings-branch",
      onchange: (e) => setBranch(e.target.value),
    },
    ...codes.map((b) => el("option", { value: b.code, text: `${b.name} (${b.code})`, selected: b.code === state.ctx.branch })),
  );
  host.replaceChildren(el("label", { for: "settings-branch-select", text: t("set_branch") }), select);
}

async function listBranches(api, me) {
  try {
    const rows = await api.get("/api/v1/admin/branches");
    return rows.map((b) => ({ code: b.code, name: b.name }));
  } catch {
    return (me.branches || [me.branch]).filter(Boolean).map((code) => ({ code, name: code }));
  }
}

async function open(key) {
  state.section = key;
  // #pair=CODE stays for the Devices section to read (it fills in the pairing form).
  const pairing = key === "devices" && /^#pair=/.test(location.hash);
  if (!pairing && location.hash !== `#settings/${key}`) {
    history.replaceState(null, "", `#settings/${key}`);
  }
  drawMenu();
  const root = document.getElementById("settings-body");
  root.dataset.section = key;
  state.module?.unmount?.();
  state.module = null;
  try {
    const mod = await load(key);
    if (state.section !== key) return; // another section was chosen meanwhile
    state.module = mod;
    root.replaceChildren();
    mod.mount(root, state.ctx);
  } catch (err) {
    console.error(err);
    root.replaceChildren(el("p", { class: "error-text", role: "alert", text: t("set_load_failed") }));
  }
}

function setBranch(code) {
  state.ctx.branch = code;
  open(state.section);
}

/** Enter the Settings tab. `branch`: the dashboard's current branch. */
export async function showSettings({ api, me, branch }) {
  const branches = await listBranches(api, me);
  state.ctx = {
    api,
    me,
    branch: branch || branches[0]?.code || null,
    branches,
    t,
    plural,
    locale,
    lang: getLang,
    toast,
    confirm: confirmBox,
    refresh: () => open(state.section),
    setBranch,
    reloadBranches: async () => {
      state.ctx.branches = await listBranches(api, me);
      // The first branch of a new installation becomes the one configured.
      const known = state.ctx.branches.some((b) => b.code === state.ctx.branch);
      if (!known) state.ctx.branch = state.ctx.branches[0]?.code || null;
      drawBranchPicker();
    },
  };
  drawBranchPicker();
  await open(sectionFromHash() || state.section);
}

export function hideSettings() {
  state.module?.unmount?.();
  state.module = null;
}

/** The language changed: draw the menu and the section again in it. */
export function relabelSettings() {
  if (!state.ctx || document.getElementById("view-settings").hidden) return;
  drawMenu();
  drawBranchPicker();
  open(state.section);
}
