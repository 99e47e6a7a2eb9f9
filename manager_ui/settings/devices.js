/**
 * manager_ui/settings/devices.js — Settings › Devices: the kiosks, displays, speakers and
 * agents of the branch (an administrator may list every branch's), each with its last contact
 * on its branch's clock and its printer's state; rename, move to another branch (admin),
 * revoke (its screen returns to the pairing screen at once), its printer per transport with a
 * test ticket (admin; a manager reads it), and "Pair a device" by the code its screen shows.
 *
 * A device's pairing QR opens /manager/#pair=CODE: when the section mounts with that fragment
 * the pairing form is filled in with the code (the shell must open this section for it).
 */

import { ApiError } from "/ui/api.js";
import { el } from "/ui/staff.js";
import { clearErrors, showErrors } from "./forms.js";
import { ago } from "../util.js";

export const words = {
  en: {
    set_devices_title: "Devices",
    set_devices_lead: "Kiosks, call displays, speakers and device agents, with their last contact and printer.",
    set_devices_all: "Show every branch",
    set_devices_none: "No devices in this branch yet. Pair one with the code its screen shows.",
    set_devices_revoked_list: "Revoked devices ({n})",
    set_devices_kind: "Kind",
    set_devices_name: "Name",
    set_devices_branch: "Branch",
    set_devices_contact: "Last contact",
    set_devices_printer: "Printer",
    set_devices_no_printer: "no printer",
    set_devices_printer_ok: "ready",
    set_devices_printer_unknown: "state not read yet",
    set_devices_printer_silent: "cannot report its state",
    set_devices_revoked: "revoked",
    set_devices_manage: "Manage {name}",
    set_devices_rename: "Rename",
    set_devices_save_name: "Save name",
    set_devices_renamed: "Renamed to {name}.",
    set_devices_move: "Move to branch",
    set_devices_move_btn: "Move",
    set_devices_moved: "{name} moved to {branch}. Its screen reconnects to that branch.",
    set_devices_revoke: "Revoke",
    set_devices_revoke_title: "Revoke {name}?",
    set_devices_revoke_body:
      "Its screen returns to the pairing screen at once and its token stops working. To use it again, pair it with a new code.",
    set_devices_revoked_done: "{name} was revoked.",
    set_devices_printer_title: "Printer",
    set_devices_transport: "Connection",
    set_devices_tr_none: "No printer",
    set_devices_tr_network: "Network (IP address)",
    set_devices_tr_serial: "Serial port",
    set_devices_tr_usb: "USB",
    set_devices_tr_file: "File or device path",
    set_devices_tr_dummy: "Test printer (prints nothing)",
    set_devices_host: "Host name or IP address",
    set_devices_port: "TCP port",
    set_devices_serial: "Serial port",
    set_devices_serial_hint: "For example /dev/ttyUSB0 or COM3",
    set_devices_baud: "Speed (baud)",
    set_devices_vendor: "Vendor id (hex)",
    set_devices_product: "Product id (hex)",
    set_devices_usb_hint: "As lsusb shows it, for example 04b8",
    set_devices_path: "Path",
    set_devices_path_hint: "A file to append to, or a printer device such as /dev/usb/lp0",
    set_devices_paper: "Paper width",
    set_devices_paper_mm: "{mm} mm",
    set_devices_via: "Driven by",
    set_devices_via_auto: "Automatic",
    set_devices_via_server: "The server",
    set_devices_via_agent: "The agent on the device's PC",
    set_devices_printer_save: "Save printer",
    set_devices_printer_saved: "Printer settings of {name} saved.",
    set_devices_readonly:
      "Only an administrator can change the printer: its connection reaches into the hardware of the machine that drives it.",
    set_devices_test: "Print a test ticket",
    set_devices_testing: "Printing…",
    set_devices_test_ok: "Printed. The printer says: {state}.",
    set_devices_test_queued: "Sent to the device's agent: it prints as soon as the agent is connected.",
    set_devices_test_failed: "Not printed. The printer says: {state}.",
    set_devices_required: "Fill this in.",
    set_devices_bad_host: "Write a host name or an IP address, such as 192.168.1.50.",
    set_devices_bad_port: "Write a port number from 1 to 65535.",
    set_devices_bad_usb: "Write the id in hex, such as 04b8.",
    set_devices_pair_title: "Pair a device",
    set_devices_pair_lead:
      "Open Sira on the device: it shows a code such as K7QM-4XPA. Enter it here and the device starts within a few seconds.",
    set_devices_code: "Code shown on the device",
    set_devices_pair_btn: "Pair",
    set_devices_paired: "{name} is paired. It starts within a few seconds.",
    set_devices_bad_code: "Write the code as the device shows it, such as K7QM-4XPA.",
    set_devices_unknown_code: "No device shows this code. Check it on the device's screen and try again.",
    set_devices_used_code: "This code was already used. The device shows a new code: enter that one.",
    set_devices_expired_code: "This code has expired. The device shows a new code: enter that one.",
    set_devices_too_many: "Too many wrong codes. Wait a few minutes, then try again.",
    set_devices_last_seen_now: "Online now",
    set_devices_never: "Never connected",
  },
  tr: {
    set_devices_title: "Cihazlar",
    set_devices_lead: "Bilet makineleri, çağrı ekranları, hoparlörler ve cihaz yazılımları; son bağlantıları ve yazıcılarıyla.",
    set_devices_all: "Tüm şubeleri göster",
    set_devices_none: "Bu şubede henüz cihaz yok. Ekranında gösterilen kodla bir cihaz eşleştirin.",
    set_devices_revoked_list: "Yetkisi kaldırılan cihazlar ({n})",
    set_devices_kind: "Tür",
    set_devices_name: "Ad",
    set_devices_branch: "Şube",
    set_devices_contact: "Son bağlantı",
    set_devices_printer: "Yazıcı",
    set_devices_no_printer: "yazıcı yok",
    set_devices_printer_ok: "hazır",
    set_devices_printer_unknown: "durum henüz okunmadı",
    set_devices_printer_silent: "durumunu bildiremiyor",
    set_devices_revoked: "yetkisi kaldırıldı",
    set_devices_manage: "{name} cihazını yönet",
    set_devices_rename: "Yeniden adlandır",
    set_devices_save_name: "Adı kaydet",
    set_devices_renamed: "Yeni adı: {name}.",
    set_devices_move: "Taşınacağı şube",
    set_devices_move_btn: "Taşı",
    set_devices_moved: "{name}, {branch} şubesine taşındı. Ekranı bu şubeye yeniden bağlanıyor.",
    set_devices_revoke: "Yetkiyi kaldır",
    set_devices_revoke_title: "{name} cihazının yetkisi kaldırılsın mı?",
    set_devices_revoke_body:
      "Ekranı hemen eşleştirme ekranına döner ve anahtarı artık çalışmaz. Yeniden kullanmak için yeni bir kodla eşleştirin.",
    set_devices_revoked_done: "{name} cihazının yetkisi kaldırıldı.",
    set_devices_printer_title: "Yazıcı",
    set_devices_transport: "Bağlantı",
    set_devices_tr_none: "Yazıcı yok",
    set_devices_tr_network: "Ağ (IP adresi)",
    set_devices_tr_serial: "Seri port",
    set_devices_tr_usb: "USB",
    set_devices_tr_file: "Dosya veya aygıt yolu",
    set_devices_tr_dummy: "Deneme yazıcısı (hiçbir şey basmaz)",
    set_devices_host: "Sunucu adı veya IP adresi",
    set_devices_port: "TCP portu",
    set_devices_serial: "Seri port",
    set_devices_serial_hint: "Örneğin /dev/ttyUSB0 veya COM3",
    set_devices_baud: "Hız (baud)",
    set_devices_vendor: "Üretici kimliği (onaltılık)",
    set_devices_product: "Ürün kimliği (onaltılık)",
    set_devices_usb_hint: "lsusb'nin gösterdiği gibi, örneğin 04b8",
    set_devices_path: "Yol",
    set_devices_path_hint: "Sonuna yazılacak bir dosya ya da /dev/usb/lp0 gibi bir yazıcı aygıtı",
    set_devices_paper: "Kâğıt genişliği",
    set_devices_paper_mm: "{mm} mm",
    set_devices_via: "Yazıcıyı süren",
    set_devices_via_auto: "Otomatik",
    set_devices_via_server: "Sunucu",
    set_devices_via_agent: "Cihazın bilgisayarındaki yazılım",
    set_devices_printer_save: "Yazıcıyı kaydet",
    set_devices_printer_saved: "{name} yazıcı ayarları kaydedildi.",
    set_devices_readonly:
      "Yazıcıyı yalnızca bir yönetici değiştirebilir: bağlantısı, onu süren bilgisayarın donanımına erişir.",
    set_devices_test: "Deneme bileti bas",
    set_devices_testing: "Basılıyor…",
    set_devices_test_ok: "Basıldı. Yazıcının yanıtı: {state}.",
    set_devices_test_queued: "Cihazın yazılımına gönderildi: yazılım bağlanır bağlanmaz basılacak.",
    set_devices_test_failed: "Basılamadı. Yazıcının yanıtı: {state}.",
    set_devices_required: "Bu alanı doldurun.",
    set_devices_bad_host: "Bir sunucu adı veya 192.168.1.50 gibi bir IP adresi yazın.",
    set_devices_bad_port: "1 ile 65535 arasında bir port numarası yazın.",
    set_devices_bad_usb: "Kimliği 04b8 gibi onaltılık yazın.",
    set_devices_pair_title: "Cihaz eşleştir",
    set_devices_pair_lead:
      "Cihazda Sira'yı açın: K7QM-4XPA gibi bir kod gösterir. Kodu buraya yazın; cihaz birkaç saniye içinde çalışmaya başlar.",
    set_devices_code: "Cihazda görünen kod",
    set_devices_pair_btn: "Eşleştir",
    set_devices_paired: "{name} eşleştirildi. Birkaç saniye içinde çalışmaya başlar.",
    set_devices_bad_code: "Kodu cihazda göründüğü gibi yazın, örneğin K7QM-4XPA.",
    set_devices_unknown_code: "Bu kodu gösteren bir cihaz yok. Kodu cihazın ekranından kontrol edip tekrar deneyin.",
    set_devices_used_code: "Bu kod zaten kullanıldı. Cihaz yeni bir kod gösteriyor: onu yazın.",
    set_devices_expired_code: "Bu kodun süresi doldu. Cihaz yeni bir kod gösteriyor: onu yazın.",
    set_devices_too_many: "Çok fazla yanlış kod girildi. Birkaç dakika bekleyip tekrar deneyin.",
    set_devices_last_seen_now: "Şu an çevrimiçi",
    set_devices_never: "Hiç bağlanmadı",
  },
  el: {
    set_devices_title: "Συσκευές",
    set_devices_lead: "Μηχανήματα έκδοσης αριθμών, οθόνες κλήσεων, ηχεία και προγράμματα διαχείρισης συσκευών, με την τελευταία επικοινωνία και τον εκτυπωτή τους.",
    set_devices_all: "Όλα τα καταστήματα",
    set_devices_none: "Δεν υπάρχουν ακόμη συσκευές σε αυτό το κατάστημα. Συνδέστε μία με τον κωδικό που δείχνει η οθόνη της.",
    set_devices_revoked_list: "Συσκευές με ανάκληση ({n})",
    set_devices_kind: "Είδος",
    set_devices_name: "Όνομα",
    set_devices_branch: "Κατάστημα",
    set_devices_contact: "Τελευταία επικοινωνία",
    set_devices_printer: "Εκτυπωτής",
    set_devices_no_printer: "χωρίς εκτυπωτή",
    set_devices_printer_ok: "έτοιμος",
    set_devices_printer_unknown: "η κατάσταση δεν έχει διαβαστεί ακόμη",
    set_devices_printer_silent: "δεν μπορεί να αναφέρει την κατάστασή του",
    set_devices_revoked: "ανακλήθηκε",
    set_devices_manage: "Διαχείριση: {name}",
    set_devices_rename: "Μετονομασία",
    set_devices_save_name: "Αποθήκευση ονόματος",
    set_devices_renamed: "Νέο όνομα: {name}.",
    set_devices_move: "Μεταφορά σε κατάστημα",
    set_devices_move_btn: "Μεταφορά",
    set_devices_moved: "Η συσκευή {name} μεταφέρθηκε στο κατάστημα {branch}. Η οθόνη της συνδέεται ξανά σε αυτό.",
    set_devices_revoke: "Ανάκληση",
    set_devices_revoke_title: "Ανάκληση της συσκευής {name};",
    set_devices_revoke_body:
      "Η οθόνη της επιστρέφει αμέσως στην οθόνη σύνδεσης και το κλειδί της παύει να ισχύει. Για να τη χρησιμοποιήσετε ξανά, συνδέστε τη με νέο κωδικό.",
    set_devices_revoked_done: "Η συσκευή {name} ανακλήθηκε.",
    set_devices_printer_title: "Εκτυπωτής",
    set_devices_transport: "Σύνδεση",
    set_devices_tr_none: "Χωρίς εκτυπωτή",
    set_devices_tr_network: "Δίκτυο (διεύθυνση IP)",
    set_devices_tr_serial: "Σειριακή θύρα",
    set_devices_tr_usb: "USB",
    set_devices_tr_file: "Αρχείο ή διαδρομή συσκευής",
    set_devices_tr_dummy: "Δοκιμαστικός εκτυπωτής (δεν τυπώνει τίποτα)",
    set_devices_host: "Όνομα υπολογιστή ή διεύθυνση IP",
    set_devices_port: "Θύρα TCP",
    set_devices_serial: "Σειριακή θύρα",
    set_devices_serial_hint: "Για παράδειγμα /dev/ttyUSB0 ή COM3",
    set_devices_baud: "Ταχύτητα (baud)",
    set_devices_vendor: "Κωδικός κατασκευαστή (δεκαεξαδικός)",
    set_devices_product: "Κωδικός προϊόντος (δεκαεξαδικός)",
    set_devices_usb_hint: "Όπως τον δείχνει το lsusb, για παράδειγμα 04b8",
    set_devices_path: "Διαδρομή",
    set_devices_path_hint: "Ένα αρχείο στο τέλος του οποίου γράφεται, ή μια συσκευή εκτυπωτή όπως /dev/usb/lp0",
    set_devices_paper: "Πλάτος χαρτιού",
    set_devices_paper_mm: "{mm} mm",
    set_devices_via: "Τον οδηγεί",
    set_devices_via_auto: "Αυτόματα",
    set_devices_via_server: "Ο διακομιστής",
    set_devices_via_agent: "Το πρόγραμμα στον υπολογιστή της συσκευής",
    set_devices_printer_save: "Αποθήκευση εκτυπωτή",
    set_devices_printer_saved: "Οι ρυθμίσεις εκτυπωτή της συσκευής {name} αποθηκεύτηκαν.",
    set_devices_readonly:
      "Μόνο ένας διαχειριστής μπορεί να αλλάξει τον εκτυπωτή: η σύνδεσή του φτάνει στο υλικό του υπολογιστή που τον οδηγεί.",
    set_devices_test: "Εκτύπωση δοκιμαστικού αριθμού",
    set_devices_testing: "Εκτύπωση…",
    set_devices_test_ok: "Τυπώθηκε. Ο εκτυπωτής απαντά: {state}.",
    set_devices_test_queued: "Στάλθηκε στο πρόγραμμα της συσκευής: θα τυπωθεί μόλις συνδεθεί.",
    set_devices_test_failed: "Δεν τυπώθηκε. Ο εκτυπωτής απαντά: {state}.",
    set_devices_required: "Συμπληρώστε το πεδίο.",
    set_devices_bad_host: "Γράψτε όνομα υπολογιστή ή διεύθυνση IP, όπως 192.168.1.50.",
    set_devices_bad_port: "Γράψτε αριθμό θύρας από 1 έως 65535.",
    set_devices_bad_usb: "Γράψτε τον κωδικό σε δεκαεξαδική μορφή, όπως 04b8.",
    set_devices_pair_title: "Σύνδεση συσκευής",
    set_devices_pair_lead:
      "Ανοίξτε το Sira στη συσκευή: δείχνει έναν κωδικό όπως K7QM-4XPA. Γράψτε τον εδώ και η συσκευή ξεκινά σε λίγα δευτερόλεπτα.",
    set_devices_code: "Κωδικός που δείχνει η συσκευή",
    set_devices_pair_btn: "Σύνδεση",
    set_devices_paired: "Η συσκευή {name} συνδέθηκε. Ξεκινά σε λίγα δευτερόλεπτα.",
    set_devices_bad_code: "Γράψτε τον κωδικό όπως τον δείχνει η συσκευή, για παράδειγμα K7QM-4XPA.",
    set_devices_unknown_code: "Καμία συσκευή δεν δείχνει αυτόν τον κωδικό. Ελέγξτε τον στην οθόνη της συσκευής και δοκιμάστε ξανά.",
    set_devices_used_code: "Ο κωδικός έχει ήδη χρησιμοποιηθεί. Η συσκευή δείχνει νέο κωδικό: γράψτε αυτόν.",
    set_devices_expired_code: "Ο κωδικός έληξε. Η συσκευή δείχνει νέο κωδικό: γράψτε αυτόν.",
    set_devices_too_many: "Πάρα πολλοί λάθος κωδικοί. Περιμένετε λίγα λεπτά και δοκιμάστε ξανά.",
    set_devices_last_seen_now: "Συνδεδεμένη τώρα",
    set_devices_never: "Δεν έχει συνδεθεί ποτέ",
  },
  pl: {
    set_devices_title: "Urządzenia",
    set_devices_lead: "Kioski, wyświetlacze wywołań, głośniki i agenci urządzeń, z ostatnim kontaktem i drukarką.",
    set_devices_all: "Pokaż wszystkie oddziały",
    set_devices_none: "W tym oddziale nie ma jeszcze urządzeń. Sparuj urządzenie kodem z jego ekranu.",
    set_devices_revoked_list: "Odłączone urządzenia ({n})",
    set_devices_kind: "Rodzaj",
    set_devices_name: "Nazwa",
    set_devices_branch: "Oddział",
    set_devices_contact: "Ostatni kontakt",
    set_devices_printer: "Drukarka",
    set_devices_no_printer: "brak drukarki",
    set_devices_printer_ok: "gotowa",
    set_devices_printer_unknown: "stan jeszcze nieodczytany",
    set_devices_printer_silent: "nie podaje swojego stanu",
    set_devices_revoked: "odłączone",
    set_devices_manage: "Zarządzaj: {name}",
    set_devices_rename: "Zmień nazwę",
    set_devices_save_name: "Zapisz nazwę",
    set_devices_renamed: "Nowa nazwa: {name}.",
    set_devices_move: "Przenieś do oddziału",
    set_devices_move_btn: "Przenieś",
    set_devices_moved: "Urządzenie {name} przeniesiono do oddziału {branch}. Jego ekran połączy się z nowym oddziałem.",
    set_devices_revoke: "Odłącz",
    set_devices_revoke_title: "Odłączyć urządzenie {name}?",
    set_devices_revoke_body:
      "Jego ekran od razu wraca do ekranu parowania, a jego klucz przestaje działać. Aby znów go używać, sparuj je nowym kodem.",
    set_devices_revoked_done: "Urządzenie {name} zostało odłączone.",
    set_devices_printer_title: "Drukarka",
    set_devices_transport: "Połączenie",
    set_devices_tr_none: "Brak drukarki",
    set_devices_tr_network: "Sieć (adres IP)",
    set_devices_tr_serial: "Port szeregowy",
    set_devices_tr_usb: "USB",
    set_devices_tr_file: "Plik lub ścieżka urządzenia",
    set_devices_tr_dummy: "Drukarka testowa (nic nie drukuje)",
    set_devices_host: "Nazwa hosta lub adres IP",
    set_devices_port: "Port TCP",
    set_devices_serial: "Port szeregowy",
    set_devices_serial_hint: "Na przykład /dev/ttyUSB0 lub COM3",
    set_devices_baud: "Prędkość (bodów)",
    set_devices_vendor: "Identyfikator producenta (szesnastkowo)",
    set_devices_product: "Identyfikator produktu (szesnastkowo)",
    set_devices_usb_hint: "Tak jak pokazuje lsusb, na przykład 04b8",
    set_devices_path: "Ścieżka",
    set_devices_path_hint: "Plik, do którego dopisywać, lub urządzenie drukarki, np. /dev/usb/lp0",
    set_devices_paper: "Szerokość papieru",
    set_devices_paper_mm: "{mm} mm",
    set_devices_via: "Obsługuje ją",
    set_devices_via_auto: "Automatycznie",
    set_devices_via_server: "Serwer",
    set_devices_via_agent: "Agent na komputerze urządzenia",
    set_devices_printer_save: "Zapisz drukarkę",
    set_devices_printer_saved: "Zapisano ustawienia drukarki urządzenia {name}.",
    set_devices_readonly:
      "Drukarkę może zmienić tylko administrator: jej połączenie sięga do sprzętu komputera, który ją obsługuje.",
    set_devices_test: "Wydrukuj bilet testowy",
    set_devices_testing: "Drukowanie…",
    set_devices_test_ok: "Wydrukowano. Odpowiedź drukarki: {state}.",
    set_devices_test_queued: "Wysłano do agenta urządzenia: wydrukuje, gdy tylko się połączy.",
    set_devices_test_failed: "Nie wydrukowano. Odpowiedź drukarki: {state}.",
    set_devices_required: "Uzupełnij to pole.",
    set_devices_bad_host: "Wpisz nazwę hosta lub adres IP, np. 192.168.1.50.",
    set_devices_bad_port: "Wpisz numer portu od 1 do 65535.",
    set_devices_bad_usb: "Wpisz identyfikator szesnastkowo, np. 04b8.",
    set_devices_pair_title: "Sparuj urządzenie",
    set_devices_pair_lead:
      "Otwórz Sirę na urządzeniu: pokaże kod, np. K7QM-4XPA. Wpisz go tutaj, a urządzenie uruchomi się w ciągu kilku sekund.",
    set_devices_code: "Kod widoczny na urządzeniu",
    set_devices_pair_btn: "Sparuj",
    set_devices_paired: "Urządzenie {name} zostało sparowane. Uruchomi się w ciągu kilku sekund.",
    set_devices_bad_code: "Wpisz kod tak, jak pokazuje go urządzenie, np. K7QM-4XPA.",
    set_devices_unknown_code: "Żadne urządzenie nie pokazuje tego kodu. Sprawdź go na ekranie urządzenia i spróbuj ponownie.",
    set_devices_used_code: "Ten kod został już użyty. Urządzenie pokazuje nowy kod: wpisz go.",
    set_devices_expired_code: "Ten kod wygasł. Urządzenie pokazuje nowy kod: wpisz go.",
    set_devices_too_many: "Zbyt wiele błędnych kodów. Odczekaj kilka minut i spróbuj ponownie.",
    set_devices_last_seen_now: "Online teraz",
    set_devices_never: "Nigdy niepołączone",
  },
};

const KINDS = ["kiosk", "display", "speaker", "agent"];
const TRANSPORTS = ["none", "network", "serial", "usb", "file", "dummy"];
const BAUDRATES = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200];
// The keys a transport owns (dropped when another is chosen: the server refuses extras).
const TRANSPORT_KEYS = [
  "host", "port", "device", "baudrate", "bytesize", "parity", "stopbits", "rtscts", "dsrdtr",
  "xonxoff", "vendor_id", "product_id", "interface", "in_ep", "out_ep", "path",
];
const ONLINE_WITHIN_MS = 60000;
const REFRESH_MS = 20000;
const CODE_RE = /^[A-Za-z0-9]{4}-?[A-Za-z0-9]{4}$/;
const HOST_RE = /^[A-Za-z0-9.\-:[\]_]+$/;
const USB_RE = /^(0x)?[0-9a-fA-F]{1,4}$/;

const state = { ctx: null, root: null, devices: [], zones: new Map(), showAll: false, timer: null, pairCode: null };

// ------------------------------------------------------------------------------ helpers

const isAdmin = () => state.ctx?.me?.role === "admin";
const tt = (key, vars) => state.ctx.t(key, vars);

function kindWord(kind) {
  const key = `kind_${kind}`;
  const text = tt(key);
  return text === key ? kind : text;
}

function printerWord(st) {
  const key = `printer_${st}`;
  const text = tt(key);
  if (text !== key) return text;
  if (st === "online") return tt("set_devices_printer_ok");
  if (st === "unknown") return tt("set_devices_printer_silent");
  return String(st || "").replaceAll("_", " ");
}

function branchName(code) {
  return state.ctx.branches.find((b) => b.code === code)?.name || code;
}

function link(d) {
  const parts = d.status || {};
  return parts.agent?.state ?? parts.screen?.state ?? null;
}

function isOnline(d, now) {
  if (!d.active) return false;
  const heard = d.last_seen_at ? now - Date.parse(d.last_seen_at) : Infinity;
  return link(d) === "online" || heard <= ONLINE_WITHIN_MS;
}

/** "14:05 (GMT+3)" (or with its date when not today) on the device's branch's clock. */
function zonedTime(iso, zone) {
  const at = new Date(iso);
  const loc = state.ctx.locale();
  const opts = (o) => {
    try {
      return new Intl.DateTimeFormat(loc, { ...o, timeZone: zone || undefined });
    } catch {
      return new Intl.DateTimeFormat(loc, o);
    }
  };
  const dayOf = (d) => opts({ year: "numeric", month: "2-digit", day: "2-digit" }).format(d);
  const time = opts({ hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(at);
  const zoneName =
    opts({ hour: "numeric", timeZoneName: "short" })
      .formatToParts(at)
      .find((p) => p.type === "timeZoneName")?.value || zone || "";
  if (dayOf(at) === dayOf(new Date())) return tt("time_in_zone", { time, zone: zoneName });
  const date = opts({ day: "numeric", month: "short", year: "numeric" }).format(at);
  return tt("date_time_in_zone", { date, time, zone: zoneName });
}

function contactLine(d, now = Date.now()) {
  if (isOnline(d, now)) return tt("set_devices_last_seen_now");
  if (!d.last_seen_at) return tt("set_devices_never");
  return tt("last_contact", { ago: ago(d.last_seen_at, now), time: zonedTime(d.last_seen_at, state.zones.get(d.branch)) });
}

function printerLine(d) {
  if (!d.config?.printer) return { text: tt("set_devices_no_printer"), cls: "off" };
  const st = d.status?.printer?.state;
  if (!st) return { text: tt("set_devices_printer_unknown"), cls: "off" };
  return { text: printerWord(st), cls: st === "online" ? "ok" : st === "unknown" ? "off" : "bad" };
}

/** A labelled control with its error slot (ids unique per device). */
function row(id, name, label, input, hint = null) {
  input.id = id;
  input.name = name;
  const describedBy = [];
  const hintEl = hint ? el("p", { class: "muted small field-hint", id: `${id}-hint`, text: hint }) : null;
  if (hintEl) describedBy.push(hintEl.id);
  const err = el("p", { class: "field-error", id: `${id}-err`, "data-error-for": name, role: "alert", hidden: true });
  if (describedBy.length) input.setAttribute("aria-describedby", describedBy.join(" "));
  return el("div", { class: "field sd-field" }, el("label", { for: id, text: label }), input, hintEl, err);
}

function fieldError(form, name, key) {
  const slot = form.querySelector(`[data-error-for="${name}"]`);
  const input = form.querySelector(`[name="${name}"]`);
  if (!slot) return;
  slot.textContent = tt(key);
  slot.hidden = false;
  if (input) {
    input.setAttribute("aria-invalid", "true");
    const ids = new Set((input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean));
    ids.add(slot.id);
    input.setAttribute("aria-describedby", [...ids].join(" "));
  }
}

function select(options, chosen, attrs = {}) {
  return el(
    "select",
    attrs,
    ...options.map(([value, text]) => el("option", { value, text, selected: String(value) === String(chosen) })),
  );
}

// --------------------------------------------------------------------------------- data

async function load() {
  const [devices, branches] = await Promise.all([
    state.ctx.api.get("/api/v1/admin/devices"),
    state.zones.size ? null : state.ctx.api.get("/api/v1/admin/branches").catch(() => []),
  ]);
  if (branches) for (const b of branches) state.zones.set(b.code, b.timezone);
  state.devices = devices;
}

function shown() {
  const all = isAdmin() && state.showAll;
  return state.devices.filter((d) => all || d.branch === state.ctx.branch);
}

// ----------------------------------------------------------------------------- drawing

function draw() {
  const root = state.root;
  if (!root) return;
  const list = shown();
  const active = list.filter((d) => d.active);
  const revoked = list.filter((d) => !d.active);
  root.replaceChildren(
    el(
      "section",
      { class: "sd", "aria-labelledby": "sd-title", "data-testid": "settings-devices" },
      el("h2", { id: "sd-title", text: tt("set_devices_title") }),
      el("p", { class: "muted", text: tt("set_devices_lead") }),
      pairForm(),
      isAdmin()
        ? el(
            "label",
            { class: "sd-all" },
            el("input", {
              type: "checkbox",
              "data-testid": "sd-show-all",
              checked: state.showAll,
              onchange: (e) => {
                state.showAll = e.target.checked;
                draw();
              },
            }),
            el("span", { text: tt("set_devices_all") }),
          )
        : null,
      active.length
        ? el("ul", { class: "sd-list", "data-testid": "sd-list" }, ...active.map(deviceItem))
        : el("p", { class: "muted sd-empty", "data-testid": "sd-empty", text: tt("set_devices_none") }),
      revoked.length
        ? el(
            "details",
            { class: "sd-revoked" },
            el("summary", { text: tt("set_devices_revoked_list", { n: revoked.length }) }),
            el("ul", { class: "sd-list" }, ...revoked.map(deviceItem)),
          )
        : null,
    ),
  );
  if (state.pairCode) {
    root.querySelector('[name="name"]')?.focus();
  }
}

function deviceItem(d) {
  const pr = printerLine(d);
  const online = isOnline(d, Date.now());
  const summary = el(
    "div",
    { class: "sd-head" },
    el(
      "div",
      { class: "sd-id" },
      el("h3", { class: "sd-name", "data-testid": `sd-name-${d.id}`, text: d.name }),
      el(
        "p",
        { class: "muted small sd-meta" },
        el("span", { text: kindWord(d.kind) }),
        el("span", { "aria-hidden": "true", text: " · " }),
        el("span", { "data-testid": `sd-branch-${d.id}`, text: branchName(d.branch) }),
      ),
    ),
    el(
      "dl",
      { class: "sd-facts" },
      el("dt", { text: tt("set_devices_contact") }),
      el("dd", {
        class: online ? "sd-online" : null,
        "data-testid": `sd-contact-${d.id}`,
        "data-device": d.id,
        text: d.active ? contactLine(d) : tt("set_devices_revoked"),
      }),
      el("dt", { text: tt("set_devices_printer") }),
      el("dd", {}, el("span", { class: `dev-pill dev-${pr.cls}`, "data-testid": `sd-printer-state-${d.id}`, text: pr.text })),
    ),
  );
  if (!d.active) return el("li", { class: "sd-device sd-gone", "data-testid": `sd-device-${d.id}` }, summary);
  return el(
    "li",
    { class: "sd-device", "data-testid": `sd-device-${d.id}` },
    summary,
    el(
      "details",
      { class: "sd-manage", "data-device": d.id },
      el("summary", { "data-testid": `sd-open-${d.id}`, text: tt("set_devices_manage", { name: d.name }) }),
      el("div", { class: "sd-panels" }, renameForm(d), isAdmin() ? moveForm(d) : null, printerForm(d), revokeBox(d)),
    ),
  );
}

// ------------------------------------------------------------------------------- pairing

function pairForm() {
  const ctx = state.ctx;
  const codeIn = el("input", {
    "data-testid": "sd-pair-code",
    autocomplete: "off",
    autocapitalize: "characters",
    spellcheck: "false",
    placeholder: "K7QM-4XPA",
    maxlength: "16",
    required: true,
    value: state.pairCode || null,
  });
  const form = el(
    "form",
    { class: "sd-pair", "data-testid": "sd-pair-form", "aria-labelledby": "sd-pair-title", novalidate: true, onsubmit: pair },
    el("h3", { id: "sd-pair-title", text: tt("set_devices_pair_title") }),
    el("p", { class: "muted small", text: tt("set_devices_pair_lead") }),
    el(
      "div",
      { class: "sd-grid" },
      row("sd-pair-code", "code", tt("set_devices_code"), codeIn),
      row(
        "sd-pair-kind",
        "kind",
        tt("set_devices_kind"),
        select(KINDS.map((k) => [k, kindWord(k)]), "kiosk", { "data-testid": "sd-pair-kind" }),
      ),
      row("sd-pair-name", "name", tt("set_devices_name"), el("input", { "data-testid": "sd-pair-name", maxlength: "120", required: true, autocomplete: "off" })),
      row(
        "sd-pair-branch",
        "branch",
        tt("set_devices_branch"),
        select(ctx.branches.map((b) => [b.code, `${b.name} (${b.code})`]), ctx.branch, { "data-testid": "sd-pair-branch" }),
      ),
    ),
    el("p", { class: "field-error", "data-form-error": "", role: "alert", hidden: true }),
    el("div", { class: "form-actions" }, el("button", { type: "submit", class: "btn btn-primary", "data-testid": "sd-pair-submit", text: tt("set_devices_pair_btn") })),
  );
  return form;
}

const PAIR_REFUSALS = {
  unknown_code: "set_devices_unknown_code",
  used_code: "set_devices_used_code",
  pairing_expired: "set_devices_expired_code",
};

async function pair(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const code = form.elements.code.value.trim().toUpperCase();
  const name = form.elements.name.value.trim();
  let ok = true;
  if (!CODE_RE.test(code)) {
    fieldError(form, "code", code ? "set_devices_bad_code" : "set_devices_required");
    ok = false;
  }
  if (!name) {
    fieldError(form, "name", "set_devices_required");
    ok = false;
  }
  if (!ok) {
    form.querySelector("[aria-invalid='true']")?.focus();
    return;
  }
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const device = await state.ctx.api.post("/api/v1/admin/pairing", {
      code,
      kind: form.elements.kind.value,
      name,
      branch: form.elements.branch.value,
    });
    state.pairCode = null;
    if (/^#pair=/.test(location.hash)) history.replaceState(null, "", "#settings/devices");
    state.ctx.toast(tt("set_devices_paired", { name: device.name }));
    await refresh();
  } catch (err) {
    const key = err instanceof ApiError ? (err.status === 429 ? "set_devices_too_many" : PAIR_REFUSALS[err.code]) : null;
    if (key) {
      fieldError(form, "code", key);
      form.elements.code.focus();
    } else showErrors(form, err, tt);
  } finally {
    button.disabled = false;
  }
}

// ------------------------------------------------------------------ rename, move, revoke

async function patch(d, body, form) {
  try {
    await state.ctx.api.patch(`/api/v1/admin/devices/${d.id}`, { ...body, version: d.version });
    return true;
  } catch (err) {
    showErrors(form, err, tt);
    return false;
  }
}

function renameForm(d) {
  const form = el(
    "form",
    {
      class: "sd-form sd-inline",
      novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        clearErrors(form);
        const name = form.elements.name.value.trim();
        if (!name) return fieldError(form, "name", "set_devices_required");
        if (await patch(d, { name }, form)) {
          state.ctx.toast(tt("set_devices_renamed", { name }));
          await refresh();
        }
      },
    },
    row(`sd-rename-${d.id}`, "name", tt("set_devices_rename"), el("input", { value: d.name, maxlength: "120", required: true, "data-testid": `sd-rename-${d.id}`, autocomplete: "off" })),
    el("p", { class: "field-error", "data-form-error": "", role: "alert", hidden: true }),
    el("button", { type: "submit", class: "btn btn-small", "data-testid": `sd-rename-save-${d.id}`, text: tt("set_devices_save_name") }),
  );
  return form;
}

function moveForm(d) {
  const form = el(
    "form",
    {
      class: "sd-form sd-inline",
      onsubmit: async (e) => {
        e.preventDefault();
        clearErrors(form);
        const branch = form.elements.branch.value;
        if (branch === d.branch) return;
        if (await patch(d, { branch }, form)) {
          state.ctx.toast(tt("set_devices_moved", { name: d.name, branch: branchName(branch) }));
          await refresh();
        }
      },
    },
    row(
      `sd-move-${d.id}`,
      "branch",
      tt("set_devices_move"),
      select(state.ctx.branches.map((b) => [b.code, `${b.name} (${b.code})`]), d.branch, { "data-testid": `sd-move-${d.id}` }),
    ),
    el("p", { class: "field-error", "data-form-error": "", role: "alert", hidden: true }),
    el("button", { type: "submit", class: "btn btn-small", "data-testid": `sd-move-save-${d.id}`, text: tt("set_devices_move_btn") }),
  );
  return form;
}

function revokeBox(d) {
  return el(
    "div",
    { class: "sd-revoke" },
    el("button", {
      type: "button",
      class: "btn btn-danger btn-small",
      "data-testid": `sd-revoke-${d.id}`,
      text: tt("set_devices_revoke"),
      onclick: async () => {
        const yes = await state.ctx.confirm({
          title: tt("set_devices_revoke_title", { name: d.name }),
          body: tt("set_devices_revoke_body"),
          confirm: tt("set_devices_revoke"),
          danger: true,
        });
        if (!yes) return;
        try {
          await state.ctx.api.delete(`/api/v1/admin/devices/${d.id}`);
          state.ctx.toast(tt("set_devices_revoked_done", { name: d.name }));
        } catch (err) {
          state.ctx.toast(err instanceof ApiError ? err.detail : String(err));
        }
        await refresh();
      },
    }),
  );
}

// ------------------------------------------------------------------------------- printer

function printerForm(d) {
  const admin = isAdmin();
  const printer = d.config?.printer || {};
  const transport = printer.transport || "none";
  const id = (n) => `sd-p-${n}-${d.id}`;
  const input = (name, attrs = {}) =>
    el("input", { value: printer[name] ?? attrs.fallback ?? null, disabled: !admin, autocomplete: "off", "data-testid": id(name), ...attrs, fallback: null });
  const hex = (v) => (typeof v === "number" ? v.toString(16).padStart(4, "0") : v);
  const parts = {
    network: [
      row(id("host"), "host", tt("set_devices_host"), input("host", { maxlength: "253", spellcheck: "false" })),
      row(id("port"), "port", tt("set_devices_port"), input("port", { type: "number", min: "1", max: "65535", fallback: 9100 })),
    ],
    serial: [
      row(id("device"), "device", tt("set_devices_serial"), input("device", { spellcheck: "false" }), tt("set_devices_serial_hint")),
      row(
        id("baudrate"),
        "baudrate",
        tt("set_devices_baud"),
        select(BAUDRATES.map((b) => [b, String(b)]), printer.baudrate ?? 9600, { disabled: !admin, "data-testid": id("baudrate") }),
      ),
    ],
    usb: [
      row(id("vendor_id"), "vendor_id", tt("set_devices_vendor"), el("input", { value: hex(printer.vendor_id) ?? null, disabled: !admin, spellcheck: "false", "data-testid": id("vendor_id") }), tt("set_devices_usb_hint")),
      row(id("product_id"), "product_id", tt("set_devices_product"), el("input", { value: hex(printer.product_id) ?? null, disabled: !admin, spellcheck: "false", "data-testid": id("product_id") })),
    ],
    file: [row(id("path"), "path", tt("set_devices_path"), input("path", { spellcheck: "false" }), tt("set_devices_path_hint"))],
    dummy: [],
    none: [],
  };
  const groups = Object.fromEntries(
    Object.entries(parts).map(([tr, fields]) => [tr, el("div", { class: "sd-grid", "data-transport": tr, hidden: tr !== transport }, ...fields)]),
  );
  const common = el(
    "div",
    { class: "sd-grid", hidden: transport === "none" },
    row(
      id("paper"),
      "paper_mm",
      tt("set_devices_paper"),
      select([80, 58].map((mm) => [mm, tt("set_devices_paper_mm", { mm })]), printer.paper_mm ?? 80, { disabled: !admin, "data-testid": id("paper") }),
    ),
    row(
      id("via"),
      "print_via",
      tt("set_devices_via"),
      select(
        [["", tt("set_devices_via_auto")], ["server", tt("set_devices_via_server")], ["agent", tt("set_devices_via_agent")]],
        d.config?.print_via ?? "",
        { disabled: !admin, "data-testid": id("via") },
      ),
    ),
  );
  const answer = el("p", { class: "sd-answer", role: "status", "data-testid": `sd-test-answer-${d.id}`, hidden: true });
  const transportSelect = select(TRANSPORTS.map((tr) => [tr, tt(`set_devices_tr_${tr}`)]), transport, {
    disabled: !admin,
    "data-testid": `sd-transport-${d.id}`,
    onchange: (e) => {
      for (const [tr, g] of Object.entries(groups)) g.hidden = tr !== e.target.value;
      common.hidden = e.target.value === "none";
      clearErrors(form);
    },
  });
  const form = el(
    "form",
    { class: "sd-form sd-printer", novalidate: true, "data-testid": `sd-printer-${d.id}`, "aria-labelledby": `sd-p-title-${d.id}`, onsubmit: (e) => savePrinter(e, d) },
    el("h4", { id: `sd-p-title-${d.id}`, text: tt("set_devices_printer_title") }),
    admin ? null : el("p", { class: "sd-note", "data-testid": `sd-printer-readonly-${d.id}`, text: tt("set_devices_readonly") }),
    el("div", { class: "sd-grid" }, row(id("transport"), "transport", tt("set_devices_transport"), transportSelect)),
    ...Object.values(groups),
    common,
    el("p", { class: "field-error", "data-form-error": "", role: "alert", hidden: true }),
    admin
      ? el(
          "div",
          { class: "form-actions" },
          el("button", { type: "submit", class: "btn btn-primary btn-small", "data-testid": `sd-printer-save-${d.id}`, text: tt("set_devices_printer_save") }),
          d.config?.printer
            ? el("button", {
                type: "button",
                class: "btn btn-small",
                "data-testid": `sd-test-print-${d.id}`,
                text: tt("set_devices_test"),
                onclick: (e) => testPrint(e.currentTarget, d, answer),
              })
            : null,
        )
      : null,
    answer,
  );
  return form;
}

function readPrinter(form, d) {
  const f = form.elements;
  const transport = f.transport.value;
  if (transport === "none") return { printer: null };
  const old = d.config?.printer || {};
  const printer = Object.fromEntries(Object.entries(old).filter(([k]) => !TRANSPORT_KEYS.includes(k)));
  printer.transport = transport;
  printer.paper_mm = Number(f.paper_mm.value);
  let ok = true;
  const need = (name, test, key) => {
    const v = f[name].value.trim();
    if (!v) {
      fieldError(form, name, "set_devices_required");
      ok = false;
    } else if (test && !test(v)) {
      fieldError(form, name, key);
      ok = false;
    }
    return v;
  };
  if (transport === "network") {
    printer.host = need("host", (v) => HOST_RE.test(v), "set_devices_bad_host");
    const port = Number(f.port.value || 9100);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      fieldError(form, "port", "set_devices_bad_port");
      ok = false;
    }
    printer.port = port;
  } else if (transport === "serial") {
    printer.device = need("device");
    printer.baudrate = Number(f.baudrate.value);
  } else if (transport === "usb") {
    printer.vendor_id = need("vendor_id", (v) => USB_RE.test(v), "set_devices_bad_usb");
    printer.product_id = need("product_id", (v) => USB_RE.test(v), "set_devices_bad_usb");
  } else if (transport === "file") {
    printer.path = need("path");
  }
  return ok ? { printer, via: f.print_via.value } : null;
}

/** The server names a printer field as config.printer.host: put it beside that field. */
function placeServerErrors(form, err) {
  if (!(err instanceof ApiError) || !Array.isArray(err.errors)) return false;
  let placed = false;
  for (const e of err.errors) {
    const name = String(e.field || "")
      .split(".")
      .reverse()
      .find((part) => form.querySelector(`[data-error-for="${part}"]`));
    if (name) {
      const slot = form.querySelector(`[data-error-for="${name}"]`);
      slot.textContent = e.message;
      slot.hidden = false;
      form.querySelector(`[name="${name}"]`)?.setAttribute("aria-invalid", "true");
      placed = true;
    }
  }
  return placed;
}

async function savePrinter(event, d) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const read = readPrinter(form, d);
  if (!read) {
    form.querySelector("[aria-invalid='true']")?.focus();
    return;
  }
  const config = { ...(d.config || {}) };
  if (read.printer) config.printer = read.printer;
  else delete config.printer;
  if (read.printer && read.via) config.print_via = read.via;
  else delete config.print_via;
  try {
    await state.ctx.api.patch(`/api/v1/admin/devices/${d.id}`, { config, version: d.version });
    state.ctx.toast(tt("set_devices_printer_saved", { name: d.name }));
    await refresh({ keepOpen: d.id });
  } catch (err) {
    if (!placeServerErrors(form, err)) showErrors(form, err, tt);
  }
}

async function testPrint(button, d, answer) {
  button.disabled = true;
  const label = button.textContent;
  button.textContent = tt("set_devices_testing");
  answer.hidden = true;
  answer.className = "sd-answer";
  try {
    const r = await state.ctx.api.post(`/api/v1/admin/devices/${d.id}/test-print`, {}, { timeoutMs: 60000 });
    const st = printerWord(r.state);
    const key = r.state === "queued" ? "set_devices_test_queued" : r.ok ? "set_devices_test_ok" : "set_devices_test_failed";
    answer.textContent = r.detail ? `${tt(key, { state: st })} (${r.detail})` : tt(key, { state: st });
    answer.classList.add(r.ok ? "sd-answer-ok" : "sd-answer-bad");
  } catch (err) {
    answer.textContent = err instanceof ApiError ? (err.offline ? tt("set_offline") : err.detail) : String(err);
    answer.classList.add("sd-answer-bad");
  } finally {
    answer.hidden = false;
    button.disabled = false;
    button.textContent = label;
  }
  // The printer's state beside the device follows the answer.
  try {
    await load();
    const fresh = state.devices.find((x) => x.id === d.id);
    const pill = state.root?.querySelector(`[data-testid="sd-printer-state-${d.id}"]`);
    if (fresh && pill) {
      const pr = printerLine(fresh);
      pill.textContent = pr.text;
      pill.className = `dev-pill dev-${pr.cls}`;
    }
  } catch {
    // the list refreshes on its own
  }
}

// ------------------------------------------------------------------------- refreshing

async function refresh({ keepOpen = null } = {}) {
  const open = new Set([...(state.root?.querySelectorAll("details.sd-manage[open]") || [])].map((x) => x.dataset.device));
  if (keepOpen !== null) open.add(String(keepOpen));
  await load();
  draw();
  for (const id of open) state.root?.querySelector(`details.sd-manage[data-device="${id}"]`)?.setAttribute("open", "");
}

/** Every few seconds: contact lines and printer states, without redrawing open forms. */
async function tick() {
  try {
    await load();
  } catch {
    return;
  }
  const root = state.root;
  if (!root) return;
  const now = Date.now();
  const ids = new Set(shown().map((d) => String(d.id)));
  const drawn = new Set([...root.querySelectorAll(".sd-device")].map((li) => li.dataset.testid.replace("sd-device-", "")));
  const editing = root.querySelector("details.sd-manage[open]") || root.contains(document.activeElement);
  if (!editing && (ids.size !== drawn.size || [...ids].some((i) => !drawn.has(i)))) {
    draw();
    return;
  }
  for (const d of shown()) {
    const line = root.querySelector(`[data-testid="sd-contact-${d.id}"]`);
    if (line && d.active) {
      line.textContent = contactLine(d, now);
      line.classList.toggle("sd-online", isOnline(d, now));
    }
    const pill = root.querySelector(`[data-testid="sd-printer-state-${d.id}"]`);
    if (pill) {
      const pr = printerLine(d);
      pill.textContent = pr.text;
      pill.className = `dev-pill dev-${pr.cls}`;
    }
  }
}

// ----------------------------------------------------------------------------- contract

export function mount(root, ctx) {
  state.ctx = ctx;
  state.root = root;
  // A device's pairing QR: /manager/#pair=K7QM-4XPA (a shell may also hand it over).
  const m = /^#pair=([A-Za-z0-9-]{4,16})/.exec(location.hash);
  const code = ctx.pairCode || (m ? decodeURIComponent(m[1]).toUpperCase() : null);
  if (code) state.pairCode = code;
  clearInterval(state.timer);
  state.timer = setInterval(tick, REFRESH_MS);
  load()
    .then(draw)
    .catch((err) => {
      root.replaceChildren(el("p", { class: "error-text", role: "alert", text: err instanceof ApiError && err.offline ? tt("set_offline") : String(err.detail || err) }));
    });
}

export function unmount() {
  clearInterval(state.timer);
  state.timer = null;
  state.root = null;
}
