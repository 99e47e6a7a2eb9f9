/**
 * manager_ui/settings/counters.js — Settings › Counters for the branch being configured: the
 * list (label, state, the services it serves in order), a form to add one or edit its label
 * and services (chosen from the branch's services and put in order with move up/down
 * buttons: no ids to type, every step keyboard operable and announced), and delete (a
 * counter must be closed first; one with ticket history cannot be deleted: the server's
 * sentence is shown). Contract: ./shell.js. Every save sends the row's `version`.
 */

import { ApiError } from "/ui/api.js";
import { el } from "/ui/staff.js";
import { check, clearErrors, fieldRow, liveCheck, matches, pager, showErrors, listView } from "./forms.js";

export const words = {
  en: {
    set_counters_title: "Counters",
    set_counters_lead:
      "A counter serves the services listed for it, in that order of preference when the branch calls by service order.",
    set_counters_no_branch: "Choose a branch first.",
    set_counters_search: "Search counters",
    set_counters_new: "Add counter",
    set_counters_col_label: "Counter",
    set_counters_col_state: "State",
    set_counters_col_services: "Services, in order",
    set_counters_col_actions: "Actions",
    set_counters_state_open: "Open",
    set_counters_state_closed: "Closed",
    set_counters_state_paused: "Paused",
    set_counters_n_services_one: "{n} service",
    set_counters_n_services_other: "{n} services",
    set_counters_edit: "Edit",
    set_counters_edit_label: "Edit counter {label}",
    set_counters_delete: "Delete",
    set_counters_delete_label: "Delete counter {label}",
    set_counters_empty: "This branch has no counters yet.",
    set_counters_no_match: "No counter matches the search.",
    set_counters_form_new: "New counter",
    set_counters_form_edit: "Edit counter {label}",
    set_counters_label: "Label",
    set_counters_label_hint: "What the call display shows and says, e.g. 3 or 12A (up to 32 characters).",
    set_counters_services: "Services this counter serves",
    set_counters_services_hint:
      "First in the list is preferred when the branch calls by service order. Use the arrows to change the order.",
    set_counters_chosen: "Served, in this order",
    set_counters_available: "Not served here",
    set_counters_none_chosen: "No service chosen yet.",
    set_counters_all_chosen: "Every service of the branch is served here.",
    set_counters_up: "Move up",
    set_counters_down: "Move down",
    set_counters_remove: "Remove",
    set_counters_add: "Add",
    set_counters_up_label: "Move {service} up",
    set_counters_down_label: "Move {service} down",
    set_counters_remove_label: "Remove {service}",
    set_counters_add_label: "Add {service}",
    set_counters_moved: "{service} is now number {pos} of {n}.",
    set_counters_added: "{service} added as number {pos}.",
    set_counters_removed: "{service} removed.",
    set_counters_inactive: "inactive",
    set_counters_save: "Save counter",
    set_counters_cancel: "Cancel",
    set_counters_reload: "Reload this counter",
    set_counters_reload_list: "Reload the list",
    set_counters_err_label: "Enter a label (up to 32 characters).",
    set_counters_err_label_taken: "This branch already has a counter with this label.",
    set_counters_err_services: "Choose at least one service.",
    set_counters_del_title: "Delete counter {label}?",
    set_counters_del_body:
      "A counter must be closed before it is deleted. A counter that has ever called a ticket cannot be deleted, so its history stays correct in the reports: keep it closed instead.",
    set_counters_del_ok: "Delete",
    set_counters_deleted: "Counter {label} deleted.",
  },
  tr: {
    set_counters_title: "Gişeler",
    set_counters_lead:
      "Bir gişe kendisi için listelenen işlemlere hizmet verir; şube işlem sırasına göre çağırıyorsa bu sıra tercih sırasıdır.",
    set_counters_no_branch: "Önce bir şube seçin.",
    set_counters_search: "Gişe ara",
    set_counters_new: "Gişe ekle",
    set_counters_col_label: "Gişe",
    set_counters_col_state: "Durum",
    set_counters_col_services: "İşlemler, sırasıyla",
    set_counters_col_actions: "Eylemler",
    set_counters_state_open: "Açık",
    set_counters_state_closed: "Kapalı",
    set_counters_state_paused: "Molada",
    set_counters_n_services_one: "{n} işlem",
    set_counters_n_services_other: "{n} işlem",
    set_counters_edit: "Düzenle",
    set_counters_edit_label: "{label} numaralı gişeyi düzenle",
    set_counters_delete: "Sil",
    set_counters_delete_label: "{label} numaralı gişeyi sil",
    set_counters_empty: "Bu şubenin henüz gişesi yok.",
    set_counters_no_match: "Aramaya uyan gişe yok.",
    set_counters_form_new: "Yeni gişe",
    set_counters_form_edit: "{label} numaralı gişeyi düzenle",
    set_counters_label: "Etiket",
    set_counters_label_hint: "Çağrı ekranının gösterdiği ve okuduğu ad, ör. 3 ya da 12A (en çok 32 karakter).",
    set_counters_services: "Bu gişenin hizmet verdiği işlemler",
    set_counters_services_hint:
      "Şube işlem sırasına göre çağırıyorsa listedeki ilk işlem önceliklidir. Sırayı oklarla değiştirin.",
    set_counters_chosen: "Hizmet verilenler, bu sırayla",
    set_counters_available: "Burada hizmet verilmeyenler",
    set_counters_none_chosen: "Henüz işlem seçilmedi.",
    set_counters_all_chosen: "Şubenin tüm işlemlerine burada hizmet veriliyor.",
    set_counters_up: "Yukarı taşı",
    set_counters_down: "Aşağı taşı",
    set_counters_remove: "Çıkar",
    set_counters_add: "Ekle",
    set_counters_up_label: "{service} işlemini yukarı taşı",
    set_counters_down_label: "{service} işlemini aşağı taşı",
    set_counters_remove_label: "{service} işlemini çıkar",
    set_counters_add_label: "{service} işlemini ekle",
    set_counters_moved: "{service} artık {n} işlemden {pos}. sırada.",
    set_counters_added: "{service} {pos}. sıraya eklendi.",
    set_counters_removed: "{service} çıkarıldı.",
    set_counters_inactive: "devre dışı",
    set_counters_save: "Gişeyi kaydet",
    set_counters_cancel: "Vazgeç",
    set_counters_reload: "Bu gişeyi yeniden yükle",
    set_counters_reload_list: "Listeyi yeniden yükle",
    set_counters_err_label: "Bir etiket girin (en çok 32 karakter).",
    set_counters_err_label_taken: "Bu şubede bu etiketle bir gişe zaten var.",
    set_counters_err_services: "En az bir işlem seçin.",
    set_counters_del_title: "{label} numaralı gişe silinsin mi?",
    set_counters_del_body:
      "Bir gişe silinmeden önce kapatılmalıdır. Bir kez bile bilet çağırmış bir gişe, raporlardaki geçmişi doğru kalsın diye silinemez: onun yerine kapalı tutun.",
    set_counters_del_ok: "Sil",
    set_counters_deleted: "{label} numaralı gişe silindi.",
  },
  el: {
    set_counters_title: "Θυρίδες",
    set_counters_lead:
      "Μια θυρίδα εξυπηρετεί τις υπηρεσίες της λίστας της, με αυτή τη σειρά προτίμησης όταν το κατάστημα καλεί κατά σειρά υπηρεσιών.",
    set_counters_no_branch: "Επιλέξτε πρώτα κατάστημα.",
    set_counters_search: "Αναζήτηση θυρίδων",
    set_counters_new: "Προσθήκη θυρίδας",
    set_counters_col_label: "Θυρίδα",
    set_counters_col_state: "Κατάσταση",
    set_counters_col_services: "Υπηρεσίες, με τη σειρά",
    set_counters_col_actions: "Ενέργειες",
    set_counters_state_open: "Ανοιχτή",
    set_counters_state_closed: "Κλειστή",
    set_counters_state_paused: "Σε διάλειμμα",
    set_counters_n_services_one: "{n} υπηρεσία",
    set_counters_n_services_other: "{n} υπηρεσίες",
    set_counters_edit: "Επεξεργασία",
    set_counters_edit_label: "Επεξεργασία της θυρίδας {label}",
    set_counters_delete: "Διαγραφή",
    set_counters_delete_label: "Διαγραφή της θυρίδας {label}",
    set_counters_empty: "Το κατάστημα δεν έχει ακόμη θυρίδες.",
    set_counters_no_match: "Καμία θυρίδα δεν ταιριάζει με την αναζήτηση.",
    set_counters_form_new: "Νέα θυρίδα",
    set_counters_form_edit: "Επεξεργασία της θυρίδας {label}",
    set_counters_label: "Ετικέτα",
    set_counters_label_hint: "Ό,τι δείχνει και εκφωνεί η οθόνη κλήσεων, π.χ. 3 ή 12A (έως 32 χαρακτήρες).",
    set_counters_services: "Υπηρεσίες που εξυπηρετεί η θυρίδα",
    set_counters_services_hint:
      "Η πρώτη της λίστας προηγείται όταν το κατάστημα καλεί κατά σειρά υπηρεσιών. Αλλάξτε τη σειρά με τα βέλη.",
    set_counters_chosen: "Εξυπηρετούνται, με αυτή τη σειρά",
    set_counters_available: "Δεν εξυπηρετούνται εδώ",
    set_counters_none_chosen: "Δεν επιλέχθηκε ακόμη υπηρεσία.",
    set_counters_all_chosen: "Όλες οι υπηρεσίες του καταστήματος εξυπηρετούνται εδώ.",
    set_counters_up: "Πάνω",
    set_counters_down: "Κάτω",
    set_counters_remove: "Αφαίρεση",
    set_counters_add: "Προσθήκη",
    set_counters_up_label: "Μετακίνηση της {service} πιο πάνω",
    set_counters_down_label: "Μετακίνηση της {service} πιο κάτω",
    set_counters_remove_label: "Αφαίρεση της {service}",
    set_counters_add_label: "Προσθήκη της {service}",
    set_counters_moved: "Η {service} είναι τώρα {pos}η από {n}.",
    set_counters_added: "Η {service} προστέθηκε ως {pos}η.",
    set_counters_removed: "Η {service} αφαιρέθηκε.",
    set_counters_inactive: "ανενεργή",
    set_counters_save: "Αποθήκευση θυρίδας",
    set_counters_cancel: "Άκυρο",
    set_counters_reload: "Επαναφόρτωση της θυρίδας",
    set_counters_reload_list: "Επαναφόρτωση της λίστας",
    set_counters_err_label: "Δώστε ετικέτα (έως 32 χαρακτήρες).",
    set_counters_err_label_taken: "Το κατάστημα έχει ήδη θυρίδα με αυτή την ετικέτα.",
    set_counters_err_services: "Επιλέξτε τουλάχιστον μία υπηρεσία.",
    set_counters_del_title: "Διαγραφή της θυρίδας {label};",
    set_counters_del_body:
      "Μια θυρίδα πρέπει να είναι κλειστή για να διαγραφεί. Μια θυρίδα που έχει καλέσει έστω και έναν αριθμό δεν διαγράφεται, ώστε το ιστορικό στις αναφορές να μένει σωστό: κρατήστε την κλειστή.",
    set_counters_del_ok: "Διαγραφή",
    set_counters_deleted: "Η θυρίδα {label} διαγράφηκε.",
  },
  pl: {
    set_counters_title: "Stanowiska",
    set_counters_lead:
      "Stanowisko obsługuje usługi ze swojej listy, w tej kolejności pierwszeństwa, gdy oddział wywołuje według kolejności usług.",
    set_counters_no_branch: "Najpierw wybierz oddział.",
    set_counters_search: "Szukaj stanowisk",
    set_counters_new: "Dodaj stanowisko",
    set_counters_col_label: "Stanowisko",
    set_counters_col_state: "Stan",
    set_counters_col_services: "Usługi, w kolejności",
    set_counters_col_actions: "Działania",
    set_counters_state_open: "Otwarte",
    set_counters_state_closed: "Zamknięte",
    set_counters_state_paused: "Przerwa",
    set_counters_n_services_one: "{n} usługa",
    set_counters_n_services_few: "{n} usługi",
    set_counters_n_services_many: "{n} usług",
    set_counters_n_services_other: "{n} usługi",
    set_counters_edit: "Edytuj",
    set_counters_edit_label: "Edytuj stanowisko {label}",
    set_counters_delete: "Usuń",
    set_counters_delete_label: "Usuń stanowisko {label}",
    set_counters_empty: "Ten oddział nie ma jeszcze stanowisk.",
    set_counters_no_match: "Żadne stanowisko nie pasuje do wyszukiwania.",
    set_counters_form_new: "Nowe stanowisko",
    set_counters_form_edit: "Edycja stanowiska {label}",
    set_counters_label: "Oznaczenie",
    set_counters_label_hint: "To, co pokazuje i wypowiada ekran wywołań, np. 3 lub 12A (do 32 znaków).",
    set_counters_services: "Usługi obsługiwane na tym stanowisku",
    set_counters_services_hint:
      "Pierwsza na liście ma pierwszeństwo, gdy oddział wywołuje według kolejności usług. Kolejność zmienisz strzałkami.",
    set_counters_chosen: "Obsługiwane, w tej kolejności",
    set_counters_available: "Nieobsługiwane tutaj",
    set_counters_none_chosen: "Nie wybrano jeszcze usługi.",
    set_counters_all_chosen: "Wszystkie usługi oddziału są tu obsługiwane.",
    set_counters_up: "W górę",
    set_counters_down: "W dół",
    set_counters_remove: "Usuń",
    set_counters_add: "Dodaj",
    set_counters_up_label: "Przesuń {service} w górę",
    set_counters_down_label: "Przesuń {service} w dół",
    set_counters_remove_label: "Usuń {service}",
    set_counters_add_label: "Dodaj {service}",
    set_counters_moved: "{service} jest teraz na miejscu {pos} z {n}.",
    set_counters_added: "Dodano {service} na miejscu {pos}.",
    set_counters_removed: "Usunięto {service}.",
    set_counters_inactive: "nieaktywna",
    set_counters_save: "Zapisz stanowisko",
    set_counters_cancel: "Anuluj",
    set_counters_reload: "Wczytaj stanowisko ponownie",
    set_counters_reload_list: "Wczytaj listę ponownie",
    set_counters_err_label: "Podaj oznaczenie (do 32 znaków).",
    set_counters_err_label_taken: "Ten oddział ma już stanowisko o tym oznaczeniu.",
    set_counters_err_services: "Wybierz co najmniej jedną usługę.",
    set_counters_del_title: "Usunąć stanowisko {label}?",
    set_counters_del_body:
      "Stanowisko trzeba zamknąć, zanim zostanie usunięte. Stanowiska, które wywołało choć jeden bilet, nie można usunąć, aby historia w raportach pozostała poprawna: pozostaw je zamknięte.",
    set_counters_del_ok: "Usuń",
    set_counters_deleted: "Stanowisko {label} zostało usunięte.",
  },
};

const PAGE_SIZE = 20;
let current = null;

export function unmount() {
  if (current) current.alive = false;
  current = null;
}

export function mount(root, ctx) {
  unmount();
  const me = { alive: true };
  current = me;
  const { t, api } = ctx;
  const code = ctx.branch;
  const base = `/api/v1/admin/branches/${encodeURIComponent(code || "")}`;
  const s = { rows: [], services: [], defaultLang: "en", query: "", page: 1, editing: null };
  const newButton = el("button", {
    type: "button",
    class: "btn btn-primary",
    "data-testid": "ctr-new",
    text: t("set_counters_new"),
    disabled: true,
    onclick: () => openEditor(null),
  });

  const listHost = el("div", { class: "cfg-list", "data-testid": "ctr-list" });
  const editorHost = el("div", { class: "cfg-editor-host" });
  const alertLine = el("p", { class: "cfg-alert", role: "alert", "data-testid": "ctr-alert", hidden: true });
  const alertAction = el("button", {
    type: "button",
    class: "btn",
    hidden: true,
    text: t("set_counters_reload_list"),
    onclick: () => refresh(),
  });
  const search = el("input", {
    type: "search",
    id: "ctr-search",
    class: "cfg-search",
    "data-testid": "ctr-search",
    oninput: (e) => {
      s.query = e.target.value;
      s.page = 1;
      drawList();
    },
  });

  root.replaceChildren(
    el("h2", { class: "cfg-title", text: t("set_counters_title") }),
    el("p", { class: "muted cfg-lead", text: t("set_counters_lead") }),
  );
  if (!code) {
    root.append(el("p", { class: "muted", text: t("set_counters_no_branch") }));
    return;
  }
  root.append(
    el(
      "div",
      { class: "cfg-toolbar" },
      el("div", { class: "cfg-search-box" }, el("label", { for: "ctr-search", text: t("set_counters_search") }), search),
      newButton,
    ),
    el("div", { class: "cfg-alert-box" }, alertLine, alertAction),
    listHost,
    editorHost,
  );

  function say(text, { reload = false } = {}) {
    alertLine.textContent = text || "";
    alertLine.hidden = !text;
    alertAction.hidden = !reload;
  }

  function serviceName(svcCode) {
    const svc = s.services.find((x) => x.code === svcCode);
    if (!svc) return svcCode;
    const lang = ctx.lang();
    const name = svc.names[lang] || svc.names[s.defaultLang] || Object.values(svc.names)[0] || "";
    return name ? `${svc.code} — ${name}` : svc.code;
  }

  async function refresh() {
    try {
      const [branch, services, rows] = await Promise.all([
        api.get(base),
        api.get(`${base}/services`),
        api.get(`${base}/counters`),
      ]);
      if (!me.alive) return;
      s.defaultLang = branch.default_lang;
      s.services = services.slice().sort((a, b) => a.sort_order - b.sort_order || a.code.localeCompare(b.code));
      s.rows = rows
        .slice()
        .sort((a, b) => a.label.localeCompare(b.label, undefined, { numeric: true }) || a.id - b.id);
      say("");
      newButton.disabled = false; // the form needs the branch's services: not before they came
    } catch (err) {
      if (me.alive) say(err instanceof ApiError && err.offline ? t("set_offline") : err.detail || String(err));
      return;
    }
    drawList();
  }

  // ------------------------------------------------------------------------------ list

  function drawList() {
    if (!me.alive) return;
    if (!s.rows.length) {
      listHost.replaceChildren(el("p", { class: "muted", text: t("set_counters_empty") }));
      return;
    }
    const found = s.rows.filter((r) => matches([r.label, ...r.services.map(serviceName)].join(" "), s.query));
    const view = pager(found, s.page, PAGE_SIZE);
    s.page = view.page;
    const body = view.rows.map((r) =>
      el(
        "tr",
        { "data-testid": `ctr-row-${r.label}` },
        el("th", { scope: "row", class: "cfg-code", text: r.label }),
        el("td", {
          class: `cfg-state is-${r.state}`,
          text: t(`set_counters_state_${r.state}`),
        }),
        el(
          "td",
          {},
          el(
            "ol",
            { class: "cfg-svc-order", "data-testid": `ctr-services-${r.label}` },
            ...r.services.map((c) => el("li", { text: serviceName(c) })),
          ),
          el("span", { class: "sr-only", text: ctx.plural("set_counters_n_services", r.services.length) }),
        ),
        el(
          "td",
          { class: "cfg-actions" },
          el("button", {
            type: "button",
            class: "btn",
            "data-testid": `ctr-edit-${r.label}`,
            "aria-label": t("set_counters_edit_label", { label: r.label }),
            text: t("set_counters_edit"),
            onclick: () => openEditor(r),
          }),
          el("button", {
            type: "button",
            class: "btn btn-quiet-danger",
            "data-testid": `ctr-delete-${r.label}`,
            "aria-label": t("set_counters_delete_label", { label: r.label }),
            text: t("set_counters_delete"),
            onclick: () => remove(r),
          }),
        ),
      ),
    );
    const head = ["set_counters_col_label", "set_counters_col_state", "set_counters_col_services", "set_counters_col_actions"].map(
      (k) => el("th", { scope: "col", text: t(k) }),
    );
    listHost.replaceChildren(
      ...listView({
        testid: "ctr-table",
        caption: t("set_counters_title"),
        head,
        rows: found.length ? body : [],
        empty: t("set_counters_no_match"),
        view,
        onPage: (p) => {
          s.page = p;
          drawList();
        },
        t,
      }),
    );
  }

  async function remove(row) {
    say("");
    const ok = await ctx.confirm({
      title: t("set_counters_del_title", { label: row.label }),
      body: t("set_counters_del_body"),
      confirm: t("set_counters_del_ok"),
      danger: true,
    });
    if (!ok || !me.alive) return;
    try {
      await api.delete(`${base}/counters/${row.id}`);
    } catch (err) {
      // "counter 2 is open; close it first", "counter 1 has ticket history…": as said.
      if (me.alive) say(err instanceof ApiError && err.offline ? t("set_offline") : err.detail || String(err));
      return;
    }
    if (s.editing && s.editing.id === row.id) closeEditor();
    ctx.toast(t("set_counters_deleted", { label: row.label }));
    await refresh();
  }

  // ------------------------------------------------------------------------------ form

  function closeEditor() {
    s.editing = null;
    editorHost.replaceChildren();
  }

  async function reloadRow(id) {
    try {
      const fresh = await api.get(`${base}/counters/${id}`);
      if (!me.alive) return;
      await refresh();
      openEditor(fresh);
    } catch (err) {
      if (me.alive) say(err.detail || String(err));
    }
  }

  function openEditor(row) {
    s.editing = row ? { id: row.id, version: row.version } : { id: null };
    const creating = !row;
    let chosen = row ? [...row.services] : [];
    const formError = el("p", { "data-form-error": "", role: "alert", "data-testid": "ctr-form-error", hidden: true });
    const reloadBtn = el("button", {
      type: "button",
      class: "btn",
      "data-testid": "ctr-reload",
      hidden: true,
      text: t("set_counters_reload"),
      onclick: () => reloadRow(row.id),
    });
    const labelInput = el("input", {
      type: "text",
      maxlength: 32,
      autocomplete: "off",
      "data-testid": "ctr-label",
      value: row ? row.label : "",
    });
    const status = el("p", { class: "sr-only", role: "status", "data-testid": "ctr-order-status" });
    const chooser = el("div", { class: "cfg-chooser", "data-testid": "ctr-chooser" });
    const servicesError = el("p", {
      class: "field-error",
      id: "ctr-services-err",
      "data-error-for": "services",
      role: "alert",
      hidden: true,
    });

    function drawChooser(focus = null) {
      const n = chosen.length;
      const chosenItems = chosen.map((c, i) => {
        const name = serviceName(c);
        return el(
          "li",
          { class: "cfg-chosen", "data-testid": `ctr-svc-${c}` },
          el("span", { class: "cfg-pos", "aria-hidden": "true", text: `${i + 1}.` }),
          el("span", { class: "cfg-svc-name", text: name }),
          el(
            "span",
            { class: "cfg-move" },
            el("button", {
              type: "button",
              class: "btn cfg-icon",
              "data-testid": `ctr-up-${c}`,
              "data-act": `up-${c}`,
              "aria-label": t("set_counters_up_label", { service: name }),
              title: t("set_counters_up"),
              disabled: i === 0,
              text: "↑",
              onclick: () => move(i, -1),
            }),
            el("button", {
              type: "button",
              class: "btn cfg-icon",
              "data-testid": `ctr-down-${c}`,
              "data-act": `down-${c}`,
              "aria-label": t("set_counters_down_label", { service: name }),
              title: t("set_counters_down"),
              disabled: i === n - 1,
              text: "↓",
              onclick: () => move(i, 1),
            }),
            el("button", {
              type: "button",
              class: "btn btn-quiet-danger",
              "data-testid": `ctr-remove-${c}`,
              "data-act": `remove-${c}`,
              "aria-label": t("set_counters_remove_label", { service: name }),
              text: t("set_counters_remove"),
              onclick: () => drop(i),
            }),
          ),
        );
      });
      const others = s.services.filter((x) => !chosen.includes(x.code));
      const otherItems = others.map((x) => {
        const name = serviceName(x.code);
        return el(
          "li",
          { class: "cfg-other", "data-testid": `ctr-other-${x.code}` },
          el("span", { class: "cfg-svc-name" }, name, x.active ? null : el("span", { class: "muted", text: ` (${t("set_counters_inactive")})` })),
          el("button", {
            type: "button",
            class: "btn",
            "data-testid": `ctr-add-${x.code}`,
            "data-act": `add-${x.code}`,
            "aria-label": t("set_counters_add_label", { service: name }),
            text: t("set_counters_add"),
            onclick: () => add(x.code),
          }),
        );
      });
      chooser.replaceChildren(
        el("h4", { id: "ctr-chosen-title", class: "cfg-subtitle", text: t("set_counters_chosen") }),
        n
          ? el("ol", { class: "cfg-order-list", "aria-labelledby": "ctr-chosen-title", "data-testid": "ctr-chosen" }, ...chosenItems)
          : el("p", { class: "muted", text: t("set_counters_none_chosen") }),
        el("h4", { id: "ctr-other-title", class: "cfg-subtitle", text: t("set_counters_available") }),
        others.length
          ? el("ul", { class: "cfg-order-list", "aria-labelledby": "ctr-other-title" }, ...otherItems)
          : el("p", { class: "muted", text: t("set_counters_all_chosen") }),
      );
      if (focus) {
        const target =
          [...chooser.querySelectorAll("[data-act]")].find((b) => b.dataset.act === focus && !b.disabled) ||
          chooser.querySelector(`[data-testid="ctr-svc-${focus.split("-").pop()}"] button:not(:disabled)`) ||
          chooser.querySelector("button:not(:disabled)");
        target?.focus();
      }
    }

    function move(i, step) {
      const j = i + step;
      if (j < 0 || j >= chosen.length) return;
      [chosen[i], chosen[j]] = [chosen[j], chosen[i]];
      const c = chosen[j];
      drawChooser(`${step < 0 ? "up" : "down"}-${c}`);
      status.textContent = t("set_counters_moved", { service: serviceName(c), pos: j + 1, n: chosen.length });
      recheck();
    }

    function drop(i) {
      const [c] = chosen.splice(i, 1);
      const next = chosen[Math.min(i, chosen.length - 1)];
      drawChooser(next ? `remove-${next}` : `add-${c}`);
      status.textContent = t("set_counters_removed", { service: serviceName(c) });
      recheck();
    }

    function add(c) {
      chosen.push(c);
      drawChooser(`up-${c}`);
      status.textContent = t("set_counters_added", { service: serviceName(c), pos: chosen.length });
      recheck();
    }

    function recheck() {
      if (!form.dataset.submitted) return;
      const problem = rules.services();
      servicesError.textContent = problem ? t(problem) : "";
      servicesError.hidden = !problem;
    }

    const rules = {
      label: (v) => {
        const text = String(v || "").trim();
        if (!text || text.length > 32) return "set_counters_err_label";
        if (s.rows.some((r) => r.label === text && (!row || r.id !== row.id))) return "set_counters_err_label_taken";
        return null;
      },
      services: () => (chosen.length ? null : "set_counters_err_services"),
    };

    const save = el("button", { type: "submit", class: "btn btn-primary", "data-testid": "ctr-save", text: t("set_counters_save") });
    const form = el(
      "form",
      { class: "cfg-form", novalidate: true, "data-testid": "ctr-form", "aria-labelledby": "ctr-form-title" },
      el("h3", {
        id: "ctr-form-title",
        text: creating ? t("set_counters_form_new") : t("set_counters_form_edit", { label: row.label }),
      }),
      formError,
      reloadBtn,
      el("div", { class: "cfg-grid" }, fieldRow("label", t("set_counters_label"), labelInput, t("set_counters_label_hint"))),
      el(
        "fieldset",
        { class: "cfg-fieldset", "aria-describedby": "ctr-services-hint" },
        el("legend", { text: t("set_counters_services") }),
        el("p", { class: "muted small field-hint", id: "ctr-services-hint", text: t("set_counters_services_hint") }),
        chooser,
        servicesError,
        status,
      ),
      el(
        "div",
        { class: "cfg-form-actions" },
        el("button", { type: "button", class: "btn", "data-testid": "ctr-cancel", text: t("set_counters_cancel"), onclick: () => closeEditor() }),
        save,
      ),
    );
    liveCheck(form, rules, t);
    // A click on a button must not first blur a field: its message appearing would move the
    // button away between press and release, and the click would be lost.
    form.addEventListener("mousedown", (e) => {
      if (e.target.closest("button")) e.preventDefault();
    });
    drawChooser();

    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      form.dataset.submitted = "1";
      reloadBtn.hidden = true;
      if (!check(form, rules, t)) {
        for (const f of form.querySelectorAll("[name]")) f.dataset.touched = "1";
        (form.querySelector("[aria-invalid='true']") || chooser.querySelector("button:not(:disabled)"))?.focus();
        return;
      }
      const body = { label: labelInput.value.trim(), services: [...chosen] };
      save.disabled = true;
      try {
        if (creating) await api.post(`${base}/counters`, body);
        else await api.patch(`${base}/counters/${row.id}`, { ...body, version: row.version });
      } catch (err) {
        if (!me.alive) return;
        // Besides edited_elsewhere, a conflict here is the label taken meanwhile.
        if (err instanceof ApiError && err.status === 409 && err.code !== "edited_elsewhere" && !err.errors) {
          err.errors = [{ field: "label", message: err.detail }];
        }
        showErrors(form, err, t);
        if (err instanceof ApiError && err.code === "edited_elsewhere") {
          reloadBtn.hidden = false;
          reloadBtn.focus();
        }
        return;
      } finally {
        save.disabled = false;
      }
      if (!me.alive) return;
      ctx.toast(t("set_saved"));
      closeEditor();
      await refresh();
    });

    clearErrors(form);
    editorHost.replaceChildren(el("div", { class: "cfg-editor" }, form));
    labelInput.focus();
  }

  refresh();
}
