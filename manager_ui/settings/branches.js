/**
 * manager_ui/settings/branches.js — Settings › Branches: the branches the user may configure
 * (searchable, paged), a new branch (admin: code, name, time zone, languages and the default
 * one), and each branch's settings: name, time zone, languages, the message kiosks and displays
 * show, its logo, open or closed, its opening hours and closed dates (./logo.js, ./hours.js,
 * ./closed-dates.js) and how the next customer is chosen (server/domain/ordering.py), each
 * with a line saying what it does. Delete (admin) asks first; a branch with ticket history is
 * refused by the server with a sentence, shown as it is. Contract: ./shell.js.
 */

import { ApiError } from "/ui/api.js";
import { el } from "/ui/staff.js";
import { check, clearErrors, fieldRow, liveCheck, matches, pager, showErrors, listView } from "./forms.js";
import { closedDatesEditor, CLOSED_WORDS } from "./closed-dates.js";
import { hoursEditor, HOURS_WORDS } from "./hours.js";
import { logoEditor, LOGO_WORDS } from "./logo.js";

const OWN_WORDS = {
  en: {
    set_branches_title: "Branches",
    set_branches_lead: "A branch's languages, message, opening and how its counters choose the next customer.",
    set_branches_search: "Search branches",
    set_branches_new: "Add branch",
    set_branches_col_code: "Code",
    set_branches_col_name: "Name",
    set_branches_col_zone: "Time zone",
    set_branches_col_langs: "Languages",
    set_branches_col_status: "Status",
    set_branches_col_actions: "Actions",
    set_branches_default_mark: "{lang} (default)",
    set_branches_open: "Open",
    set_branches_closed: "Closed",
    set_branches_edit: "Edit",
    set_branches_edit_label: "Edit branch {name}",
    set_branches_delete: "Delete",
    set_branches_delete_label: "Delete branch {name}",
    set_branches_empty: "No branch yet.",
    set_branches_no_match: "No branch matches the search.",
    set_branches_form_new: "New branch",
    set_branches_form_edit: "Edit branch {name}",
    set_branches_code: "Code",
    set_branches_code_hint: "Used in every address; lower-case letters, digits, - and _. It cannot be changed later.",
    set_branches_name: "Name",
    set_branches_zone: "Time zone",
    set_branches_zone_hint: "Its business day and report dates follow this zone (type to search, e.g. Europe/Istanbul).",
    set_branches_langs: "Languages",
    set_branches_langs_hint: "Offered on the kiosk and spoken on the display. Each service needs a name in each.",
    set_branches_default: "Default language",
    set_branches_default_hint: "Shown first when a kiosk starts or returns to its start screen.",
    set_branches_message: "Message line",
    set_branches_message_hint: "Shown on the kiosks and call displays (e.g. opening hours); empty: no message.",
    set_branches_is_open: "Open: the kiosks issue tickets",
    set_branches_is_open_hint: "Closed: the kiosks say so and issue nothing; tickets already issued are still called.",
    set_branches_ordering: "Calling order",
    set_branches_ordering_hint: "How a counter chooses the next customer when a teller presses Call next.",
    set_branches_order_mode: "Base order",
    set_branches_order_fifo: "First come, first served",
    set_branches_order_service_order: "By the counter's service order",
    set_branches_order_fifo_hint: "The customer who arrived first is called first, whatever the service.",
    set_branches_order_service_order_hint:
      "The counter's first service is emptied first, then the next; within a service, first come first served.",
    set_branches_priority_mode: "Priority customers",
    set_branches_priority_none: "No priority",
    set_branches_priority_strict: "Always first",
    set_branches_priority_ratio: "One in every few calls",
    set_branches_priority_none_hint: "Priority tickets wait in line like everyone else.",
    set_branches_priority_strict_hint: "Priority tickets (elderly, disabled, pregnant) are always called before the others.",
    set_branches_priority_ratio_hint: "A counter calls one priority ticket after every N other calls (N below).",
    set_branches_ratio: "Priority call after every N calls",
    set_branches_ratio_hint: "N: normal calls between two priority calls at a counter (1 to 20).",
    set_branches_max_wait: "Longest wait before jumping ahead (minutes)",
    set_branches_max_wait_hint:
      "A ticket waiting longer than this is called before every other rule, oldest first. Empty: no cap.",
    set_branches_transfer: "Transferred customers",
    set_branches_transfer_first: "First in their new queue",
    set_branches_transfer_arrival: "By their original arrival",
    set_branches_transfer_first_hint: "A customer sent to another service is called before those waiting for it.",
    set_branches_transfer_arrival_hint: "A customer sent to another service takes their place by the time they first arrived.",
    set_branches_keep: "Keep waiting tickets at the end of the day",
    set_branches_keep_hint: "On: tickets still waiting at closing stay in the queue. Off: they are cancelled overnight.",
    set_branches_save: "Save branch",
    set_branches_create: "Create branch",
    set_branches_cancel: "Cancel",
    set_branches_reload: "Reload this branch",
    set_branches_reload_list: "Reload the list",
    set_branches_err_code: "Enter a code: lower-case letters, digits, - or _, starting with a letter or digit.",
    set_branches_err_code_taken: "A branch with this code already exists.",
    set_branches_err_name: "Enter a name (up to 200 characters).",
    set_branches_err_zone: "Choose a time zone from the list, such as Europe/Istanbul or UTC.",
    set_branches_err_langs: "Choose at least one language.",
    set_branches_err_default: "The default language must be one of the branch's languages.",
    set_branches_err_ratio: "Enter a whole number from 1 to 20.",
    set_branches_err_max_wait: "Enter whole minutes from 1 to 1440, or leave it empty for no cap.",
    set_branches_err_message: "Up to 500 characters.",
    set_branches_del_title: "Delete branch {name}?",
    set_branches_del_body:
      "A branch that never issued a ticket is deleted with its services, counters, devices and staff accounts.",
    set_branches_del_history:
      "A branch with ticket history cannot be deleted, so its reports stay whole: close it instead (untick Open).",
    set_branches_del_ok: "Delete branch",
    set_branches_deleted: "Branch {name} deleted.",
  },
  tr: {
    set_branches_title: "Şubeler",
    set_branches_lead: "Şubenin dilleri, mesajı, açık olup olmadığı ve gişelerin sıradaki müşteriyi nasıl seçtiği.",
    set_branches_search: "Şube ara",
    set_branches_new: "Şube ekle",
    set_branches_col_code: "Kod",
    set_branches_col_name: "Ad",
    set_branches_col_zone: "Saat dilimi",
    set_branches_col_langs: "Diller",
    set_branches_col_status: "Durum",
    set_branches_col_actions: "Eylemler",
    set_branches_default_mark: "{lang} (varsayılan)",
    set_branches_open: "Açık",
    set_branches_closed: "Kapalı",
    set_branches_edit: "Düzenle",
    set_branches_edit_label: "{name} şubesini düzenle",
    set_branches_delete: "Sil",
    set_branches_delete_label: "{name} şubesini sil",
    set_branches_empty: "Henüz şube yok.",
    set_branches_no_match: "Aramaya uyan şube yok.",
    set_branches_form_new: "Yeni şube",
    set_branches_form_edit: "{name} şubesini düzenle",
    set_branches_code: "Kod",
    set_branches_code_hint: "Her adreste kullanılır; küçük harf, rakam, - ve _. Sonradan değiştirilemez.",
    set_branches_name: "Ad",
    set_branches_zone: "Saat dilimi",
    set_branches_zone_hint: "İş günü ve rapor tarihleri bu dilime göredir (aramak için yazın, ör. Europe/Istanbul).",
    set_branches_langs: "Diller",
    set_branches_langs_hint: "Kioskta sunulur, çağrı ekranında seslendirilir. Her işlemin her dilde bir adı olmalı.",
    set_branches_default: "Varsayılan dil",
    set_branches_default_hint: "Kiosk açıldığında ya da başlangıç ekranına döndüğünde ilk bu dil gösterilir.",
    set_branches_message: "Mesaj satırı",
    set_branches_message_hint: "Kiosklarda ve çağrı ekranlarında gösterilir (ör. çalışma saatleri); boş: mesaj yok.",
    set_branches_is_open: "Açık: kiosklar bilet verir",
    set_branches_is_open_hint: "Kapalı: kiosklar bunu söyler ve bilet vermez; verilmiş biletler yine çağrılır.",
    set_branches_ordering: "Çağrı sırası",
    set_branches_ordering_hint: "Gişe görevlisi Sıradakini çağır'a bastığında gişenin sıradaki müşteriyi nasıl seçtiği.",
    set_branches_order_mode: "Temel sıra",
    set_branches_order_fifo: "İlk gelen ilk çağrılır",
    set_branches_order_service_order: "Gişenin işlem sırasına göre",
    set_branches_order_fifo_hint: "İşlem ne olursa olsun ilk gelen müşteri ilk çağrılır.",
    set_branches_order_service_order_hint:
      "Önce gişenin ilk işleminin kuyruğu boşaltılır, sonra sonrakinin; bir işlem içinde ilk gelen ilk çağrılır.",
    set_branches_priority_mode: "Öncelikli müşteriler",
    set_branches_priority_none: "Öncelik yok",
    set_branches_priority_strict: "Her zaman önce",
    set_branches_priority_ratio: "Birkaç çağrıda bir",
    set_branches_priority_none_hint: "Öncelikli biletler herkes gibi sırasını bekler.",
    set_branches_priority_strict_hint: "Öncelikli biletler (yaşlı, engelli, hamile) her zaman diğerlerinden önce çağrılır.",
    set_branches_priority_ratio_hint: "Gişe her N çağrıdan sonra bir öncelikli bilet çağırır (N aşağıda).",
    set_branches_ratio: "N çağrıda bir öncelikli çağrı",
    set_branches_ratio_hint: "N: bir gişede iki öncelikli çağrı arasındaki normal çağrı sayısı (1–20).",
    set_branches_max_wait: "Öne geçmeden önceki en uzun bekleme (dakika)",
    set_branches_max_wait_hint: "Bundan uzun bekleyen bilet tüm kurallardan önce, en eskisi ilk olmak üzere çağrılır. Boş: sınır yok.",
    set_branches_transfer: "Yönlendirilen müşteriler",
    set_branches_transfer_first: "Yeni kuyruğunda ilk sırada",
    set_branches_transfer_arrival: "İlk geliş saatine göre",
    set_branches_transfer_first_hint: "Başka bir işleme yönlendirilen müşteri, o işlemi bekleyenlerden önce çağrılır.",
    set_branches_transfer_arrival_hint: "Başka bir işleme yönlendirilen müşteri, ilk geldiği saate göre sırasını alır.",
    set_branches_keep: "Gün sonunda bekleyen biletleri koru",
    set_branches_keep_hint: "Açık: kapanışta hâlâ bekleyen biletler kuyrukta kalır. Kapalı: gece iptal edilir.",
    set_branches_save: "Şubeyi kaydet",
    set_branches_create: "Şubeyi oluştur",
    set_branches_cancel: "Vazgeç",
    set_branches_reload: "Bu şubeyi yeniden yükle",
    set_branches_reload_list: "Listeyi yeniden yükle",
    set_branches_err_code: "Bir kod girin: küçük harf, rakam, - ya da _; harf ya da rakamla başlamalı.",
    set_branches_err_code_taken: "Bu kodla bir şube zaten var.",
    set_branches_err_name: "Bir ad girin (en çok 200 karakter).",
    set_branches_err_zone: "Listeden bir saat dilimi seçin, ör. Europe/Istanbul ya da UTC.",
    set_branches_err_langs: "En az bir dil seçin.",
    set_branches_err_default: "Varsayılan dil şubenin dillerinden biri olmalı.",
    set_branches_err_ratio: "1 ile 20 arasında bir tam sayı girin.",
    set_branches_err_max_wait: "1 ile 1440 arasında tam dakika girin ya da sınır olmaması için boş bırakın.",
    set_branches_err_message: "En çok 500 karakter.",
    set_branches_del_title: "{name} şubesi silinsin mi?",
    set_branches_del_body: "Hiç bilet vermemiş bir şube; işlemleri, gişeleri, cihazları ve personel hesaplarıyla birlikte silinir.",
    set_branches_del_history:
      "Bilet geçmişi olan bir şube, raporları eksiksiz kalsın diye silinemez: onun yerine kapatın (Açık işaretini kaldırın).",
    set_branches_del_ok: "Şubeyi sil",
    set_branches_deleted: "{name} şubesi silindi.",
  },
  el: {
    set_branches_title: "Καταστήματα",
    set_branches_lead: "Οι γλώσσες, το μήνυμα, το άνοιγμα ενός καταστήματος και πώς οι θυρίδες του επιλέγουν τον επόμενο πελάτη.",
    set_branches_search: "Αναζήτηση καταστημάτων",
    set_branches_new: "Προσθήκη καταστήματος",
    set_branches_col_code: "Κωδικός",
    set_branches_col_name: "Όνομα",
    set_branches_col_zone: "Ζώνη ώρας",
    set_branches_col_langs: "Γλώσσες",
    set_branches_col_status: "Κατάσταση",
    set_branches_col_actions: "Ενέργειες",
    set_branches_default_mark: "{lang} (προεπιλογή)",
    set_branches_open: "Ανοιχτό",
    set_branches_closed: "Κλειστό",
    set_branches_edit: "Επεξεργασία",
    set_branches_edit_label: "Επεξεργασία του καταστήματος {name}",
    set_branches_delete: "Διαγραφή",
    set_branches_delete_label: "Διαγραφή του καταστήματος {name}",
    set_branches_empty: "Δεν υπάρχει ακόμη κατάστημα.",
    set_branches_no_match: "Κανένα κατάστημα δεν ταιριάζει με την αναζήτηση.",
    set_branches_form_new: "Νέο κατάστημα",
    set_branches_form_edit: "Επεξεργασία του καταστήματος {name}",
    set_branches_code: "Κωδικός",
    set_branches_code_hint: "Χρησιμοποιείται σε κάθε διεύθυνση· πεζά λατινικά, ψηφία, - και _. Δεν αλλάζει αργότερα.",
    set_branches_name: "Όνομα",
    set_branches_zone: "Ζώνη ώρας",
    set_branches_zone_hint: "Η εργάσιμη ημέρα και οι ημερομηνίες των αναφορών ακολουθούν αυτή τη ζώνη (π.χ. Europe/Athens).",
    set_branches_langs: "Γλώσσες",
    set_branches_langs_hint: "Προσφέρονται στο κιόσκι και εκφωνούνται στην οθόνη. Κάθε υπηρεσία χρειάζεται όνομα σε καθεμία.",
    set_branches_default: "Προεπιλεγμένη γλώσσα",
    set_branches_default_hint: "Εμφανίζεται πρώτη όταν το κιόσκι ξεκινά ή επιστρέφει στην αρχική οθόνη.",
    set_branches_message: "Γραμμή μηνύματος",
    set_branches_message_hint: "Εμφανίζεται στα κιόσκια και τις οθόνες κλήσεων (π.χ. ωράριο)· κενό: κανένα μήνυμα.",
    set_branches_is_open: "Ανοιχτό: τα κιόσκια εκδίδουν αριθμούς",
    set_branches_is_open_hint: "Κλειστό: τα κιόσκια το αναφέρουν και δεν εκδίδουν· όσοι αριθμοί έχουν εκδοθεί καλούνται κανονικά.",
    set_branches_ordering: "Σειρά κλήσης",
    set_branches_ordering_hint: "Πώς μια θυρίδα επιλέγει τον επόμενο πελάτη όταν ο υπάλληλος πατά «Επόμενος».",
    set_branches_order_mode: "Βασική σειρά",
    set_branches_order_fifo: "Με σειρά προσέλευσης",
    set_branches_order_service_order: "Με τη σειρά υπηρεσιών της θυρίδας",
    set_branches_order_fifo_hint: "Καλείται πρώτος όποιος ήρθε πρώτος, όποια κι αν είναι η υπηρεσία.",
    set_branches_order_service_order_hint:
      "Αδειάζει πρώτα η ουρά της πρώτης υπηρεσίας της θυρίδας, μετά της επόμενης· μέσα σε μια υπηρεσία, με σειρά προσέλευσης.",
    set_branches_priority_mode: "Πελάτες προτεραιότητας",
    set_branches_priority_none: "Χωρίς προτεραιότητα",
    set_branches_priority_strict: "Πάντα πρώτοι",
    set_branches_priority_ratio: "Ένας κάθε λίγες κλήσεις",
    set_branches_priority_none_hint: "Οι αριθμοί προτεραιότητας περιμένουν τη σειρά τους όπως όλοι.",
    set_branches_priority_strict_hint: "Οι αριθμοί προτεραιότητας (ηλικιωμένοι, ΑμεΑ, έγκυες) καλούνται πάντα πριν από τους άλλους.",
    set_branches_priority_ratio_hint: "Η θυρίδα καλεί έναν αριθμό προτεραιότητας μετά από κάθε N άλλες κλήσεις (N παρακάτω).",
    set_branches_ratio: "Κλήση προτεραιότητας κάθε N κλήσεις",
    set_branches_ratio_hint: "N: κανονικές κλήσεις ανάμεσα σε δύο κλήσεις προτεραιότητας σε μια θυρίδα (1 έως 20).",
    set_branches_max_wait: "Μέγιστη αναμονή πριν από την προπορεία (λεπτά)",
    set_branches_max_wait_hint:
      "Ένας αριθμός που περιμένει περισσότερο καλείται πριν από κάθε άλλο κανόνα, ο παλαιότερος πρώτος. Κενό: χωρίς όριο.",
    set_branches_transfer: "Πελάτες που μεταφέρθηκαν",
    set_branches_transfer_first: "Πρώτοι στη νέα τους ουρά",
    set_branches_transfer_arrival: "Με την αρχική ώρα προσέλευσης",
    set_branches_transfer_first_hint: "Ένας πελάτης που στάλθηκε σε άλλη υπηρεσία καλείται πριν από όσους την περιμένουν.",
    set_branches_transfer_arrival_hint: "Ένας πελάτης που στάλθηκε σε άλλη υπηρεσία παίρνει θέση με την ώρα που πρωτοήρθε.",
    set_branches_keep: "Διατήρηση των αριθμών σε αναμονή στο τέλος της ημέρας",
    set_branches_keep_hint: "Ναι: όσοι περιμένουν στο κλείσιμο μένουν στην ουρά. Όχι: ακυρώνονται τη νύχτα.",
    set_branches_save: "Αποθήκευση καταστήματος",
    set_branches_create: "Δημιουργία καταστήματος",
    set_branches_cancel: "Άκυρο",
    set_branches_reload: "Επαναφόρτωση του καταστήματος",
    set_branches_reload_list: "Επαναφόρτωση της λίστας",
    set_branches_err_code: "Δώστε κωδικό: πεζά λατινικά, ψηφία, - ή _, με γράμμα ή ψηφίο στην αρχή.",
    set_branches_err_code_taken: "Υπάρχει ήδη κατάστημα με αυτόν τον κωδικό.",
    set_branches_err_name: "Δώστε όνομα (έως 200 χαρακτήρες).",
    set_branches_err_zone: "Επιλέξτε ζώνη ώρας από τη λίστα, π.χ. Europe/Athens ή UTC.",
    set_branches_err_langs: "Επιλέξτε τουλάχιστον μία γλώσσα.",
    set_branches_err_default: "Η προεπιλεγμένη γλώσσα πρέπει να είναι μία από τις γλώσσες του καταστήματος.",
    set_branches_err_ratio: "Δώστε ακέραιο από 1 έως 20.",
    set_branches_err_max_wait: "Δώστε ακέραια λεπτά από 1 έως 1440, ή αφήστε κενό για χωρίς όριο.",
    set_branches_err_message: "Έως 500 χαρακτήρες.",
    set_branches_del_title: "Διαγραφή του καταστήματος {name};",
    set_branches_del_body:
      "Ένα κατάστημα που δεν εξέδωσε ποτέ αριθμό διαγράφεται μαζί με τις υπηρεσίες, τις θυρίδες, τις συσκευές και τους λογαριασμούς προσωπικού του.",
    set_branches_del_history:
      "Ένα κατάστημα με ιστορικό αριθμών δεν διαγράφεται, ώστε οι αναφορές του να μένουν πλήρεις: κλείστε το (αποεπιλέξτε το «Ανοιχτό»).",
    set_branches_del_ok: "Διαγραφή καταστήματος",
    set_branches_deleted: "Το κατάστημα {name} διαγράφηκε.",
  },
  pl: {
    set_branches_title: "Oddziały",
    set_branches_lead: "Języki oddziału, komunikat, otwarcie i sposób, w jaki stanowiska wybierają następnego klienta.",
    set_branches_search: "Szukaj oddziałów",
    set_branches_new: "Dodaj oddział",
    set_branches_col_code: "Kod",
    set_branches_col_name: "Nazwa",
    set_branches_col_zone: "Strefa czasowa",
    set_branches_col_langs: "Języki",
    set_branches_col_status: "Stan",
    set_branches_col_actions: "Działania",
    set_branches_default_mark: "{lang} (domyślny)",
    set_branches_open: "Otwarty",
    set_branches_closed: "Zamknięty",
    set_branches_edit: "Edytuj",
    set_branches_edit_label: "Edytuj oddział {name}",
    set_branches_delete: "Usuń",
    set_branches_delete_label: "Usuń oddział {name}",
    set_branches_empty: "Nie ma jeszcze oddziałów.",
    set_branches_no_match: "Żaden oddział nie pasuje do wyszukiwania.",
    set_branches_form_new: "Nowy oddział",
    set_branches_form_edit: "Edycja oddziału {name}",
    set_branches_code: "Kod",
    set_branches_code_hint: "Występuje w każdym adresie; małe litery, cyfry, - i _. Później nie można go zmienić.",
    set_branches_name: "Nazwa",
    set_branches_zone: "Strefa czasowa",
    set_branches_zone_hint: "Według niej liczy się dzień pracy i daty raportów (wpisz, aby wyszukać, np. Europe/Warsaw).",
    set_branches_langs: "Języki",
    set_branches_langs_hint: "Dostępne na kiosku i wypowiadane na ekranie. Każda usługa potrzebuje nazwy w każdym z nich.",
    set_branches_default: "Język domyślny",
    set_branches_default_hint: "Pokazywany jako pierwszy, gdy kiosk startuje lub wraca do ekranu startowego.",
    set_branches_message: "Komunikat",
    set_branches_message_hint: "Widoczny na kioskach i ekranach wywołań (np. godziny otwarcia); pusty: bez komunikatu.",
    set_branches_is_open: "Otwarty: kioski wydają bilety",
    set_branches_is_open_hint: "Zamknięty: kioski to komunikują i nie wydają biletów; wydane bilety są nadal wywoływane.",
    set_branches_ordering: "Kolejność wywołań",
    set_branches_ordering_hint: "Jak stanowisko wybiera następnego klienta, gdy pracownik naciska Wywołaj następnego.",
    set_branches_order_mode: "Podstawowa kolejność",
    set_branches_order_fifo: "Kto pierwszy, ten lepszy",
    set_branches_order_service_order: "Według kolejności usług stanowiska",
    set_branches_order_fifo_hint: "Pierwszy wywoływany jest klient, który przyszedł najwcześniej, niezależnie od usługi.",
    set_branches_order_service_order_hint:
      "Najpierw obsługiwana jest kolejka pierwszej usługi stanowiska, potem następnej; w ramach usługi według przybycia.",
    set_branches_priority_mode: "Klienci priorytetowi",
    set_branches_priority_none: "Bez pierwszeństwa",
    set_branches_priority_strict: "Zawsze pierwsi",
    set_branches_priority_ratio: "Co kilka wywołań",
    set_branches_priority_none_hint: "Bilety priorytetowe czekają w kolejce jak wszystkie inne.",
    set_branches_priority_strict_hint:
      "Bilety priorytetowe (seniorzy, osoby z niepełnosprawnością, kobiety w ciąży) są zawsze wywoływane przed innymi.",
    set_branches_priority_ratio_hint: "Stanowisko wywołuje jeden bilet priorytetowy po każdych N innych wywołaniach (N poniżej).",
    set_branches_ratio: "Wywołanie priorytetowe co N wywołań",
    set_branches_ratio_hint: "N: liczba zwykłych wywołań między dwoma priorytetowymi na stanowisku (od 1 do 20).",
    set_branches_max_wait: "Najdłuższe oczekiwanie przed wywołaniem poza kolejnością (minuty)",
    set_branches_max_wait_hint:
      "Bilet czekający dłużej jest wywoływany przed wszystkimi innymi regułami, najstarszy pierwszy. Puste: bez limitu.",
    set_branches_transfer: "Klienci przekierowani",
    set_branches_transfer_first: "Pierwsi w nowej kolejce",
    set_branches_transfer_arrival: "Według pierwotnego przybycia",
    set_branches_transfer_first_hint: "Klient przekierowany do innej usługi jest wywoływany przed czekającymi na nią.",
    set_branches_transfer_arrival_hint: "Klient przekierowany do innej usługi zajmuje miejsce według godziny pierwszego przybycia.",
    set_branches_keep: "Zachowaj oczekujące bilety na koniec dnia",
    set_branches_keep_hint: "Włączone: bilety oczekujące przy zamknięciu zostają w kolejce. Wyłączone: są anulowane w nocy.",
    set_branches_save: "Zapisz oddział",
    set_branches_create: "Utwórz oddział",
    set_branches_cancel: "Anuluj",
    set_branches_reload: "Wczytaj oddział ponownie",
    set_branches_reload_list: "Wczytaj listę ponownie",
    set_branches_err_code: "Podaj kod: małe litery, cyfry, - lub _, zaczynając od litery lub cyfry.",
    set_branches_err_code_taken: "Oddział o tym kodzie już istnieje.",
    set_branches_err_name: "Podaj nazwę (do 200 znaków).",
    set_branches_err_zone: "Wybierz strefę czasową z listy, np. Europe/Warsaw lub UTC.",
    set_branches_err_langs: "Wybierz co najmniej jeden język.",
    set_branches_err_default: "Język domyślny musi być jednym z języków oddziału.",
    set_branches_err_ratio: "Podaj liczbę całkowitą od 1 do 20.",
    set_branches_err_max_wait: "Podaj pełne minuty od 1 do 1440 albo zostaw puste, aby nie było limitu.",
    set_branches_err_message: "Do 500 znaków.",
    set_branches_del_title: "Usunąć oddział {name}?",
    set_branches_del_body:
      "Oddział, który nigdy nie wydał biletu, zostanie usunięty razem z usługami, stanowiskami, urządzeniami i kontami pracowników.",
    set_branches_del_history:
      "Oddziału z historią biletów nie można usunąć, aby jego raporty pozostały kompletne: zamknij go zamiast tego (odznacz Otwarty).",
    set_branches_del_ok: "Usuń oddział",
    set_branches_deleted: "Oddział {name} został usunięty.",
  },
};

// The hours, closed dates and logo parts of the form bring their own words.
export const words = Object.fromEntries(
  Object.entries(OWN_WORDS).map(([lang, own]) => [
    lang,
    { ...own, ...HOURS_WORDS[lang], ...CLOSED_WORDS[lang], ...LOGO_WORDS[lang] },
  ]),
);

const LANG_NAMES = { en: "English", tr: "Türkçe", el: "Ελληνικά", pl: "Polski" };
const ALL_LANGS = ["en", "tr", "el", "pl"];
const CODE_RE = /^[a-z0-9][a-z0-9_-]*$/;
const PAGE_SIZE = 20;

let current = null;
let zonesCache = null;

export function unmount() {
  if (current) current.alive = false;
  current = null;
}

function zones() {
  if (!zonesCache) {
    let list = [];
    try {
      list = Intl.supportedValuesOf("timeZone");
    } catch {
      list = [];
    }
    zonesCache = ["UTC", ...list.filter((z) => z !== "UTC")];
  }
  return zonesCache;
}

function zoneOk(value) {
  const z = String(value || "").trim();
  if (!z) return false;
  if (z === "UTC" || zones().includes(z)) return true;
  try {
    new Intl.DateTimeFormat("en", { timeZone: z });
    return z.includes("/");
  } catch {
    return false;
  }
}

export function mount(root, ctx) {
  unmount();
  const me = { alive: true };
  current = me;
  const { t, api } = ctx;
  const admin = ctx.me?.role === "admin";
  const s = { rows: [], query: "", page: 1, editing: null };

  const listHost = el("div", { class: "cfg-list", "data-testid": "br-list" });
  const editorHost = el("div", { class: "cfg-editor-host" });
  const alertLine = el("p", { class: "cfg-alert", role: "alert", "data-testid": "br-alert", hidden: true });
  const alertAction = el("button", {
    type: "button",
    class: "btn",
    hidden: true,
    text: t("set_branches_reload_list"),
    onclick: () => refresh(),
  });
  const search = el("input", {
    type: "search",
    id: "br-search",
    class: "cfg-search",
    "data-testid": "br-search",
    oninput: (e) => {
      s.query = e.target.value;
      s.page = 1;
      drawList();
    },
  });

  root.replaceChildren(
    el("h2", { class: "cfg-title", text: t("set_branches_title") }),
    el("p", { class: "muted cfg-lead", text: t("set_branches_lead") }),
    el(
      "div",
      { class: "cfg-toolbar" },
      el("div", { class: "cfg-search-box" }, el("label", { for: "br-search", text: t("set_branches_search") }), search),
      admin
        ? el("button", {
            type: "button",
            class: "btn btn-primary",
            "data-testid": "br-new",
            text: t("set_branches_new"),
            onclick: () => openEditor(null),
          })
        : null,
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

  const sayError = (err) => say(err instanceof ApiError && err.offline ? t("set_offline") : err.detail || String(err));

  async function refresh() {
    try {
      const rows = await api.get("/api/v1/admin/branches");
      if (!me.alive) return;
      s.rows = rows;
      say("");
    } catch (err) {
      if (me.alive) sayError(err);
      return;
    }
    drawList();
  }

  async function branchesChanged() {
    try {
      await ctx.reloadBranches?.();
    } catch {
      // the picker keeps its old names until the next visit
    }
  }

  // ------------------------------------------------------------------------------ list

  function langsText(b) {
    return b.languages
      .map((l) => (l === b.default_lang ? t("set_branches_default_mark", { lang: LANG_NAMES[l] || l }) : LANG_NAMES[l] || l))
      .join(", ");
  }

  function drawList() {
    if (!me.alive) return;
    if (!s.rows.length) {
      listHost.replaceChildren(el("p", { class: "muted", text: t("set_branches_empty") }));
      return;
    }
    const found = s.rows.filter((b) => matches(`${b.code} ${b.name} ${b.timezone}`, s.query));
    const view = pager(found, s.page, PAGE_SIZE);
    s.page = view.page;
    const body = view.rows.map((b) =>
      el(
        "tr",
        { "data-testid": `br-row-${b.code}`, class: b.code === ctx.branch ? "cfg-current" : null },
        el("th", { scope: "row", class: "cfg-code", text: b.code }),
        el("td", { text: b.name }),
        el("td", { text: b.timezone }),
        el("td", { text: langsText(b) }),
        el(
          "td",
          {},
          el("span", {
            class: `cfg-status ${b.is_open ? "is-on" : "is-off"}`,
            "data-testid": `br-status-${b.code}`,
            text: b.is_open ? t("set_branches_open") : t("set_branches_closed"),
          }),
        ),
        el(
          "td",
          { class: "cfg-actions" },
          el("button", {
            type: "button",
            class: "btn",
            "data-testid": `br-edit-${b.code}`,
            "aria-label": t("set_branches_edit_label", { name: b.name }),
            text: t("set_branches_edit"),
            onclick: () => openEditor(b),
          }),
          admin
            ? el("button", {
                type: "button",
                class: "btn btn-quiet-danger",
                "data-testid": `br-delete-${b.code}`,
                "aria-label": t("set_branches_delete_label", { name: b.name }),
                text: t("set_branches_delete"),
                onclick: () => remove(b),
              })
            : null,
        ),
      ),
    );
    const head = [
      "set_branches_col_code",
      "set_branches_col_name",
      "set_branches_col_zone",
      "set_branches_col_langs",
      "set_branches_col_status",
      "set_branches_col_actions",
    ].map((k) => el("th", { scope: "col", text: t(k) }));
    listHost.replaceChildren(
      ...listView({
        testid: "br-table",
        caption: t("set_branches_title"),
        head,
        rows: found.length ? body : [],
        empty: t("set_branches_no_match"),
        view,
        onPage: (p) => {
          s.page = p;
          drawList();
        },
        t,
      }),
    );
  }

  async function remove(b) {
    say("");
    const ok = await ctx.confirm({
      title: t("set_branches_del_title", { name: b.name }),
      body: [t("set_branches_del_body"), t("set_branches_del_history")],
      confirm: t("set_branches_del_ok"),
      danger: true,
    });
    if (!ok || !me.alive) return;
    try {
      await api.delete(`/api/v1/admin/branches/${encodeURIComponent(b.code)}`);
    } catch (err) {
      // "branch demo has ticket history; close it (is_open=false) instead": as the server says.
      if (me.alive) sayError(err);
      return;
    }
    if (s.editing && s.editing.code === b.code) closeEditor();
    ctx.toast(t("set_branches_deleted", { name: b.name }));
    await branchesChanged();
    await refresh();
  }

  // ------------------------------------------------------------------------------ form

  function closeEditor() {
    s.editing = null;
    editorHost.replaceChildren();
  }

  async function reloadRow(code) {
    try {
      const fresh = await api.get(`/api/v1/admin/branches/${encodeURIComponent(code)}`);
      if (!me.alive) return;
      await refresh();
      openEditor(fresh);
    } catch (err) {
      if (me.alive) sayError(err);
    }
  }

  /** A <select> whose hint says what the chosen value does. */
  function explained(name, label, prefix, options, value, testid) {
    const select = el(
      "select",
      { "data-testid": testid },
      ...options.map((o) => el("option", { value: o, selected: o === value, text: t(`${prefix}_${o}`) })),
    );
    const row = fieldRow(name, t(label), select, t(`${prefix}_${value}_hint`));
    const hint = row.querySelector(".field-hint");
    hint.setAttribute("data-testid", `${testid}-hint`);
    select.addEventListener("change", () => {
      hint.textContent = t(`${prefix}_${select.value}_hint`);
    });
    return row;
  }

  function checkRow(name, label, hint, checked, testid) {
    const id = `br-${name}-input`;
    return el(
      "div",
      { class: "cfg-check" },
      el("input", { type: "checkbox", id, name, checked, "data-testid": testid, "aria-describedby": `${id}-hint` }),
      el(
        "div",
        {},
        el("label", { for: id, text: label }),
        el("p", { class: "muted small field-hint", id: `${id}-hint`, text: hint }),
      ),
    );
  }

  function openEditor(b) {
    const creating = !b;
    s.editing = { code: b?.code || null };
    const formError = el("p", { "data-form-error": "", role: "alert", "data-testid": "br-form-error", hidden: true });
    const reloadBtn = el("button", {
      type: "button",
      class: "btn",
      "data-testid": "br-reload",
      hidden: true,
      text: t("set_branches_reload"),
      onclick: () => reloadRow(b.code),
    });
    const codeInput = el("input", { type: "text", maxlength: 32, autocomplete: "off", spellcheck: "false", "data-testid": "br-code" });
    const nameInput = el("input", { type: "text", maxlength: 200, "data-testid": "br-name", value: b ? b.name : "" });
    const zoneList = el("datalist", { id: "br-zone-list" }, ...zones().map((z) => el("option", { value: z })));
    const zoneInput = el("input", {
      type: "text",
      list: "br-zone-list",
      autocomplete: "off",
      spellcheck: "false",
      "data-testid": "br-timezone",
      value: b ? b.timezone : Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
    });

    const langs = b ? [...b.languages] : ["en"];
    const langBoxes = ALL_LANGS.map((l) => {
      const id = `br-lang-${l}`;
      return el(
        "span",
        { class: "cfg-lang-choice" },
        el("input", {
          type: "checkbox",
          id,
          name: "languages",
          value: l,
          checked: langs.includes(l),
          "data-testid": `br-lang-${l}`,
          onchange: () => syncDefault(),
        }),
        el("label", { for: id, lang: l, text: LANG_NAMES[l] }),
      );
    });
    const langsError = el("p", { class: "field-error", id: "br-langs-err", "data-error-for": "languages", role: "alert", hidden: true });
    const defaultSelect = el("select", { "data-testid": "br-default" });
    function chosenLangs() {
      return [...form.querySelectorAll("input[name='languages']:checked")].map((i) => i.value);
    }
    function syncDefault(initial = null) {
      const chosen = chosenLangs();
      const keep = initial || defaultSelect.value;
      defaultSelect.replaceChildren(
        ...chosen.map((l) => el("option", { value: l, lang: l, selected: l === keep, text: LANG_NAMES[l] })),
      );
      if (form.dataset.submitted || form.dataset.langsTouched) {
        const problem = rules.languages();
        langsError.textContent = problem ? t(problem) : "";
        langsError.hidden = !problem;
      }
      form.dataset.langsTouched = "1";
    }

    const rules = {
      name: (v) => {
        const x = String(v || "").trim();
        return x && x.length <= 200 ? null : "set_branches_err_name";
      },
      timezone: (v) => (zoneOk(v) ? null : "set_branches_err_zone"),
      languages: () => (chosenLangs().length ? null : "set_branches_err_langs"),
      default_lang: (v) => (chosenLangs().length && !chosenLangs().includes(v) ? "set_branches_err_default" : null),
    };
    if (creating) {
      rules.code = (v) => {
        const c = String(v || "").trim();
        if (!c || c.length > 32 || !CODE_RE.test(c)) return "set_branches_err_code";
        if (s.rows.some((r) => r.code === c)) return "set_branches_err_code_taken";
        return null;
      };
    }

    const parts = [
      el("div", { class: "cfg-grid" },
        creating ? fieldRow("code", t("set_branches_code"), codeInput, t("set_branches_code_hint")) : null,
        fieldRow("name", t("set_branches_name"), nameInput),
        fieldRow("timezone", t("set_branches_zone"), zoneInput, t("set_branches_zone_hint")),
      ),
      zoneList,
      el(
        "fieldset",
        { class: "cfg-fieldset", "aria-describedby": "br-langs-hint" },
        el("legend", { text: t("set_branches_langs") }),
        el("p", { class: "muted small field-hint", id: "br-langs-hint", text: t("set_branches_langs_hint") }),
        el("div", { class: "cfg-lang-choices" }, ...langBoxes),
        langsError,
        el("div", { class: "cfg-grid" }, fieldRow("default_lang", t("set_branches_default"), defaultSelect, t("set_branches_default_hint"))),
      ),
    ];

    let messageInput = null;
    let ratioInput = null;
    let maxWaitInput = null;
    let hours = null;
    let closedDates = null;
    if (!creating) {
      const locale = ctx.locale();
      hours = hoursEditor({ hours: b.opening_hours ?? null, zone: b.timezone, t, locale });
      closedDates = closedDatesEditor({ dates: b.closed_dates || [], t, locale });
      const logo = logoEditor({
        branch: b,
        api,
        t,
        locale,
        confirm: ctx.confirm,
        // The logo is saved on its own; when that is the branch's only change since the form
        // opened, the form's version follows it (anyone else's change is still refused).
        onChange: async () => {
          try {
            const fresh = await api.get(`/api/v1/admin/branches/${encodeURIComponent(b.code)}`);
            if (fresh.version === b.version + 1) b.version = fresh.version;
          } catch {
            // the save will say so if the version is stale
          }
        },
      });
      messageInput = el("textarea", { rows: 2, maxlength: 500, "data-testid": "br-message" });
      messageInput.value = b.message || "";
      ratioInput = el("input", {
        type: "number",
        min: "1",
        max: "20",
        step: "1",
        inputmode: "numeric",
        "data-testid": "br-priority_ratio",
        value: String(b.priority_ratio),
      });
      maxWaitInput = el("input", {
        type: "number",
        min: "1",
        max: "1440",
        step: "1",
        inputmode: "numeric",
        "data-testid": "br-max_wait",
        value: b.max_wait_s === null ? "" : String(Math.round(b.max_wait_s / 60)),
      });
      rules.message = (v) => (String(v || "").length <= 500 ? null : "set_branches_err_message");
      rules.priority_ratio = (v) => {
        const x = String(v || "").trim();
        return /^\d{1,2}$/.test(x) && Number(x) >= 1 && Number(x) <= 20 ? null : "set_branches_err_ratio";
      };
      rules.max_wait_s = (v) => {
        const x = String(v || "").trim();
        if (!x) return null;
        return /^\d{1,4}$/.test(x) && Number(x) >= 1 && Number(x) <= 1440 ? null : "set_branches_err_max_wait";
      };
      const ratioRow = fieldRow("priority_ratio", t("set_branches_ratio"), ratioInput, t("set_branches_ratio_hint"));
      const priorityRow = explained(
        "priority_mode",
        "set_branches_priority_mode",
        "set_branches_priority",
        ["none", "strict", "ratio"],
        b.priority_mode,
        "br-priority_mode",
      );
      const prioritySelect = priorityRow.querySelector("select");
      ratioRow.hidden = prioritySelect.value !== "ratio";
      prioritySelect.addEventListener("change", () => {
        ratioRow.hidden = prioritySelect.value !== "ratio";
      });
      parts.push(
        el("div", { class: "cfg-grid cfg-grid-wide" }, fieldRow("message", t("set_branches_message"), messageInput, t("set_branches_message_hint"))),
        logo.node,
        checkRow("is_open", t("set_branches_is_open"), t("set_branches_is_open_hint"), b.is_open, "br-open"),
        hours.node,
        closedDates.node,
        el(
          "fieldset",
          { class: "cfg-fieldset", "aria-describedby": "br-ordering-hint" },
          el("legend", { text: t("set_branches_ordering") }),
          el("p", { class: "muted small field-hint", id: "br-ordering-hint", text: t("set_branches_ordering_hint") }),
          el(
            "div",
            { class: "cfg-grid" },
            explained("order_mode", "set_branches_order_mode", "set_branches_order", ["fifo", "service_order"], b.order_mode, "br-order_mode"),
            priorityRow,
            ratioRow,
            fieldRow("max_wait_s", t("set_branches_max_wait"), maxWaitInput, t("set_branches_max_wait_hint")),
            explained("transfer_placement", "set_branches_transfer", "set_branches_transfer", ["first", "arrival"], b.transfer_placement, "br-transfer_placement"),
          ),
          checkRow(
            "keep_waiting_at_close",
            t("set_branches_keep"),
            t("set_branches_keep_hint"),
            b.keep_waiting_at_close,
            "br-keep_waiting",
          ),
        ),
      );
    }

    const save = el("button", {
      type: "submit",
      class: "btn btn-primary",
      "data-testid": "br-save",
      text: creating ? t("set_branches_create") : t("set_branches_save"),
    });
    const form = el(
      "form",
      { class: "cfg-form", novalidate: true, "data-testid": "br-form", "aria-labelledby": "br-form-title" },
      el("h3", { id: "br-form-title", text: creating ? t("set_branches_form_new") : t("set_branches_form_edit", { name: b.name }) }),
      formError,
      reloadBtn,
      ...parts,
      el(
        "div",
        { class: "cfg-form-actions" },
        el("button", { type: "button", class: "btn", "data-testid": "br-cancel", text: t("set_branches_cancel"), onclick: () => closeEditor() }),
        save,
      ),
    );
    syncDefault(b ? b.default_lang : "en");
    delete form.dataset.langsTouched;
    liveCheck(form, rules, t);
    // A click on a button must not first blur a field: its message appearing would move the
    // button away between press and release, and the click would be lost.
    form.addEventListener("mousedown", (e) => {
      if (e.target.closest("button")) e.preventDefault();
    });

    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      form.dataset.submitted = "1";
      reloadBtn.hidden = true;
      // check() clears every message first, so the hours and dates are checked after it.
      const fieldsOk = check(form, rules, t);
      const hoursOk = creating || [hours.check(), closedDates.check()].every(Boolean);
      if (!fieldsOk || !hoursOk) {
        for (const f of form.querySelectorAll("[name]")) f.dataset.touched = "1";
        (form.querySelector("[aria-invalid='true']") || (langsError.hidden ? null : form.querySelector("input[name='languages']")))?.focus();
        return;
      }
      const val = (name) => form.querySelector(`[name="${name}"]`);
      const body = {
        name: nameInput.value.trim(),
        timezone: zoneInput.value.trim(),
        languages: chosenLangs(),
        default_lang: defaultSelect.value,
      };
      if (!creating) {
        const maxWait = maxWaitInput.value.trim();
        Object.assign(body, {
          message: messageInput.value,
          is_open: val("is_open").checked,
          order_mode: val("order_mode").value,
          priority_mode: val("priority_mode").value,
          priority_ratio: Number(ratioInput.value),
          max_wait_s: maxWait ? Number(maxWait) * 60 : null,
          transfer_placement: val("transfer_placement").value,
          keep_waiting_at_close: val("keep_waiting_at_close").checked,
          opening_hours: hours.value(),
          closed_dates: closedDates.value(),
          version: b.version,
        });
      }
      save.disabled = true;
      try {
        if (creating) await api.post("/api/v1/admin/branches", { code: codeInput.value.trim(), ...body });
        else await api.patch(`/api/v1/admin/branches/${encodeURIComponent(b.code)}`, body);
      } catch (err) {
        if (!me.alive) return;
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
      await branchesChanged();
      await refresh();
    });

    clearErrors(form);
    editorHost.replaceChildren(el("div", { class: "cfg-editor" }, form));
    (creating ? codeInput : nameInput).focus();
  }

  refresh();
}
