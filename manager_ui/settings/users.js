/**
 * manager_ui/settings/users.js — Settings › Staff: the staff accounts of the branch (an admin
 * may list every branch), searchable and paged; create one (with a temporary password the
 * person replaces at first sign-in), edit the role and name, reset the password, disable or
 * enable, sign out everywhere. A manager manages only the tellers of their branches: the form
 * offers them nothing else, and the server's refusals (scope, the last administrator, a change
 * made elsewhere meanwhile) are shown beside the field or at the form.
 */

import { ApiError } from "/ui/api.js";
import { el } from "/ui/staff.js";
import { check, fieldRow, liveCheck, matches, pager, pagerNav, showErrors } from "./forms.js";

export const words = {
  en: {
    set_users_title: "Staff",
    set_users_lead:
      "Who may sign in to the teller console and this dashboard. A manager manages the tellers of their own branches.",
    set_users_search: "Search by name or username",
    set_users_show: "Show",
    set_users_this_branch: "This branch",
    set_users_all_branches: "All branches",
    set_users_add: "Add staff member",
    set_users_none: "No staff account matches.",
    set_users_count_one: "{n} staff account",
    set_users_count_other: "{n} staff accounts",
    set_users_col_user: "Username",
    set_users_col_name: "Full name",
    set_users_col_role: "Role",
    set_users_col_branch: "Branch",
    set_users_col_status: "Status",
    set_users_col_actions: "Actions",
    set_users_role_admin: "Administrator",
    set_users_role_manager: "Manager",
    set_users_role_teller: "Teller",
    set_users_active: "Active",
    set_users_disabled: "Disabled",
    set_users_must_change: "Must choose a new password",
    set_users_no_branch: "—",
    set_users_username: "Username",
    set_users_username_hint: "Letters, digits and . _ @ - only; used to sign in.",
    set_users_full_name: "Full name",
    set_users_role: "Role",
    set_users_role_hint_manager: "As a manager you can add and manage tellers of your branches.",
    set_users_branch: "Branch",
    set_users_temp_password: "Temporary password",
    set_users_temp_password_hint: "At least 8 characters. Give it to the person in private.",
    set_users_must_change_label: "Must choose their own password at first sign-in",
    set_users_create_title: "New staff member",
    set_users_create: "Create account",
    set_users_created: "Account {user} created.",
    set_users_edit: "Edit",
    set_users_edit_title: "Edit {user}",
    set_users_save: "Save changes",
    set_users_reset: "Reset password",
    set_users_reset_title: "Reset the password of {user}",
    set_users_reset_lead:
      "Set a temporary password and give it to {user} in private. Their open sessions end at once; at their next sign-in they choose their own password before anything else.",
    set_users_reset_save: "Set temporary password",
    set_users_reset_done: "The password of {user} was reset.",
    set_users_disable: "Disable",
    set_users_enable: "Enable",
    set_users_disable_title: "Disable {user}?",
    set_users_disable_body:
      "{user} can no longer sign in and their open sessions end. Their name stays on the tickets they served. You can enable the account again later.",
    set_users_disabled_done: "{user} is disabled.",
    set_users_enabled_done: "{user} is enabled again.",
    set_users_sign_out: "Sign out everywhere",
    set_users_sign_out_title: "Sign {user} out everywhere?",
    set_users_sign_out_body:
      "Every session of {user} ends now, on every device. A counter they hold is paused. They can sign in again with their password.",
    set_users_signed_out: "{user} was signed out everywhere.",
    set_users_reload: "Reload",
    set_users_cancel: "Cancel",
    set_users_actions_for: "Actions for {user}",
    set_users_need_username: "Enter a username of at least 2 characters.",
    set_users_bad_username: "Use only letters, digits and . _ @ -",
    set_users_short_password: "The temporary password needs at least 8 characters.",
    set_users_need_branch: "Choose the branch this person works in.",
    set_users_load_failed: "The staff list could not be loaded:",
  },
  tr: {
    set_users_title: "Personel",
    set_users_lead:
      "Gişe konsoluna ve bu panele kimlerin giriş yapabileceği. Bir yönetici kendi şubelerinin gişe görevlilerini yönetir.",
    set_users_search: "Ad veya kullanıcı adıyla ara",
    set_users_show: "Göster",
    set_users_this_branch: "Bu şube",
    set_users_all_branches: "Tüm şubeler",
    set_users_add: "Personel ekle",
    set_users_none: "Eşleşen personel hesabı yok.",
    set_users_count_one: "{n} personel hesabı",
    set_users_count_other: "{n} personel hesabı",
    set_users_col_user: "Kullanıcı adı",
    set_users_col_name: "Ad soyad",
    set_users_col_role: "Rol",
    set_users_col_branch: "Şube",
    set_users_col_status: "Durum",
    set_users_col_actions: "İşlemler",
    set_users_role_admin: "Yönetici (sistem)",
    set_users_role_manager: "Şube yöneticisi",
    set_users_role_teller: "Gişe görevlisi",
    set_users_active: "Etkin",
    set_users_disabled: "Devre dışı",
    set_users_must_change: "Yeni parola belirlemeli",
    set_users_no_branch: "—",
    set_users_username: "Kullanıcı adı",
    set_users_username_hint: "Yalnızca harf, rakam ve . _ @ -; giriş için kullanılır.",
    set_users_full_name: "Ad soyad",
    set_users_role: "Rol",
    set_users_role_hint_manager: "Şube yöneticisi olarak şubelerinizin gişe görevlilerini ekleyip yönetebilirsiniz.",
    set_users_branch: "Şube",
    set_users_temp_password: "Geçici parola",
    set_users_temp_password_hint: "En az 8 karakter. Kişiye yalnızca kendisine iletin.",
    set_users_must_change_label: "İlk girişte kendi parolasını belirlemeli",
    set_users_create_title: "Yeni personel",
    set_users_create: "Hesabı oluştur",
    set_users_created: "{user} hesabı oluşturuldu.",
    set_users_edit: "Düzenle",
    set_users_edit_title: "{user} düzenleniyor",
    set_users_save: "Değişiklikleri kaydet",
    set_users_reset: "Parolayı sıfırla",
    set_users_reset_title: "{user} için parolayı sıfırla",
    set_users_reset_lead:
      "Geçici bir parola belirleyin ve {user} kişisine yalnızca kendisine iletin. Açık oturumları hemen kapanır; bir sonraki girişte her şeyden önce kendi parolasını belirler.",
    set_users_reset_save: "Geçici parolayı belirle",
    set_users_reset_done: "{user} için parola sıfırlandı.",
    set_users_disable: "Devre dışı bırak",
    set_users_enable: "Etkinleştir",
    set_users_disable_title: "{user} devre dışı bırakılsın mı?",
    set_users_disable_body:
      "{user} artık giriş yapamaz ve açık oturumları kapanır. Hizmet verdiği biletlerde adı kalır. Hesabı daha sonra yeniden etkinleştirebilirsiniz.",
    set_users_disabled_done: "{user} devre dışı bırakıldı.",
    set_users_enabled_done: "{user} yeniden etkin.",
    set_users_sign_out: "Her yerden çıkış yaptır",
    set_users_sign_out_title: "{user} her yerden çıkış yaptırılsın mı?",
    set_users_sign_out_body:
      "{user} kişisinin tüm oturumları şimdi, her cihazda kapanır. Tuttuğu gişe molaya alınır. Parolasıyla yeniden giriş yapabilir.",
    set_users_signed_out: "{user} her yerden çıkış yaptırıldı.",
    set_users_reload: "Yeniden yükle",
    set_users_cancel: "Vazgeç",
    set_users_actions_for: "{user} için işlemler",
    set_users_need_username: "En az 2 karakterlik bir kullanıcı adı girin.",
    set_users_bad_username: "Yalnızca harf, rakam ve . _ @ - kullanın",
    set_users_short_password: "Geçici parola en az 8 karakter olmalı.",
    set_users_need_branch: "Bu kişinin çalıştığı şubeyi seçin.",
    set_users_load_failed: "Personel listesi yüklenemedi:",
  },
  el: {
    set_users_title: "Προσωπικό",
    set_users_lead:
      "Ποιος μπορεί να συνδεθεί στην κονσόλα θυρίδας και σε αυτόν τον πίνακα. Ένας διευθυντής διαχειρίζεται τους υπαλλήλους θυρίδας των καταστημάτων του.",
    set_users_search: "Αναζήτηση με όνομα ή όνομα χρήστη",
    set_users_show: "Εμφάνιση",
    set_users_this_branch: "Αυτό το κατάστημα",
    set_users_all_branches: "Όλα τα καταστήματα",
    set_users_add: "Προσθήκη υπαλλήλου",
    set_users_none: "Κανένας λογαριασμός δεν ταιριάζει.",
    set_users_count_one: "{n} λογαριασμός προσωπικού",
    set_users_count_other: "{n} λογαριασμοί προσωπικού",
    set_users_col_user: "Όνομα χρήστη",
    set_users_col_name: "Ονοματεπώνυμο",
    set_users_col_role: "Ρόλος",
    set_users_col_branch: "Κατάστημα",
    set_users_col_status: "Κατάσταση",
    set_users_col_actions: "Ενέργειες",
    set_users_role_admin: "Διαχειριστής",
    set_users_role_manager: "Διευθυντής",
    set_users_role_teller: "Υπάλληλος θυρίδας",
    set_users_active: "Ενεργός",
    set_users_disabled: "Απενεργοποιημένος",
    set_users_must_change: "Πρέπει να ορίσει νέο κωδικό",
    set_users_no_branch: "—",
    set_users_username: "Όνομα χρήστη",
    set_users_username_hint: "Μόνο γράμματα, ψηφία και . _ @ -· για τη σύνδεση.",
    set_users_full_name: "Ονοματεπώνυμο",
    set_users_role: "Ρόλος",
    set_users_role_hint_manager:
      "Ως διευθυντής μπορείτε να προσθέτετε και να διαχειρίζεστε υπαλλήλους θυρίδας των καταστημάτων σας.",
    set_users_branch: "Κατάστημα",
    set_users_temp_password: "Προσωρινός κωδικός πρόσβασης",
    set_users_temp_password_hint: "Τουλάχιστον 8 χαρακτήρες. Δώστε τον στο άτομο ιδιωτικά.",
    set_users_must_change_label: "Ορίζει δικό του κωδικό στην πρώτη σύνδεση",
    set_users_create_title: "Νέος υπάλληλος",
    set_users_create: "Δημιουργία λογαριασμού",
    set_users_created: "Ο λογαριασμός {user} δημιουργήθηκε.",
    set_users_edit: "Επεξεργασία",
    set_users_edit_title: "Επεξεργασία: {user}",
    set_users_save: "Αποθήκευση αλλαγών",
    set_users_reset: "Επαναφορά κωδικού",
    set_users_reset_title: "Επαναφορά κωδικού: {user}",
    set_users_reset_lead:
      "Ορίστε έναν προσωρινό κωδικό και δώστε τον ιδιωτικά στον/στην {user}. Οι ανοιχτές συνδέσεις του τερματίζονται αμέσως· στην επόμενη σύνδεση ορίζει πρώτα δικό του κωδικό.",
    set_users_reset_save: "Ορισμός προσωρινού κωδικού",
    set_users_reset_done: "Ο κωδικός του/της {user} επαναφέρθηκε.",
    set_users_disable: "Απενεργοποίηση",
    set_users_enable: "Ενεργοποίηση",
    set_users_disable_title: "Απενεργοποίηση του/της {user};",
    set_users_disable_body:
      "Ο/Η {user} δεν μπορεί πλέον να συνδεθεί και οι ανοιχτές συνδέσεις του τερματίζονται. Το όνομά του μένει στους αριθμούς που εξυπηρέτησε. Μπορείτε να ενεργοποιήσετε ξανά τον λογαριασμό αργότερα.",
    set_users_disabled_done: "Ο/Η {user} απενεργοποιήθηκε.",
    set_users_enabled_done: "Ο/Η {user} ενεργοποιήθηκε ξανά.",
    set_users_sign_out: "Αποσύνδεση παντού",
    set_users_sign_out_title: "Αποσύνδεση του/της {user} παντού;",
    set_users_sign_out_body:
      "Όλες οι συνδέσεις του/της {user} τερματίζονται τώρα, σε κάθε συσκευή. Μια θυρίδα που κρατά τίθεται σε παύση. Μπορεί να συνδεθεί ξανά με τον κωδικό του.",
    set_users_signed_out: "Ο/Η {user} αποσυνδέθηκε παντού.",
    set_users_reload: "Επαναφόρτωση",
    set_users_cancel: "Άκυρο",
    set_users_actions_for: "Ενέργειες για {user}",
    set_users_need_username: "Δώστε όνομα χρήστη με τουλάχιστον 2 χαρακτήρες.",
    set_users_bad_username: "Μόνο γράμματα, ψηφία και . _ @ -",
    set_users_short_password: "Ο προσωρινός κωδικός χρειάζεται τουλάχιστον 8 χαρακτήρες.",
    set_users_need_branch: "Επιλέξτε το κατάστημα όπου εργάζεται.",
    set_users_load_failed: "Η λίστα προσωπικού δεν φορτώθηκε:",
  },
  pl: {
    set_users_title: "Pracownicy",
    set_users_lead:
      "Kto może logować się do konsoli stanowiska i do tego panelu. Kierownik zarządza kasjerami swoich oddziałów.",
    set_users_search: "Szukaj po imieniu i nazwisku lub nazwie użytkownika",
    set_users_show: "Pokaż",
    set_users_this_branch: "Ten oddział",
    set_users_all_branches: "Wszystkie oddziały",
    set_users_add: "Dodaj pracownika",
    set_users_none: "Żadne konto nie pasuje.",
    set_users_count_one: "{n} konto pracownika",
    set_users_count_few: "{n} konta pracowników",
    set_users_count_many: "{n} kont pracowników",
    set_users_count_other: "{n} konta pracowników",
    set_users_col_user: "Nazwa użytkownika",
    set_users_col_name: "Imię i nazwisko",
    set_users_col_role: "Rola",
    set_users_col_branch: "Oddział",
    set_users_col_status: "Stan",
    set_users_col_actions: "Działania",
    set_users_role_admin: "Administrator",
    set_users_role_manager: "Kierownik",
    set_users_role_teller: "Kasjer",
    set_users_active: "Aktywne",
    set_users_disabled: "Wyłączone",
    set_users_must_change: "Musi ustawić nowe hasło",
    set_users_no_branch: "—",
    set_users_username: "Nazwa użytkownika",
    set_users_username_hint: "Tylko litery, cyfry oraz . _ @ -; służy do logowania.",
    set_users_full_name: "Imię i nazwisko",
    set_users_role: "Rola",
    set_users_role_hint_manager: "Jako kierownik możesz dodawać kasjerów swoich oddziałów i nimi zarządzać.",
    set_users_branch: "Oddział",
    set_users_temp_password: "Hasło tymczasowe",
    set_users_temp_password_hint: "Co najmniej 8 znaków. Przekaż je tej osobie na osobności.",
    set_users_must_change_label: "Przy pierwszym logowaniu musi ustawić własne hasło",
    set_users_create_title: "Nowy pracownik",
    set_users_create: "Utwórz konto",
    set_users_created: "Utworzono konto {user}.",
    set_users_edit: "Edytuj",
    set_users_edit_title: "Edycja: {user}",
    set_users_save: "Zapisz zmiany",
    set_users_reset: "Zresetuj hasło",
    set_users_reset_title: "Reset hasła: {user}",
    set_users_reset_lead:
      "Ustaw hasło tymczasowe i przekaż je na osobności ({user}). Otwarte sesje tej osoby kończą się od razu; przy następnym logowaniu najpierw ustawi własne hasło.",
    set_users_reset_save: "Ustaw hasło tymczasowe",
    set_users_reset_done: "Zresetowano hasło: {user}.",
    set_users_disable: "Wyłącz",
    set_users_enable: "Włącz",
    set_users_disable_title: "Wyłączyć konto {user}?",
    set_users_disable_body:
      "{user} nie będzie mógł się zalogować, a otwarte sesje się zakończą. Nazwisko zostaje przy obsłużonych biletach. Konto można później włączyć ponownie.",
    set_users_disabled_done: "Konto {user} jest wyłączone.",
    set_users_enabled_done: "Konto {user} jest znów włączone.",
    set_users_sign_out: "Wyloguj wszędzie",
    set_users_sign_out_title: "Wylogować {user} wszędzie?",
    set_users_sign_out_body:
      "Wszystkie sesje {user} kończą się teraz, na każdym urządzeniu. Zajmowane stanowisko zostaje wstrzymane. Można zalogować się ponownie hasłem.",
    set_users_signed_out: "{user}: wylogowano wszędzie.",
    set_users_reload: "Wczytaj ponownie",
    set_users_cancel: "Anuluj",
    set_users_actions_for: "Działania: {user}",
    set_users_need_username: "Podaj nazwę użytkownika (co najmniej 2 znaki).",
    set_users_bad_username: "Dozwolone są tylko litery, cyfry oraz . _ @ -",
    set_users_short_password: "Hasło tymczasowe musi mieć co najmniej 8 znaków.",
    set_users_need_branch: "Wybierz oddział, w którym ta osoba pracuje.",
    set_users_load_failed: "Nie udało się wczytać listy pracowników:",
  },
};

const ROLES = ["admin", "manager", "teller"];
const PAGE_SIZE = 15;

let state = null;

export function unmount() {
  state = null;
}

const isAdmin = (ctx) => ctx.me?.role === "admin";

export function mount(root, ctx) {
  const keep = state && state.branch === ctx.branch ? state : null;
  state = {
    ctx,
    root,
    branch: ctx.branch,
    users: keep?.users || null,
    query: keep?.query || "",
    page: keep?.page || 1,
    scope: keep?.scope || ctx.branch || "*",
    form: null, // { mode: "create" | "edit" | "reset", user }
    listError: null, // the list could not be loaded
    actionError: null, // a row action (disable, sign out) was refused
  };
  draw();
  load();
}

async function load() {
  const s = state;
  try {
    s.users = await s.ctx.api.get("/api/v1/admin/users");
    s.listError = null;
  } catch (err) {
    s.listError = `${s.ctx.t("set_users_load_failed")} ${err instanceof ApiError ? err.detail : String(err)}`;
  }
  if (state === s) draw();
}

// ------------------------------------------------------------------------------- drawing

function draw() {
  const { ctx, root } = state;
  const t = ctx.t;
  const focused = document.activeElement?.dataset?.testid;
  const head = el(
    "header",
    { class: "people-head" },
    el("h2", { id: "set-users-title", text: t("set_users_title") }),
    el("p", { class: "muted", text: t("set_users_lead") }),
  );
  root.setAttribute("aria-labelledby", "set-users-title");
  root.replaceChildren(...[head, toolbar(), state.form ? drawForm() : null, listError(), table()].filter(Boolean));
  if (focused === "users-search") {
    const box = root.querySelector("[data-testid=users-search]");
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  }
}

function toolbar() {
  const { ctx } = state;
  const t = ctx.t;
  const search = el("input", {
    id: "set-users-search",
    type: "search",
    "data-testid": "users-search",
    value: state.query,
    autocomplete: "off",
    oninput: (e) => {
      state.query = e.target.value;
      state.page = 1;
      draw();
    },
  });
  const parts = [
    el("div", { class: "people-filter" }, el("label", { for: "set-users-search", text: t("set_users_search") }), search),
  ];
  if (isAdmin(ctx)) {
    const scope = el(
      "select",
      {
        id: "set-users-scope",
        "data-testid": "users-scope",
        onchange: (e) => {
          state.scope = e.target.value;
          state.page = 1;
          draw();
        },
      },
      el("option", {
        value: ctx.branch || "*",
        text: `${t("set_users_this_branch")} (${ctx.branch || "—"})`,
        selected: state.scope !== "*",
      }),
      el("option", { value: "*", text: t("set_users_all_branches"), selected: state.scope === "*" }),
    );
    parts.push(el("div", { class: "people-filter" }, el("label", { for: "set-users-scope", text: t("set_users_show") }), scope));
  }
  parts.push(
    el("button", {
      type: "button",
      class: "btn btn-primary",
      "data-testid": "users-add",
      text: t("set_users_add"),
      onclick: () => openForm({ mode: "create" }),
    }),
  );
  return el("div", { class: "people-toolbar" }, ...parts);
}

function listError() {
  const text = [state.listError, state.actionError].filter(Boolean).join(" ");
  if (!text) return null;
  return el("p", { class: "people-error", role: "alert", "data-testid": "users-error", text });
}

function visibleUsers() {
  const rows = state.users || [];
  return rows.filter(
    (u) =>
      (state.scope === "*" || u.branch === state.scope) &&
      (matches(u.username, state.query) || matches(u.full_name, state.query)),
  );
}

function roleWord(role) {
  return state.ctx.t(`set_users_role_${role}`);
}

function table() {
  const { ctx } = state;
  const t = ctx.t;
  if (!state.users) return el("p", { class: "muted", role: "status", text: "…" });
  const all = visibleUsers();
  const view = pager(all, state.page, PAGE_SIZE);
  state.page = view.page;
  const count = el("p", { class: "muted people-count", role: "status", text: ctx.plural("set_users_count", all.length) });
  if (!all.length) return el("div", {}, count, el("p", { class: "muted", text: t("set_users_none") }));
  const body = el("tbody", {}, ...view.rows.map(userRow));
  return el(
    "div",
    {},
    count,
    el(
      "div",
      { class: "table-wrap" },
      el(
        "table",
        { class: "table people-table", "data-testid": "users-table" },
        el(
          "thead",
          {},
          el(
            "tr",
            {},
            ...["user", "name", "role", "branch", "status", "actions"].map((c) =>
              el("th", { scope: "col", text: t(`set_users_col_${c}`) }),
            ),
          ),
        ),
        body,
      ),
    ),
    // One page: the count above says it all.
    view.pages > 1
      ? pagerNav(
          view,
          (p) => {
            state.page = p;
            draw();
          },
          t,
        )
      : null,
  );
}

function userRow(u) {
  const t = state.ctx.t;
  const me = state.ctx.me;
  const self = me?.user_id === u.id;
  const status = el(
    "td",
    {},
    el("span", { class: `people-chip ${u.active ? "is-active" : "is-disabled"}`, text: t(u.active ? "set_users_active" : "set_users_disabled") }),
    u.must_change_password ? el("span", { class: "people-chip is-pending", text: t("set_users_must_change") }) : null,
  );
  const btn = (key, testid, onclick, extra = {}) =>
    el("button", { type: "button", class: "btn btn-small", "data-testid": `${testid}-${u.username}`, text: t(key), onclick, ...extra });
  const actions = el(
    "div",
    { class: "people-actions", role: "group", "aria-label": t("set_users_actions_for", { user: u.username }) },
    btn("set_users_edit", "user-edit", () => openForm({ mode: "edit", user: u })),
    btn("set_users_reset", "user-reset", () => openForm({ mode: "reset", user: u })),
    btn("set_users_sign_out", "user-signout", () => signOutEverywhere(u)),
    self
      ? null
      : btn(u.active ? "set_users_disable" : "set_users_enable", "user-toggle", () => toggle(u), {
          class: u.active ? "btn btn-small btn-quiet-danger" : "btn btn-small",
        }),
  );
  return el(
    "tr",
    { "data-testid": `user-row-${u.username}`, class: u.active ? null : "people-off" },
    el("th", { scope: "row", text: u.username }),
    el("td", { text: u.full_name || "—" }),
    el("td", { text: roleWord(u.role) }),
    el("td", { text: u.branch || t("set_users_no_branch") }),
    status,
    el("td", {}, actions),
  );
}

// --------------------------------------------------------------------------------- forms

function openForm(form) {
  state.form = form;
  state.actionError = null;
  draw();
  state.root.querySelector(".people-form input:not([type=hidden]), .people-form select")?.focus();
}

function closeForm() {
  state.form = null;
  draw();
}

function rolesOffered() {
  return isAdmin(state.ctx) ? ROLES : ["teller"];
}

function roleSelect(current) {
  const offered = rolesOffered();
  return el(
    "select",
    { "data-testid": "user-role" },
    ...offered.map((r) => el("option", { value: r, text: roleWord(r), selected: r === current })),
  );
}

const USERNAME = /^[A-Za-z0-9_.@-]+$/;

function drawForm() {
  const { mode, user } = state.form;
  const t = state.ctx.t;
  const title =
    mode === "create"
      ? t("set_users_create_title")
      : t(mode === "edit" ? "set_users_edit_title" : "set_users_reset_title", { user: user.username });
  const general = el("p", { "data-form-error": "", "data-testid": "user-form-error", role: "alert", hidden: true });
  const fields = [];
  const rules = {};
  if (mode === "create") {
    fields.push(
      fieldRow("username", t("set_users_username"), el("input", { "data-testid": "user-username", autocomplete: "off", required: true, maxlength: 64 }), t("set_users_username_hint")),
      fieldRow("full_name", t("set_users_full_name"), el("input", { "data-testid": "user-full-name", autocomplete: "off", maxlength: 200 })),
      fieldRow("role", t("set_users_role"), roleSelect("teller"), isAdmin(state.ctx) ? null : t("set_users_role_hint_manager")),
      fieldRow("branch", t("set_users_branch"), branchSelect()),
      fieldRow("password", t("set_users_temp_password"), el("input", { type: "text", "data-testid": "user-password", autocomplete: "new-password", required: true, spellcheck: "false" }), t("set_users_temp_password_hint")),
      mustChangeBox(),
    );
    rules.username = (v) => (!v || v.trim().length < 2 ? "set_users_need_username" : USERNAME.test(v.trim()) ? null : "set_users_bad_username");
    rules.password = (v) => (!v || v.length < 8 ? "set_users_short_password" : null);
    rules.branch = (v, f) => (!v && f.elements.role.value !== "admin" ? "set_users_need_branch" : null);
  } else if (mode === "edit") {
    fields.push(
      fieldRow("full_name", t("set_users_full_name"), el("input", { "data-testid": "user-full-name", autocomplete: "off", maxlength: 200, value: user.full_name || "" })),
      fieldRow("role", t("set_users_role"), roleSelect(user.role), isAdmin(state.ctx) ? null : t("set_users_role_hint_manager")),
    );
  } else {
    fields.push(
      el("p", { class: "muted", text: t("set_users_reset_lead", { user: user.username }) }),
      fieldRow("password", t("set_users_temp_password"), el("input", { type: "text", "data-testid": "user-password", autocomplete: "new-password", required: true, spellcheck: "false" }), t("set_users_temp_password_hint")),
      mustChangeBox(),
    );
    rules.password = (v) => (!v || v.length < 8 ? "set_users_short_password" : null);
  }
  const saveKey = mode === "create" ? "set_users_create" : mode === "edit" ? "set_users_save" : "set_users_reset_save";
  const reload = el("button", {
    type: "button",
    class: "btn",
    "data-testid": "user-form-reload",
    hidden: true,
    text: t("set_users_reload"),
    onclick: () => reloadForm(),
  });
  const form = el(
    "form",
    { class: "people-form card", "data-testid": "user-form", novalidate: true, "aria-labelledby": "set-users-form-title" },
    el("h3", { id: "set-users-form-title", text: title }),
    el("div", { class: "people-grid" }, ...fields),
    general,
    el(
      "div",
      { class: "dialog-actions people-form-actions" },
      reload,
      el("button", { type: "button", class: "btn", "data-testid": "user-form-cancel", text: t("set_users_cancel"), onclick: closeForm }),
      el("button", { type: "submit", class: "btn btn-primary", "data-testid": "user-form-save", text: t(saveKey) }),
    ),
  );
  liveCheck(form, rules, t);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    submit(form, rules, reload);
  });
  return form;
}

function branchSelect() {
  const { ctx } = state;
  const codes = ctx.branches || [];
  const select = el(
    "select",
    { "data-testid": "user-branch" },
    ...codes.map((b) => el("option", { value: b.code, text: `${b.name} (${b.code})`, selected: b.code === ctx.branch })),
  );
  if (isAdmin(ctx)) select.prepend(el("option", { value: "", text: "—" }));
  return select;
}

function mustChangeBox() {
  const t = state.ctx.t;
  const id = "set-users-must-change";
  return el(
    "div",
    { class: "people-check" },
    el("input", { type: "checkbox", id, name: "must_change_password", "data-testid": "user-must-change", checked: true }),
    el("label", { for: id, text: t("set_users_must_change_label") }),
    el("p", { class: "field-error", "data-error-for": "must_change_password", role: "alert", hidden: true }),
  );
}

async function submit(form, rules, reload) {
  const { ctx } = state;
  const t = ctx.t;
  const { mode, user } = state.form;
  if (!check(form, rules, t)) {
    form.querySelector("[aria-invalid='true']")?.focus();
    return;
  }
  const f = form.elements;
  const save = form.querySelector("[data-testid=user-form-save]");
  save.disabled = true;
  reload.hidden = true;
  try {
    if (mode === "create") {
      const body = {
        username: f.username.value.trim(),
        full_name: f.full_name.value.trim(),
        role: f.role.value,
        branch: f.branch.value || null,
        password: f.password.value,
        must_change_password: f.must_change_password.checked,
      };
      await ctx.api.post("/api/v1/admin/users", body);
      ctx.toast(t("set_users_created", { user: body.username }));
    } else if (mode === "edit") {
      const body = { version: user.version };
      if (f.full_name.value.trim() !== (user.full_name || "")) body.full_name = f.full_name.value.trim();
      if (f.role.value !== user.role) body.role = f.role.value;
      await ctx.api.patch(`/api/v1/admin/users/${user.id}`, body);
      ctx.toast(t("set_saved"));
    } else {
      await ctx.api.patch(`/api/v1/admin/users/${user.id}`, {
        version: user.version,
        password: f.password.value,
        must_change_password: f.must_change_password.checked,
      });
      ctx.toast(t("set_users_reset_done", { user: user.username }));
    }
    state.form = null;
    await load();
  } catch (err) {
    showErrors(form, err, t);
    if (err instanceof ApiError && err.code === "edited_elsewhere") reload.hidden = false;
  } finally {
    save.disabled = false;
  }
}

/** After "edited elsewhere": fetch the account again and reopen the form on it. */
async function reloadForm() {
  const { mode, user } = state.form;
  try {
    const fresh = await state.ctx.api.get(`/api/v1/admin/users/${user.id}`);
    await load();
    openForm({ mode, user: fresh });
  } catch (err) {
    const form = state.root.querySelector("[data-testid=user-form]");
    if (form) showErrors(form, err, state.ctx.t);
  }
}

// ------------------------------------------------------------------------------- actions

/** A refused row action (disable, sign out): said above the list. */
function actionError(err) {
  const t = state.ctx.t;
  let text = err instanceof ApiError ? err.detail : String(err);
  if (err instanceof ApiError && err.code === "edited_elsewhere") text = t("set_edited_elsewhere");
  if (err instanceof ApiError && err.offline) text = t("set_offline");
  state.actionError = text;
  draw();
  load();
}

async function toggle(u) {
  const { ctx } = state;
  state.actionError = null;
  const t = ctx.t;
  if (u.active) {
    const ok = await ctx.confirm({
      title: t("set_users_disable_title", { user: u.username }),
      body: t("set_users_disable_body", { user: u.username }),
      confirm: t("set_users_disable"),
      danger: true,
    });
    if (!ok) return;
  }
  try {
    await ctx.api.patch(`/api/v1/admin/users/${u.id}`, { active: !u.active, version: u.version });
    ctx.toast(t(u.active ? "set_users_disabled_done" : "set_users_enabled_done", { user: u.username }));
    await load();
  } catch (err) {
    actionError(err);
  }
}

async function signOutEverywhere(u) {
  const { ctx } = state;
  state.actionError = null;
  const t = ctx.t;
  const ok = await ctx.confirm({
    title: t("set_users_sign_out_title", { user: u.username }),
    body: t("set_users_sign_out_body", { user: u.username }),
    confirm: t("set_users_sign_out"),
    danger: true,
  });
  if (!ok) return;
  try {
    await ctx.api.post(`/api/v1/admin/users/${u.id}/sign-out`);
    ctx.toast(t("set_users_signed_out", { user: u.username }));
  } catch (err) {
    actionError(err);
  }
}
