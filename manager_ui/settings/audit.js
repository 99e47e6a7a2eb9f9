/**
 * manager_ui/settings/audit.js — Settings › Audit trail: who changed what and who signed in,
 * newest first, filtered (branch, person or device, kind, dates) and paged through the API's
 * limit/offset. Each entry: when (in its branch's local time, labelled with the zone), who and
 * what kind of entry, from which address, the action, its target and the changes as
 * "field: before → after". "Download CSV" fetches /api/v1/audit.csv with the Authorization
 * header (never a token in a URL) and saves it as a file.
 */

import { ApiError } from "/ui/api.js";
import { el } from "/ui/staff.js";
import { pagerNav, showErrors } from "./forms.js";

const KINDS = ["config", "sign_in", "sign_in_failed", "lockout", "sign_out", "password", "pairing", "revoked"];
const PAGE_SIZE = 25;

export const words = {
  en: {
    set_audit_title: "Audit trail",
    set_audit_lead:
      "Configuration changes, sign-ins, failed sign-ins, lockouts, password changes and device pairing, newest first.",
    set_audit_filters: "Filters",
    set_audit_branch: "Branch",
    set_audit_all_branches: "All branches",
    set_audit_actor: "Person or device",
    set_audit_actor_hint: "A username or device name, exactly.",
    set_audit_kind: "Kind",
    set_audit_any_kind: "Any kind",
    set_audit_from: "From",
    set_audit_to: "To",
    set_audit_dates_hint: "Dates in UTC, both included.",
    set_audit_show: "Show",
    set_audit_clear: "Clear filters",
    set_audit_csv: "Download CSV",
    set_audit_csv_failed: "The CSV could not be downloaded:",
    set_audit_loading: "Loading…",
    set_audit_none: "No entry matches these filters.",
    set_audit_count_one: "{n} entry",
    set_audit_count_other: "{n} entries",
    set_audit_col_when: "When",
    set_audit_col_who: "Who",
    set_audit_col_address: "Address",
    set_audit_col_action: "Action",
    set_audit_col_target: "Target",
    set_audit_col_changes: "Changes",
    set_audit_no_changes: "—",
    set_audit_kind_config: "Configuration",
    set_audit_kind_sign_in: "Sign-in",
    set_audit_kind_sign_in_failed: "Failed sign-in",
    set_audit_kind_lockout: "Lockout",
    set_audit_kind_sign_out: "Sign-out",
    set_audit_kind_password: "Password",
    set_audit_kind_pairing: "Device pairing",
    set_audit_kind_revoked: "Device revoked",
    set_audit_actor_device: "device",
    set_audit_actor_cli: "command line",
    set_audit_actor_system: "system",
    set_audit_actor_anonymous: "not signed in",
    set_audit_secret: "(changed)",
    set_audit_empty_value: "(empty)",
  },
  tr: {
    set_audit_title: "Denetim kaydı",
    set_audit_lead:
      "Yapılandırma değişiklikleri, girişler, başarısız girişler, kilitlenmeler, parola değişiklikleri ve cihaz eşleştirmeleri; en yenisi önce.",
    set_audit_filters: "Filtreler",
    set_audit_branch: "Şube",
    set_audit_all_branches: "Tüm şubeler",
    set_audit_actor: "Kişi veya cihaz",
    set_audit_actor_hint: "Kullanıcı adı veya cihaz adı, tam olarak.",
    set_audit_kind: "Tür",
    set_audit_any_kind: "Tüm türler",
    set_audit_from: "Başlangıç",
    set_audit_to: "Bitiş",
    set_audit_dates_hint: "Tarihler UTC, iki gün de dahil.",
    set_audit_show: "Göster",
    set_audit_clear: "Filtreleri temizle",
    set_audit_csv: "CSV indir",
    set_audit_csv_failed: "CSV indirilemedi:",
    set_audit_loading: "Yükleniyor…",
    set_audit_none: "Bu filtrelere uyan kayıt yok.",
    set_audit_count_one: "{n} kayıt",
    set_audit_count_other: "{n} kayıt",
    set_audit_col_when: "Zaman",
    set_audit_col_who: "Kim",
    set_audit_col_address: "Adres",
    set_audit_col_action: "İşlem",
    set_audit_col_target: "Hedef",
    set_audit_col_changes: "Değişiklikler",
    set_audit_no_changes: "—",
    set_audit_kind_config: "Yapılandırma",
    set_audit_kind_sign_in: "Giriş",
    set_audit_kind_sign_in_failed: "Başarısız giriş",
    set_audit_kind_lockout: "Kilitlenme",
    set_audit_kind_sign_out: "Çıkış",
    set_audit_kind_password: "Parola",
    set_audit_kind_pairing: "Cihaz eşleştirme",
    set_audit_kind_revoked: "Cihaz iptali",
    set_audit_actor_device: "cihaz",
    set_audit_actor_cli: "komut satırı",
    set_audit_actor_system: "sistem",
    set_audit_actor_anonymous: "giriş yapılmamış",
    set_audit_secret: "(değiştirildi)",
    set_audit_empty_value: "(boş)",
  },
  el: {
    set_audit_title: "Αρχείο ελέγχου",
    set_audit_lead:
      "Αλλαγές ρυθμίσεων, συνδέσεις, αποτυχημένες συνδέσεις, κλειδώματα, αλλαγές κωδικών και σύζευξη συσκευών, με τα νεότερα πρώτα.",
    set_audit_filters: "Φίλτρα",
    set_audit_branch: "Κατάστημα",
    set_audit_all_branches: "Όλα τα καταστήματα",
    set_audit_actor: "Πρόσωπο ή συσκευή",
    set_audit_actor_hint: "Όνομα χρήστη ή όνομα συσκευής, ακριβώς.",
    set_audit_kind: "Είδος",
    set_audit_any_kind: "Κάθε είδος",
    set_audit_from: "Από",
    set_audit_to: "Έως",
    set_audit_dates_hint: "Ημερομηνίες σε UTC, συμπεριλαμβάνονται και οι δύο.",
    set_audit_show: "Εμφάνιση",
    set_audit_clear: "Καθαρισμός φίλτρων",
    set_audit_csv: "Λήψη CSV",
    set_audit_csv_failed: "Η λήψη του CSV απέτυχε:",
    set_audit_loading: "Φόρτωση…",
    set_audit_none: "Καμία εγγραφή δεν ταιριάζει με τα φίλτρα.",
    set_audit_count_one: "{n} εγγραφή",
    set_audit_count_other: "{n} εγγραφές",
    set_audit_col_when: "Πότε",
    set_audit_col_who: "Ποιος",
    set_audit_col_address: "Διεύθυνση",
    set_audit_col_action: "Ενέργεια",
    set_audit_col_target: "Στόχος",
    set_audit_col_changes: "Αλλαγές",
    set_audit_no_changes: "—",
    set_audit_kind_config: "Ρυθμίσεις",
    set_audit_kind_sign_in: "Σύνδεση",
    set_audit_kind_sign_in_failed: "Αποτυχημένη σύνδεση",
    set_audit_kind_lockout: "Κλείδωμα",
    set_audit_kind_sign_out: "Αποσύνδεση",
    set_audit_kind_password: "Κωδικός πρόσβασης",
    set_audit_kind_pairing: "Σύζευξη συσκευής",
    set_audit_kind_revoked: "Ανάκληση συσκευής",
    set_audit_actor_device: "συσκευή",
    set_audit_actor_cli: "γραμμή εντολών",
    set_audit_actor_system: "σύστημα",
    set_audit_actor_anonymous: "χωρίς σύνδεση",
    set_audit_secret: "(άλλαξε)",
    set_audit_empty_value: "(κενό)",
  },
  pl: {
    set_audit_title: "Dziennik zmian",
    set_audit_lead:
      "Zmiany konfiguracji, logowania, nieudane logowania, blokady, zmiany haseł i parowanie urządzeń, od najnowszych.",
    set_audit_filters: "Filtry",
    set_audit_branch: "Oddział",
    set_audit_all_branches: "Wszystkie oddziały",
    set_audit_actor: "Osoba lub urządzenie",
    set_audit_actor_hint: "Dokładna nazwa użytkownika lub urządzenia.",
    set_audit_kind: "Rodzaj",
    set_audit_any_kind: "Każdy rodzaj",
    set_audit_from: "Od",
    set_audit_to: "Do",
    set_audit_dates_hint: "Daty w UTC, obie włącznie.",
    set_audit_show: "Pokaż",
    set_audit_clear: "Wyczyść filtry",
    set_audit_csv: "Pobierz CSV",
    set_audit_csv_failed: "Nie udało się pobrać pliku CSV:",
    set_audit_loading: "Wczytywanie…",
    set_audit_none: "Żaden wpis nie pasuje do filtrów.",
    set_audit_count_one: "{n} wpis",
    set_audit_count_few: "{n} wpisy",
    set_audit_count_many: "{n} wpisów",
    set_audit_count_other: "{n} wpisu",
    set_audit_col_when: "Kiedy",
    set_audit_col_who: "Kto",
    set_audit_col_address: "Adres",
    set_audit_col_action: "Działanie",
    set_audit_col_target: "Obiekt",
    set_audit_col_changes: "Zmiany",
    set_audit_no_changes: "—",
    set_audit_kind_config: "Konfiguracja",
    set_audit_kind_sign_in: "Logowanie",
    set_audit_kind_sign_in_failed: "Nieudane logowanie",
    set_audit_kind_lockout: "Blokada",
    set_audit_kind_sign_out: "Wylogowanie",
    set_audit_kind_password: "Hasło",
    set_audit_kind_pairing: "Parowanie urządzenia",
    set_audit_kind_revoked: "Odwołanie urządzenia",
    set_audit_actor_device: "urządzenie",
    set_audit_actor_cli: "wiersz poleceń",
    set_audit_actor_system: "system",
    set_audit_actor_anonymous: "niezalogowany",
    set_audit_secret: "(zmienione)",
    set_audit_empty_value: "(puste)",
  },
};

let state = null;

export function unmount() {
  state = null;
}

const isAdmin = (ctx) => ctx.me?.role === "admin";

export function mount(root, ctx) {
  const keep = state && state.ctxBranch === ctx.branch ? state.filters : null;
  state = {
    ctx,
    root,
    ctxBranch: ctx.branch,
    filters: keep || { branch: ctx.branch || "", actor: "", kind: "", from: "", to: "" },
    offset: 0,
    page: null, // the API's answer
    zones: state?.zones || null, // branch code -> IANA zone
    error: null,
    loading: true,
  };
  draw();
  loadZones().then(() => load());
}

async function loadZones() {
  const s = state;
  if (s.zones) return;
  try {
    const rows = await s.ctx.api.get("/api/v1/admin/branches");
    s.zones = Object.fromEntries(rows.map((b) => [b.code, b.timezone]));
  } catch {
    s.zones = {};
  }
}

function query({ paged = true } = {}) {
  const f = state.filters;
  const q = new URLSearchParams();
  if (f.branch) q.set("branch", f.branch);
  if (f.actor.trim()) q.set("actor", f.actor.trim());
  if (f.kind) q.set("kind", f.kind);
  if (f.from) q.set("from", f.from);
  if (f.to) q.set("to", f.to);
  if (paged) {
    q.set("limit", String(PAGE_SIZE));
    q.set("offset", String(state.offset));
  }
  return q.toString();
}

async function load() {
  const s = state;
  s.loading = true;
  s.error = null;
  drawResults();
  try {
    s.page = await s.ctx.api.get(`/api/v1/audit?${query()}`);
  } catch (err) {
    s.error = err;
    s.page = null;
  }
  s.loading = false;
  if (state !== s) return;
  const form = s.root.querySelector("[data-testid=audit-filters]");
  if (s.error && form) showErrors(form, s.error, s.ctx.t);
  drawResults();
}

// ------------------------------------------------------------------------------- drawing

function draw() {
  const { ctx, root } = state;
  const t = ctx.t;
  root.setAttribute("aria-labelledby", "set-audit-title");
  root.replaceChildren(
    el(
      "header",
      { class: "people-head" },
      el("h2", { id: "set-audit-title", text: t("set_audit_title") }),
      el("p", { class: "muted", text: t("set_audit_lead") }),
    ),
    filterForm(),
    el("div", { id: "set-audit-results", class: "audit-results" }),
  );
  drawResults();
}

function labelled(id, label, control, hint = null) {
  control.id = id;
  const hintEl = hint ? el("p", { class: "muted small field-hint", id: `${id}-hint`, text: hint }) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  const err = el("p", { class: "field-error", id: `${id}-err`, "data-error-for": control.name, role: "alert", hidden: true });
  return el("div", { class: "field set-field" }, el("label", { for: id, text: label }), control, hintEl, err);
}

function filterForm() {
  const { ctx } = state;
  const t = ctx.t;
  const f = state.filters;
  const branches = ctx.branches || [];
  const branch = el(
    "select",
    { name: "branch", "data-testid": "audit-branch" },
    isAdmin(ctx) ? el("option", { value: "", text: t("set_audit_all_branches"), selected: !f.branch }) : null,
    ...branches.map((b) => el("option", { value: b.code, text: `${b.name} (${b.code})`, selected: b.code === f.branch })),
  );
  const actor = el("input", { name: "actor", "data-testid": "audit-actor", value: f.actor, autocomplete: "off", maxlength: 120 });
  const kind = el(
    "select",
    { name: "kind", "data-testid": "audit-kind" },
    el("option", { value: "", text: t("set_audit_any_kind"), selected: !f.kind }),
    ...KINDS.map((k) => el("option", { value: k, text: t(`set_audit_kind_${k}`), selected: k === f.kind })),
  );
  const from = el("input", { type: "date", name: "from", "data-testid": "audit-from", value: f.from });
  const to = el("input", { type: "date", name: "to", "data-testid": "audit-to", value: f.to });
  const form = el(
    "form",
    { class: "audit-filters", "data-testid": "audit-filters", novalidate: true, "aria-label": t("set_audit_filters") },
    el(
      "div",
      { class: "audit-filter-grid" },
      labelled("set-audit-branch", t("set_audit_branch"), branch),
      labelled("set-audit-actor", t("set_audit_actor"), actor, t("set_audit_actor_hint")),
      labelled("set-audit-kind", t("set_audit_kind"), kind),
      labelled("set-audit-from", t("set_audit_from"), from, t("set_audit_dates_hint")),
      labelled("set-audit-to", t("set_audit_to"), to),
    ),
    el("p", { "data-form-error": "", "data-testid": "audit-error", role: "alert", hidden: true }),
    el(
      "div",
      { class: "audit-buttons" },
      el("button", { type: "submit", class: "btn btn-primary", "data-testid": "audit-show", text: t("set_audit_show") }),
      el("button", {
        type: "button",
        class: "btn",
        "data-testid": "audit-clear",
        text: t("set_audit_clear"),
        onclick: () => {
          state.filters = { branch: state.ctx.branch || "", actor: "", kind: "", from: "", to: "" };
          state.offset = 0;
          draw();
          load();
        },
      }),
      el("button", { type: "button", class: "btn", "data-testid": "audit-csv", text: t("set_audit_csv"), onclick: (e) => downloadCsv(e.currentTarget) }),
    ),
  );
  const read = () => {
    state.filters = { branch: branch.value, actor: actor.value, kind: kind.value, from: from.value, to: to.value };
  };
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    read();
    state.offset = 0;
    load();
  });
  // A select takes effect at once; text and dates on "Show".
  for (const s of [branch, kind]) {
    s.addEventListener("change", () => {
      read();
      state.offset = 0;
      load();
    });
  }
  return form;
}

function drawResults() {
  const host = state.root.querySelector("#set-audit-results");
  if (!host) return;
  const { ctx } = state;
  const t = ctx.t;
  if (state.loading && !state.page) {
    host.replaceChildren(el("p", { class: "muted", role: "status", text: t("set_audit_loading") }));
    return;
  }
  if (!state.page) {
    host.replaceChildren();
    return;
  }
  const { items, total } = state.page;
  const count = el("p", { class: "muted people-count", role: "status", "data-testid": "audit-count", text: ctx.plural("set_audit_count", total) });
  if (!items.length) {
    host.replaceChildren(count, el("p", { class: "muted", "data-testid": "audit-empty", text: t("set_audit_none") }));
    return;
  }
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const page = Math.floor(state.offset / PAGE_SIZE) + 1;
  const nav = pages <= 1 ? null : pagerNav(
    { page, pages, total },
    (p) => {
      state.offset = (p - 1) * PAGE_SIZE;
      load();
    },
    t,
  );
  const table = el(
    "table",
    { class: "table audit-table", "data-testid": "audit-table", "aria-busy": state.loading ? "true" : null },
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        ...["when", "who", "address", "action", "target", "changes"].map((c) =>
          el("th", { scope: "col", text: t(`set_audit_col_${c}`) }),
        ),
      ),
    ),
    el("tbody", {}, ...items.map(entryRow)),
  );
  host.replaceChildren(...[count, el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": t("set_audit_title") }, table), nav].filter(Boolean));
}

function zoneFor(entry) {
  const zones = state.zones || {};
  return zones[entry.branch] || zones[state.filters.branch] || zones[state.ctx.branch] || "UTC";
}

function when(entry) {
  const zone = zoneFor(entry);
  const at = new Date(entry.at);
  let text;
  try {
    text = new Intl.DateTimeFormat(state.ctx.locale(), { dateStyle: "medium", timeStyle: "medium", timeZone: zone }).format(at);
  } catch {
    text = at.toISOString();
  }
  return el(
    "td",
    { class: "audit-when" },
    el("time", { datetime: entry.at, text }),
    el("span", { class: "muted small audit-zone", text: zone }),
  );
}

function show(value) {
  const t = state.ctx.t;
  if (value === null || value === undefined || value === "") return t("set_audit_empty_value");
  if (value === "(changed)") return t("set_audit_secret");
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function changes(entry) {
  const t = state.ctx.t;
  const pairs = Object.entries(entry.changes || {});
  if (!pairs.length) return el("td", { class: "muted", text: t("set_audit_no_changes") });
  return el(
    "td",
    {},
    el(
      "ul",
      { class: "audit-changes" },
      ...pairs.map(([field, change]) => {
        const c = change && typeof change === "object" && ("before" in change || "after" in change) ? change : { after: change };
        const parts = "before" in c ? `${show(c.before)} → ${show(c.after)}` : show(c.after);
        return el("li", {}, el("code", { text: field }), `: ${parts}`);
      }),
    ),
  );
}

function entryRow(entry) {
  const t = state.ctx.t;
  // "system (system)" says nothing more: the kind of actor only when it adds something.
  const kindOfActor = entry.actor_kind && !["user", entry.actor].includes(entry.actor_kind) ? entry.actor_kind : null;
  const actorKind = kindOfActor ? t(`set_audit_actor_${kindOfActor}`) : null;
  const who = el(
    "td",
    { class: "audit-who" },
    el("strong", { class: "audit-actor", text: entry.actor || actorKind || "—" }),
    actorKind && entry.actor ? el("span", { class: "muted small", text: ` (${actorKind})` }) : null,
    el("span", { class: `audit-kind kind-${entry.kind}`, "data-kind": entry.kind, text: t(`set_audit_kind_${entry.kind}`) }),
  );
  return el(
    "tr",
    { "data-testid": "audit-row", "data-action": entry.action },
    when(entry),
    who,
    el("td", { class: "audit-address", text: entry.address || "—" }),
    el("td", {}, el("code", { text: entry.action })),
    el("td", { text: entry.target || "—" }),
    changes(entry),
  );
}

// ---------------------------------------------------------------------------------- CSV

async function downloadCsv(button) {
  const { ctx } = state;
  const t = ctx.t;
  const form = state.root.querySelector("[data-testid=audit-filters]");
  const general = form.querySelector("[data-form-error]");
  general.hidden = true;
  button.disabled = true;
  try {
    const res = await fetch(`/api/v1/audit.csv?${query({ paged: false })}`, {
      headers: { Authorization: `Bearer ${ctx.api.token}` },
      cache: "no-store",
    });
    if (!res.ok) {
      const body = await res.json().catch(() => ({}));
      throw new ApiError({ status: res.status, code: body.code, detail: body.detail || res.statusText, errors: body.errors });
    }
    const blob = await res.blob();
    const match = /filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") || "");
    const link = el("a", { href: URL.createObjectURL(blob), download: match ? match[1] : "sira-audit.csv", hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  } catch (err) {
    showErrors(form, err, t);
    if (!general.hidden) general.textContent = `${t("set_audit_csv_failed")} ${general.textContent}`;
  } finally {
    button.disabled = false;
  }
}
