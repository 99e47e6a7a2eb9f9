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
