/**
 * manager_ui/settings/services.js — Settings › Services for the branch being configured:
 * the list (ticket prefix, names per branch language, standards, active or not, kiosk order),
 * a form to add or edit one (standards in minutes on screen, seconds in the API; a language of
 * the branch with no name is flagged "missing translation", never filled in silently), an
 * active/inactive switch and delete (a service with tickets is retired, not deleted). The
 * cut-off (minutes before closing when kiosks stop issuing for it) says when the branch has
 * no opening hours for it to count from.
 * Contract: ./shell.js. Every save sends the row's `version`; a stale one is refused.
 */

import { ApiError } from "/ui/api.js";
import { el } from "/ui/staff.js";
import { check, clearErrors, fieldRow, liveCheck, matches, pager, showErrors, listView } from "./forms.js";

export const words = {
  en: {
    set_services_title: "Services",
    set_services_lead:
      "Each service is a queue: its code is the ticket prefix (A042). Names are shown on the kiosk and the call display in each language of the branch.",
    set_services_no_branch: "Choose a branch first.",
    set_services_search: "Search services",
    set_services_new: "Add service",
    set_services_col_code: "Code",
    set_services_col_names: "Names",
    set_services_col_standards: "Standards",
    set_services_col_status: "Status",
    set_services_col_order: "Kiosk order",
    set_services_col_actions: "Actions",
    set_services_wait_std: "call within {min}",
    set_services_service_std: "serve within {min}",
    set_services_cutoff_std: "last ticket {min} before closing",
    set_services_minutes: "{n} min",
    set_services_active: "Active",
    set_services_inactive: "Inactive",
    set_services_activate: "Activate",
    set_services_deactivate: "Deactivate",
    set_services_activate_label: "Activate service {code}",
    set_services_deactivate_label: "Deactivate service {code}",
    set_services_edit: "Edit",
    set_services_edit_label: "Edit service {code}",
    set_services_delete: "Delete",
    set_services_delete_label: "Delete service {code}",
    set_services_empty: "This branch has no services yet.",
    set_services_no_match: "No service matches the search.",
    set_services_missing: "Missing translation",
    set_services_missing_in: "missing translation ({lang})",
    set_services_form_new: "New service",
    set_services_form_edit: "Edit service {code}",
    set_services_code: "Code (ticket prefix)",
    set_services_code_hint: "One capital letter, then up to 3 letters or digits. It cannot be changed later.",
    set_services_names: "Names",
    set_services_names_hint: "One per language of the branch. An empty one is shown as missing, not replaced.",
    set_services_name_in: "Name in {lang}",
    set_services_not_branch_lang: "not a language of this branch",
    set_services_wait: "Standard wait (minutes)",
    set_services_wait_hint: "A customer should be called within this.",
    set_services_service: "Standard service time (minutes)",
    set_services_service_hint: "A customer should be served within this.",
    set_services_sort: "Kiosk order",
    set_services_sort_hint: "Lowest first on the kiosk (0 to 1000).",
    set_services_is_active: "Active: the kiosk issues tickets for it",
    set_services_save: "Save service",
    set_services_cancel: "Cancel",
    set_services_reload: "Reload this service",
    set_services_reload_list: "Reload the list",
    set_services_err_code: "Enter a code: a capital letter, then up to 3 letters or digits (A, B2, LOAN).",
    set_services_err_code_taken: "This branch already has a service with this code.",
    set_services_err_names: "Enter a name in at least one language.",
    set_services_err_wait: "Enter minutes between 0.5 and 1440.",
    set_services_err_service: "Enter minutes between 0.2 and 1440.",
    set_services_err_sort: "Enter a whole number from 0 to 1000.",
    set_services_cutoff: "Cut-off before closing (minutes)",
    set_services_cutoff_hint:
      "Kiosks stop issuing tickets for this service this many minutes before each closing time, a lunch break's included, so those already waiting can be served. Empty: until closing.",
    set_services_cutoff_no_hours:
      "This branch has no opening hours, so a cut-off has no effect until they are set (Settings › Branches).",
    set_services_err_cutoff: "Enter whole minutes from 0 to 720, or leave it empty for no cut-off.",
    set_services_del_title: "Delete service {code}?",
    set_services_del_body:
      "A service that never issued a ticket is deleted. One with tickets is retired instead: it becomes inactive, the kiosk stops offering it, and its history stays in the reports.",
    set_services_del_counters: "A counter that still serves it must drop it first.",
    set_services_del_ok: "Delete",
    set_services_deleted: "Service {code} deleted.",
    set_services_retired: "Service {code} has ticket history: it was retired (now inactive) and stays in the reports.",
  },
  tr: {
    set_services_title: "İşlemler",
    set_services_lead:
      "Her işlem bir kuyruktur: kodu bilet önekidir (A042). Adlar kioskta ve çağrı ekranında şubenin her dilinde gösterilir.",
    set_services_no_branch: "Önce bir şube seçin.",
    set_services_search: "İşlem ara",
    set_services_new: "İşlem ekle",
    set_services_col_code: "Kod",
    set_services_col_names: "Adlar",
    set_services_col_standards: "Standartlar",
    set_services_col_status: "Durum",
    set_services_col_order: "Kiosk sırası",
    set_services_col_actions: "İşlemler",
    set_services_wait_std: "{min} içinde çağrı",
    set_services_service_std: "{min} içinde hizmet",
    set_services_cutoff_std: "son bilet kapanıştan {min} önce",
    set_services_minutes: "{n} dk",
    set_services_active: "Etkin",
    set_services_inactive: "Devre dışı",
    set_services_activate: "Etkinleştir",
    set_services_deactivate: "Devre dışı bırak",
    set_services_activate_label: "{code} işlemini etkinleştir",
    set_services_deactivate_label: "{code} işlemini devre dışı bırak",
    set_services_edit: "Düzenle",
    set_services_edit_label: "{code} işlemini düzenle",
    set_services_delete: "Sil",
    set_services_delete_label: "{code} işlemini sil",
    set_services_empty: "Bu şubenin henüz işlemi yok.",
    set_services_no_match: "Aramaya uyan işlem yok.",
    set_services_missing: "Çeviri eksik",
    set_services_missing_in: "çeviri eksik ({lang})",
    set_services_form_new: "Yeni işlem",
    set_services_form_edit: "{code} işlemini düzenle",
    set_services_code: "Kod (bilet öneki)",
    set_services_code_hint: "Bir büyük harf, ardından en çok 3 harf ya da rakam. Sonradan değiştirilemez.",
    set_services_names: "Adlar",
    set_services_names_hint: "Şubenin her dili için bir ad. Boş olan eksik olarak gösterilir, yerine başka dil konmaz.",
    set_services_name_in: "{lang} adı",
    set_services_not_branch_lang: "bu şubenin dili değil",
    set_services_wait: "Standart bekleme (dakika)",
    set_services_wait_hint: "Müşteri bu süre içinde çağrılmalı.",
    set_services_service: "Standart hizmet süresi (dakika)",
    set_services_service_hint: "Müşteriye bu süre içinde hizmet verilmeli.",
    set_services_sort: "Kiosk sırası",
    set_services_sort_hint: "Kioskta küçük olan önce (0–1000).",
    set_services_is_active: "Etkin: kiosk bu işlem için bilet verir",
    set_services_save: "İşlemi kaydet",
    set_services_cancel: "Vazgeç",
    set_services_reload: "Bu işlemi yeniden yükle",
    set_services_reload_list: "Listeyi yeniden yükle",
    set_services_err_code: "Bir kod girin: bir büyük harf, ardından en çok 3 harf ya da rakam (A, B2, KRED).",
    set_services_err_code_taken: "Bu şubede bu kodla bir işlem zaten var.",
    set_services_err_names: "En az bir dilde ad girin.",
    set_services_err_wait: "0,5 ile 1440 arasında dakika girin.",
    set_services_err_service: "0,2 ile 1440 arasında dakika girin.",
    set_services_err_sort: "0 ile 1000 arasında bir tam sayı girin.",
    set_services_cutoff: "Kapanıştan önce bilet kesme (dakika)",
    set_services_cutoff_hint:
      "Kiosklar bu işlem için her kapanıştan (öğle arası dahil) bu kadar dakika önce bilet vermeyi durdurur; böylece bekleyenlere hizmet verilebilir. Boş: kapanışa kadar.",
    set_services_cutoff_no_hours:
      "Bu şubenin çalışma saatleri yok; saatler girilene kadar bilet kesmenin etkisi olmaz (Ayarlar › Şubeler).",
    set_services_err_cutoff: "0 ile 720 arasında tam dakika girin ya da bilet kesme olmaması için boş bırakın.",
    set_services_del_title: "{code} işlemi silinsin mi?",
    set_services_del_body:
      "Hiç bilet verilmemiş bir işlem silinir. Bileti olan bir işlem ise emekliye ayrılır: devre dışı kalır, kiosk artık sunmaz ve geçmişi raporlarda kalır.",
    set_services_del_counters: "Bu işlemi hâlâ sunan bir gişe önce onu listesinden çıkarmalıdır.",
    set_services_del_ok: "Sil",
    set_services_deleted: "{code} işlemi silindi.",
    set_services_retired: "{code} işleminin bilet geçmişi var: emekliye ayrıldı (artık devre dışı) ve raporlarda kalıyor.",
  },
  el: {
    set_services_title: "Υπηρεσίες",
    set_services_lead:
      "Κάθε υπηρεσία είναι μια ουρά: ο κωδικός της είναι το πρόθεμα του αριθμού (A042). Τα ονόματα εμφανίζονται στο κιόσκι και στην οθόνη κλήσεων σε κάθε γλώσσα του καταστήματος.",
    set_services_no_branch: "Επιλέξτε πρώτα κατάστημα.",
    set_services_search: "Αναζήτηση υπηρεσιών",
    set_services_new: "Προσθήκη υπηρεσίας",
    set_services_col_code: "Κωδικός",
    set_services_col_names: "Ονόματα",
    set_services_col_standards: "Πρότυπα",
    set_services_col_status: "Κατάσταση",
    set_services_col_order: "Σειρά στο κιόσκι",
    set_services_col_actions: "Ενέργειες",
    set_services_wait_std: "κλήση εντός {min}",
    set_services_service_std: "εξυπηρέτηση εντός {min}",
    set_services_cutoff_std: "τελευταίος αριθμός {min} πριν το κλείσιμο",
    set_services_minutes: "{n} λεπ.",
    set_services_active: "Ενεργή",
    set_services_inactive: "Ανενεργή",
    set_services_activate: "Ενεργοποίηση",
    set_services_deactivate: "Απενεργοποίηση",
    set_services_activate_label: "Ενεργοποίηση της υπηρεσίας {code}",
    set_services_deactivate_label: "Απενεργοποίηση της υπηρεσίας {code}",
    set_services_edit: "Επεξεργασία",
    set_services_edit_label: "Επεξεργασία της υπηρεσίας {code}",
    set_services_delete: "Διαγραφή",
    set_services_delete_label: "Διαγραφή της υπηρεσίας {code}",
    set_services_empty: "Το κατάστημα δεν έχει ακόμη υπηρεσίες.",
    set_services_no_match: "Καμία υπηρεσία δεν ταιριάζει με την αναζήτηση.",
    set_services_missing: "Λείπει μετάφραση",
    set_services_missing_in: "λείπει μετάφραση ({lang})",
    set_services_form_new: "Νέα υπηρεσία",
    set_services_form_edit: "Επεξεργασία της υπηρεσίας {code}",
    set_services_code: "Κωδικός (πρόθεμα αριθμού)",
    set_services_code_hint: "Ένα κεφαλαίο γράμμα και έως 3 γράμματα ή ψηφία. Δεν αλλάζει αργότερα.",
    set_services_names: "Ονόματα",
    set_services_names_hint:
      "Ένα για κάθε γλώσσα του καταστήματος. Ένα κενό εμφανίζεται ως ελλείπον, δεν αντικαθίσταται.",
    set_services_name_in: "Όνομα στα {lang}",
    set_services_not_branch_lang: "δεν είναι γλώσσα του καταστήματος",
    set_services_wait: "Πρότυπο αναμονής (λεπτά)",
    set_services_wait_hint: "Ο πελάτης πρέπει να κληθεί μέσα σε αυτό το διάστημα.",
    set_services_service: "Πρότυπο χρόνου εξυπηρέτησης (λεπτά)",
    set_services_service_hint: "Ο πελάτης πρέπει να εξυπηρετηθεί μέσα σε αυτό το διάστημα.",
    set_services_sort: "Σειρά στο κιόσκι",
    set_services_sort_hint: "Ο μικρότερος αριθμός πρώτος στο κιόσκι (0 έως 1000).",
    set_services_is_active: "Ενεργή: το κιόσκι εκδίδει αριθμούς γι' αυτήν",
    set_services_save: "Αποθήκευση υπηρεσίας",
    set_services_cancel: "Άκυρο",
    set_services_reload: "Επαναφόρτωση της υπηρεσίας",
    set_services_reload_list: "Επαναφόρτωση της λίστας",
    set_services_err_code: "Δώστε κωδικό: ένα κεφαλαίο γράμμα και έως 3 γράμματα ή ψηφία (A, B2, LOAN).",
    set_services_err_code_taken: "Το κατάστημα έχει ήδη υπηρεσία με αυτόν τον κωδικό.",
    set_services_err_names: "Δώστε όνομα σε μία τουλάχιστον γλώσσα.",
    set_services_err_wait: "Δώστε λεπτά από 0,5 έως 1440.",
    set_services_err_service: "Δώστε λεπτά από 0,2 έως 1440.",
    set_services_err_sort: "Δώστε ακέραιο από 0 έως 1000.",
    set_services_cutoff: "Διακοπή έκδοσης πριν το κλείσιμο (λεπτά)",
    set_services_cutoff_hint:
      "Τα κιόσκια σταματούν να εκδίδουν αριθμούς για την υπηρεσία τόσα λεπτά πριν από κάθε κλείσιμο, και πριν από το μεσημεριανό διάλειμμα, ώστε να εξυπηρετηθούν όσοι ήδη περιμένουν. Κενό: έως το κλείσιμο.",
    set_services_cutoff_no_hours:
      "Το κατάστημα δεν έχει ωράριο λειτουργίας, οπότε η διακοπή έκδοσης δεν ισχύει μέχρι να οριστεί (Ρυθμίσεις › Καταστήματα).",
    set_services_err_cutoff: "Δώστε ακέραια λεπτά από 0 έως 720, ή αφήστε κενό για καμία διακοπή.",
    set_services_del_title: "Διαγραφή της υπηρεσίας {code};",
    set_services_del_body:
      "Μια υπηρεσία που δεν εξέδωσε ποτέ αριθμό διαγράφεται. Μια υπηρεσία με αριθμούς αποσύρεται: γίνεται ανενεργή, το κιόσκι παύει να την προσφέρει και το ιστορικό της μένει στις αναφορές.",
    set_services_del_counters: "Μια θυρίδα που την εξυπηρετεί ακόμη πρέπει πρώτα να την αφαιρέσει.",
    set_services_del_ok: "Διαγραφή",
    set_services_deleted: "Η υπηρεσία {code} διαγράφηκε.",
    set_services_retired:
      "Η υπηρεσία {code} έχει ιστορικό αριθμών: αποσύρθηκε (τώρα ανενεργή) και μένει στις αναφορές.",
  },
  pl: {
    set_services_title: "Usługi",
    set_services_lead:
      "Każda usługa to osobna kolejka: jej kod jest przedrostkiem biletu (A042). Nazwy widać na kiosku i ekranie wywołań w każdym języku oddziału.",
    set_services_no_branch: "Najpierw wybierz oddział.",
    set_services_search: "Szukaj usług",
    set_services_new: "Dodaj usługę",
    set_services_col_code: "Kod",
    set_services_col_names: "Nazwy",
    set_services_col_standards: "Standardy",
    set_services_col_status: "Stan",
    set_services_col_order: "Kolejność na kiosku",
    set_services_col_actions: "Działania",
    set_services_wait_std: "wywołanie w ciągu {min}",
    set_services_service_std: "obsługa w ciągu {min}",
    set_services_cutoff_std: "ostatni bilet {min} przed zamknięciem",
    set_services_minutes: "{n} min",
    set_services_active: "Aktywna",
    set_services_inactive: "Nieaktywna",
    set_services_activate: "Włącz",
    set_services_deactivate: "Wyłącz",
    set_services_activate_label: "Włącz usługę {code}",
    set_services_deactivate_label: "Wyłącz usługę {code}",
    set_services_edit: "Edytuj",
    set_services_edit_label: "Edytuj usługę {code}",
    set_services_delete: "Usuń",
    set_services_delete_label: "Usuń usługę {code}",
    set_services_empty: "Ten oddział nie ma jeszcze usług.",
    set_services_no_match: "Żadna usługa nie pasuje do wyszukiwania.",
    set_services_missing: "Brak tłumaczenia",
    set_services_missing_in: "brak tłumaczenia ({lang})",
    set_services_form_new: "Nowa usługa",
    set_services_form_edit: "Edycja usługi {code}",
    set_services_code: "Kod (przedrostek biletu)",
    set_services_code_hint: "Jedna wielka litera, potem do 3 liter lub cyfr. Później nie można go zmienić.",
    set_services_names: "Nazwy",
    set_services_names_hint: "Po jednej w każdym języku oddziału. Pusta jest oznaczona jako brakująca, nie zastępowana.",
    set_services_name_in: "Nazwa ({lang})",
    set_services_not_branch_lang: "nie jest językiem tego oddziału",
    set_services_wait: "Standard oczekiwania (minuty)",
    set_services_wait_hint: "Klient powinien zostać wywołany w tym czasie.",
    set_services_service: "Standard czasu obsługi (minuty)",
    set_services_service_hint: "Klient powinien zostać obsłużony w tym czasie.",
    set_services_sort: "Kolejność na kiosku",
    set_services_sort_hint: "Najniższa liczba pierwsza na kiosku (od 0 do 1000).",
    set_services_is_active: "Aktywna: kiosk wydaje na nią bilety",
    set_services_save: "Zapisz usługę",
    set_services_cancel: "Anuluj",
    set_services_reload: "Wczytaj usługę ponownie",
    set_services_reload_list: "Wczytaj listę ponownie",
    set_services_err_code: "Podaj kod: wielka litera, potem do 3 liter lub cyfr (A, B2, KRED).",
    set_services_err_code_taken: "Ten oddział ma już usługę o tym kodzie.",
    set_services_err_names: "Podaj nazwę w co najmniej jednym języku.",
    set_services_err_wait: "Podaj liczbę minut od 0,5 do 1440.",
    set_services_err_service: "Podaj liczbę minut od 0,2 do 1440.",
    set_services_err_sort: "Podaj liczbę całkowitą od 0 do 1000.",
    set_services_cutoff: "Koniec wydawania przed zamknięciem (minuty)",
    set_services_cutoff_hint:
      "Kioski przestają wydawać bilety do tej usługi tyle minut przed każdym zamknięciem, także przed przerwą obiadową, aby oczekujący zdążyli zostać obsłużeni. Puste: do zamknięcia.",
    set_services_cutoff_no_hours:
      "Ten oddział nie ma godzin otwarcia, więc koniec wydawania nie działa, dopóki nie zostaną ustawione (Ustawienia › Oddziały).",
    set_services_err_cutoff: "Podaj pełne minuty od 0 do 720 albo zostaw puste, aby nie kończyć wydawania wcześniej.",
    set_services_del_title: "Usunąć usługę {code}?",
    set_services_del_body:
      "Usługa, która nigdy nie wydała biletu, zostanie usunięta. Usługa z biletami zostanie wycofana: stanie się nieaktywna, kiosk przestanie ją oferować, a jej historia zostanie w raportach.",
    set_services_del_counters: "Stanowisko, które wciąż ją obsługuje, musi ją najpierw usunąć ze swojej listy.",
    set_services_del_ok: "Usuń",
    set_services_deleted: "Usługa {code} została usunięta.",
    set_services_retired:
      "Usługa {code} ma historię biletów: została wycofana (jest nieaktywna) i zostaje w raportach.",
  },
};

const LANG_NAMES = { en: "English", tr: "Türkçe", el: "Ελληνικά", pl: "Polski" };
const CODE_RE = /^[A-Z][A-Z0-9]{0,3}$/;
const PAGE_SIZE = 20;

let current = null; // the mounted section: { alive }

export function unmount() {
  if (current) current.alive = false;
  current = null;
}

/** Seconds as the minutes a form shows: 600 -> "10", 90 -> "1.5", 20 -> "0.33". */
function toMinutes(s) {
  return String(Math.round((s / 60) * 100) / 100);
}

function minutesOk(value, low) {
  const text = String(value ?? "").trim().replace(",", ".");
  if (!text) return false;
  const n = Number(text);
  return Number.isFinite(n) && n >= low && n <= 1440;
}

const toSeconds = (value) => Math.round(Number(String(value).trim().replace(",", ".")) * 60);

export function mount(root, ctx) {
  unmount();
  const me = { alive: true };
  current = me;
  const { t, api } = ctx;
  const code = ctx.branch;
  const base = `/api/v1/admin/branches/${encodeURIComponent(code || "")}`;
  const s = { rows: [], branch: null, query: "", page: 1, editing: null };
  // Disabled until the branch (its languages) is loaded: the form is built from them.
  const newButton = el("button", {
    type: "button",
    class: "btn btn-primary",
    "data-testid": "svc-new",
    text: t("set_services_new"),
    disabled: true,
    onclick: () => openEditor(null),
  });

  const listHost = el("div", { class: "cfg-list", "data-testid": "svc-list" });
  const editorHost = el("div", { class: "cfg-editor-host" });
  const alertLine = el("p", { class: "cfg-alert", role: "alert", "data-testid": "svc-alert", hidden: true });
  const alertAction = el("button", {
    type: "button",
    class: "btn",
    "data-testid": "svc-alert-reload",
    text: t("set_services_reload_list"),
    hidden: true,
    onclick: () => refresh(),
  });
  const search = el("input", {
    type: "search",
    id: "svc-search",
    class: "cfg-search",
    "data-testid": "svc-search",
    value: s.query,
    oninput: (e) => {
      s.query = e.target.value;
      s.page = 1;
      drawList();
    },
  });

  root.replaceChildren(
    el("h2", { class: "cfg-title", text: t("set_services_title") }),
    el("p", { class: "muted cfg-lead", text: t("set_services_lead") }),
  );
  if (!code) {
    root.append(el("p", { class: "muted", text: t("set_services_no_branch") }));
    return;
  }
  root.append(
    el(
      "div",
      { class: "cfg-toolbar" },
      el(
        "div",
        { class: "cfg-search-box" },
        el("label", { for: "svc-search", text: t("set_services_search") }),
        search,
      ),
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

  function langs() {
    const own = s.branch?.languages || ["en"];
    return own;
  }

  async function load() {
    const [branch, rows] = await Promise.all([api.get(base), api.get(`${base}/services`)]);
    if (!me.alive) return false;
    s.branch = branch;
    s.rows = rows.slice().sort((a, b) => a.sort_order - b.sort_order || a.code.localeCompare(b.code));
    return true;
  }

  async function refresh() {
    try {
      if (!(await load())) return;
      say("");
      newButton.disabled = false;
    } catch (err) {
      if (me.alive) say(err instanceof ApiError ? err.detail : String(err));
      return;
    }
    drawList();
  }

  // ------------------------------------------------------------------------------ list

  function namesCell(row) {
    const items = [];
    const shown = [...langs(), ...Object.keys(row.names).filter((l) => !langs().includes(l))];
    for (const lang of shown) {
      const name = row.names[lang];
      items.push(
        el(
          "li",
          { lang },
          el("span", { class: "cfg-lang", text: lang.toUpperCase() }),
          " ",
          name
            ? el("span", { text: name })
            : el("span", {
                class: "cfg-missing",
                "data-testid": `svc-row-missing-${row.code}-${lang}`,
                text: t("set_services_missing"),
              }),
        ),
      );
    }
    return el("ul", { class: "cfg-names" }, ...items);
  }

  function fmtMin(sec) {
    const n = new Intl.NumberFormat(ctx.locale(), { maximumFractionDigits: 2 }).format(sec / 60);
    return t("set_services_minutes", { n });
  }

  function drawList() {
    if (!me.alive) return;
    const found = s.rows.filter((r) => matches([r.code, ...Object.values(r.names)].join(" "), s.query));
    const view = pager(found, s.page, PAGE_SIZE);
    s.page = view.page;
    if (!s.rows.length) {
      listHost.replaceChildren(el("p", { class: "muted", text: t("set_services_empty") }));
      return;
    }
    const body = view.rows.map((r) =>
      el(
        "tr",
        { "data-testid": `svc-row-${r.code}`, class: r.active ? null : "cfg-inactive" },
        el("th", { scope: "row", class: "cfg-code", text: r.code }),
        el("td", {}, namesCell(r)),
        el(
          "td",
          { class: "cfg-std" },
          el("span", { "data-testid": `svc-wait-${r.code}`, text: t("set_services_wait_std", { min: fmtMin(r.standard_wait_s) }) }),
          el("br"),
          el("span", { text: t("set_services_service_std", { min: fmtMin(r.standard_service_s) }) }),
          r.cutoff_min ? el("br") : null,
          r.cutoff_min
            ? el("span", { "data-testid": `svc-cutoff-${r.code}`, text: t("set_services_cutoff_std", { min: fmtMin(r.cutoff_min * 60) }) })
            : null,
        ),
        el(
          "td",
          {},
          el("span", {
            class: `cfg-status ${r.active ? "is-on" : "is-off"}`,
            "data-testid": `svc-status-${r.code}`,
            text: r.active ? t("set_services_active") : t("set_services_inactive"),
          }),
        ),
        el("td", { class: "num", text: String(r.sort_order) }),
        el(
          "td",
          { class: "cfg-actions" },
          el("button", {
            type: "button",
            class: "btn",
            "data-testid": `svc-edit-${r.code}`,
            "aria-label": t("set_services_edit_label", { code: r.code }),
            text: t("set_services_edit"),
            onclick: () => openEditor(r),
          }),
          el("button", {
            type: "button",
            class: "btn",
            "data-testid": `svc-toggle-${r.code}`,
            "aria-label": t(r.active ? "set_services_deactivate_label" : "set_services_activate_label", { code: r.code }),
            text: r.active ? t("set_services_deactivate") : t("set_services_activate"),
            onclick: () => toggle(r),
          }),
          el("button", {
            type: "button",
            class: "btn btn-quiet-danger",
            "data-testid": `svc-delete-${r.code}`,
            "aria-label": t("set_services_delete_label", { code: r.code }),
            text: t("set_services_delete"),
            onclick: () => remove(r),
          }),
        ),
      ),
    );
    const head = [
      "set_services_col_code",
      "set_services_col_names",
      "set_services_col_standards",
      "set_services_col_status",
      "set_services_col_order",
      "set_services_col_actions",
    ].map((k, i) => el("th", { scope: "col", class: i === 4 ? "num" : null, text: t(k) }));
    listHost.replaceChildren(
      ...listView({
        testid: "svc-table",
        caption: t("set_services_title"),
        head,
        rows: found.length ? body : [],
        empty: t("set_services_no_match"),
        view,
        onPage: (p) => {
          s.page = p;
          drawList();
        },
        t,
      }),
    );
  }

  async function toggle(row) {
    say("");
    try {
      await api.patch(`${base}/services/${encodeURIComponent(row.code)}`, { active: !row.active, version: row.version });
    } catch (err) {
      if (!me.alive) return;
      const stale = err instanceof ApiError && err.code === "edited_elsewhere";
      say(stale ? t("set_edited_elsewhere") : err instanceof ApiError && err.offline ? t("set_offline") : err.detail || String(err), {
        reload: stale,
      });
      return;
    }
    ctx.toast(t("set_saved"));
    await refresh();
  }

  async function remove(row) {
    say("");
    const ok = await ctx.confirm({
      title: t("set_services_del_title", { code: row.code }),
      body: [t("set_services_del_body"), t("set_services_del_counters")],
      confirm: t("set_services_del_ok"),
      danger: true,
    });
    if (!ok || !me.alive) return;
    try {
      await api.delete(`${base}/services/${encodeURIComponent(row.code)}`);
    } catch (err) {
      if (me.alive) say(err instanceof ApiError && err.offline ? t("set_offline") : err.detail || String(err));
      return;
    }
    if (s.editing && s.editing.code === row.code) closeEditor();
    await refresh();
    const still = s.rows.some((r) => r.code === row.code);
    ctx.toast(t(still ? "set_services_retired" : "set_services_deleted", { code: row.code }));
  }

  // ------------------------------------------------------------------------------ form

  function closeEditor() {
    s.editing = null;
    editorHost.replaceChildren();
  }

  async function reloadRow(svcCode) {
    try {
      const fresh = await api.get(`${base}/services/${encodeURIComponent(svcCode)}`);
      if (!me.alive) return;
      await refresh();
      openEditor(fresh);
    } catch (err) {
      if (me.alive) say(err.detail || String(err));
    }
  }

  /** The form for `row` (null: a new service). */
  function openEditor(row) {
    s.editing = row ? { code: row.code, version: row.version } : { code: null };
    const creating = !row;
    const names = row?.names || {};
    const shownLangs = [...langs(), ...Object.keys(names).filter((l) => !langs().includes(l))];
    const formError = el("p", { "data-form-error": "", role: "alert", "data-testid": "svc-form-error", hidden: true });
    const reloadBtn = el("button", {
      type: "button",
      class: "btn",
      "data-testid": "svc-reload",
      hidden: true,
      text: t("set_services_reload"),
      onclick: () => reloadRow(row.code),
    });

    const codeInput = el("input", {
      type: "text",
      maxlength: 4,
      autocomplete: "off",
      autocapitalize: "characters",
      spellcheck: "false",
      "data-testid": "svc-code",
      oninput: (e) => {
        const up = e.target.value.toUpperCase();
        if (up !== e.target.value) e.target.value = up;
      },
    });

    const nameRows = shownLangs.map((lang) => {
      const input = el("input", {
        type: "text",
        maxlength: 120,
        lang,
        value: names[lang] || "",
        "data-testid": `svc-name-${lang}`,
        "data-lang": lang,
        class: "cfg-name-input",
      });
      const id = `svc-name-${lang}-input`;
      input.id = id;
      input.name = `name_${lang}`;
      const missing = el("span", {
        class: "cfg-missing",
        "data-testid": `svc-missing-${lang}`,
        id: `${id}-missing`,
        text: t("set_services_missing"),
        hidden: Boolean(names[lang]),
      });
      const foreign = !langs().includes(lang);
      const update = () => {
        const empty = !input.value.trim();
        missing.hidden = !empty || foreign;
        if (!missing.hidden) input.setAttribute("aria-describedby", missing.id);
        else input.removeAttribute("aria-describedby");
      };
      input.addEventListener("input", () => {
        update();
        if (form.dataset.namesTouched) checkNames();
      });
      input.addEventListener("blur", () => {
        form.dataset.namesTouched = "1";
        checkNames();
      });
      queueMicrotask(update);
      return el(
        "div",
        { class: "cfg-name-row" },
        el(
          "label",
          { for: id },
          el("span", { text: t("set_services_name_in", { lang: LANG_NAMES[lang] || lang }) }),
          foreign ? el("span", { class: "muted small", text: ` (${t("set_services_not_branch_lang")})` }) : null,
        ),
        input,
        missing,
      );
    });
    const namesError = el("p", {
      class: "field-error",
      id: "svc-names-err",
      "data-error-for": "names",
      role: "alert",
      hidden: true,
    });

    const waitInput = el("input", {
      type: "number",
      step: "any",
      min: "0.5",
      max: "1440",
      inputmode: "decimal",
      "data-testid": "svc-wait",
      value: toMinutes(row ? row.standard_wait_s : 600),
    });
    const serviceInput = el("input", {
      type: "number",
      step: "any",
      min: "0.2",
      max: "1440",
      inputmode: "decimal",
      "data-testid": "svc-service",
      value: toMinutes(row ? row.standard_service_s : 300),
    });
    const sortInput = el("input", {
      type: "number",
      step: "1",
      min: "0",
      max: "1000",
      inputmode: "numeric",
      "data-testid": "svc-sort",
      value: String(row ? row.sort_order : Math.min(1000, Math.max(0, ...s.rows.map((r) => r.sort_order + 1), 0))),
    });
    const cutoffInput = el("input", {
      type: "number",
      step: "1",
      min: "0",
      max: "720",
      inputmode: "numeric",
      "data-testid": "svc-cutoff",
      value: row?.cutoff_min == null ? "" : String(row.cutoff_min),
    });
    const cutoffRow = fieldRow("cutoff_min", t("set_services_cutoff"), cutoffInput, t("set_services_cutoff_hint"));
    if (!s.branch?.opening_hours) {
      // Said beside the field and read with it: the number alone would do nothing.
      const note = el("p", {
        class: "cfg-note small",
        id: `${cutoffInput.id}-note`,
        "data-testid": "svc-cutoff-no-hours",
        text: t("set_services_cutoff_no_hours"),
      });
      cutoffInput.after(note);
      cutoffInput.setAttribute("aria-describedby", `${cutoffInput.getAttribute("aria-describedby")} ${note.id}`);
    }
    const activeInput = el("input", {
      type: "checkbox",
      id: "svc-active-input",
      name: "active",
      "data-testid": "svc-active",
      checked: row ? row.active : true,
    });

    const rules = {
      standard_wait_s: (v) => (minutesOk(v, 0.5) ? null : "set_services_err_wait"),
      standard_service_s: (v) => (minutesOk(v, 10 / 60) ? null : "set_services_err_service"),
      sort_order: (v) => (/^\d{1,4}$/.test(String(v).trim()) && Number(v) <= 1000 ? null : "set_services_err_sort"),
      names: (_v, f) => (nameValues(f).length ? null : "set_services_err_names"),
      cutoff_min: (v) => {
        const x = String(v ?? "").trim();
        return !x || (/^\d{1,3}$/.test(x) && Number(x) <= 720) ? null : "set_services_err_cutoff";
      },
    };
    if (creating) {
      rules.code = (v) => {
        const c = String(v || "").trim();
        if (!CODE_RE.test(c)) return "set_services_err_code";
        if (s.rows.some((r) => r.code === c)) return "set_services_err_code_taken";
        return null;
      };
    }

    function nameValues(f) {
      return [...f.querySelectorAll(".cfg-name-input")]
        .map((i) => [i.dataset.lang, i.value.trim()])
        .filter(([, v]) => v);
    }

    function checkNames() {
      const problem = rules.names(undefined, form);
      namesError.textContent = problem ? t(problem) : "";
      namesError.hidden = !problem;
    }

    const save = el("button", {
      type: "submit",
      class: "btn btn-primary",
      "data-testid": "svc-save",
      text: t("set_services_save"),
    });
    const form = el(
      "form",
      {
        class: "cfg-form",
        novalidate: true,
        "data-testid": "svc-form",
        "aria-labelledby": "svc-form-title",
      },
      el("h3", {
        id: "svc-form-title",
        text: creating ? t("set_services_form_new") : t("set_services_form_edit", { code: row.code }),
      }),
      formError,
      reloadBtn,
      el(
        "div",
        { class: "cfg-grid" },
        creating ? fieldRow("code", t("set_services_code"), codeInput, t("set_services_code_hint")) : null,
        fieldRow("standard_wait_s", t("set_services_wait"), waitInput, t("set_services_wait_hint")),
        fieldRow("standard_service_s", t("set_services_service"), serviceInput, t("set_services_service_hint")),
        fieldRow("sort_order", t("set_services_sort"), sortInput, t("set_services_sort_hint")),
        cutoffRow,
      ),
      el(
        "fieldset",
        { class: "cfg-fieldset", "aria-describedby": "svc-names-hint" },
        el("legend", { text: t("set_services_names") }),
        el("p", { class: "muted small field-hint", id: "svc-names-hint", text: t("set_services_names_hint") }),
        ...nameRows,
        namesError,
      ),
      el(
        "div",
        { class: "cfg-check" },
        activeInput,
        el("label", { for: "svc-active-input", text: t("set_services_is_active") }),
      ),
      el(
        "div",
        { class: "cfg-form-actions" },
        el("button", {
          type: "button",
          class: "btn",
          "data-testid": "svc-cancel",
          text: t("set_services_cancel"),
          onclick: () => closeEditor(),
        }),
        save,
      ),
    );
    liveCheck(form, rules, t);
    // A click on a button must not first blur a field: its message appearing would move the
    // button away between press and release, and the click would be lost.
    form.addEventListener("mousedown", (e) => {
      if (e.target.closest("button")) e.preventDefault();
    });

    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      reloadBtn.hidden = true;
      if (!check(form, rules, t)) {
        for (const f of form.querySelectorAll("[name]")) f.dataset.touched = "1";
        form.dataset.namesTouched = "1";
        form.querySelector("[aria-invalid='true']")?.focus();
        if (!namesError.hidden && !form.querySelector("[aria-invalid='true']")) form.querySelector(".cfg-name-input")?.focus();
        return;
      }
      const body = {
        names: Object.fromEntries(nameValues(form)),
        standard_wait_s: toSeconds(waitInput.value),
        standard_service_s: toSeconds(serviceInput.value),
        sort_order: Number(sortInput.value),
        active: activeInput.checked,
        cutoff_min: cutoffInput.value.trim() === "" ? null : Number(cutoffInput.value),
      };
      save.disabled = true;
      try {
        if (creating) {
          await api.post(`${base}/services`, { code: codeInput.value.trim(), ...body });
        } else {
          await api.patch(`${base}/services/${encodeURIComponent(row.code)}`, { ...body, version: row.version });
        }
      } catch (err) {
        if (!me.alive) return;
        // Creating, the only conflict is the code: say it beside the code.
        if (creating && err instanceof ApiError && err.status === 409 && !err.errors) {
          err.errors = [{ field: "code", message: err.detail }];
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
    if (creating) codeInput.value = "";
    (creating ? codeInput : form.querySelector(".cfg-name-input"))?.focus();
  }

  refresh();
}
