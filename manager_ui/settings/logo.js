/**
 * manager_ui/settings/logo.js — the branch form's logo (drawn by ./branches.js): the current
 * one shown, a new one chosen and uploaded at once (PUT …/logo, the file itself as the body),
 * or removed after a confirmation (DELETE …/logo). Before uploading, the page checks what it
 * can (type, at most 1 MB, not taller than wide: decoded as an Image to read its size) and
 * says so beside the field; the server's refusal (413, 422 not_an_image / logo_too_tall) lands
 * in the same place.
 *
 *   logoEditor({ branch, api, t, confirm, onChange(answer) }) -> { node }
 *       onChange: the server's answer after an upload ({url, width, height, sha256}), or null
 *       after a removal
 */

import { ApiError } from "/ui/api.js";
import { serverText } from "./forms.js";
import { el } from "/ui/staff.js";

export const TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];
export const MAX_BYTES = 1024 * 1024;
const MIN_WIDTH = 64;

/** A refusal in the user's language where its code is known, else the server's sentence. */
function refusal(err, t) {
  if (err instanceof ApiError && err.offline) return t("set_offline");
  if (err instanceof ApiError) return serverText({ type: err.code, message: err.detail }, t);
  return String(err);
}
const MAX_SIDE = 4000;

export const LOGO_WORDS = {
  en: {
    set_branches_logo: "Logo",
    set_branches_logo_hint:
      "Shown on the kiosks and call displays and printed on tickets. PNG, JPEG, GIF or WebP, up to 1 MB, at least 64 px wide and no taller than wide. It is saved as soon as you choose it.",
    set_branches_logo_file: "Upload a new logo",
    set_branches_logo_current: "Current logo of {name}",
    set_branches_logo_none: "No logo yet.",
    set_branches_logo_remove: "Remove logo",
    set_branches_logo_uploading: "Uploading the logo…",
    set_branches_logo_saved: "Logo saved.",
    set_branches_logo_removed: "Logo removed.",
    set_branches_logo_del_title: "Remove the logo of {name}?",
    set_branches_logo_del_body: "The kiosks and call displays stop showing it. You can upload it again at any time.",
    set_branches_logo_err_type: "Choose a PNG, JPEG, GIF or WebP image.",
    set_branches_logo_err_size: "This file is {size} MB; a logo may be at most 1 MB.",
    set_branches_logo_err_decode: "This file could not be read as an image. Choose a PNG, JPEG, GIF or WebP image.",
    set_branches_logo_err_tall:
      "This image is taller than it is wide ({width}×{height} px). Use a landscape or square version of the logo.",
    set_branches_logo_err_narrow: "This image is {width} px wide; a logo must be at least 64 px wide.",
    set_branches_logo_err_big: "This image is {width}×{height} px; a logo may be at most 4000 px on each side.",
  },
  tr: {
    set_branches_logo: "Şube logosu",
    set_branches_logo_hint:
      "Kiosklarda ve çağrı ekranlarında gösterilir, biletlere basılır. PNG, JPEG, GIF ya da WebP; en çok 1 MB; en az 64 piksel genişliğinde ve genişliğinden yüksek olmamalı. Seçtiğiniz anda kaydedilir.",
    set_branches_logo_file: "Yeni logo yükle",
    set_branches_logo_current: "{name} şubesinin şu anki logosu",
    set_branches_logo_none: "Henüz logo yok.",
    set_branches_logo_remove: "Logoyu kaldır",
    set_branches_logo_uploading: "Logo yükleniyor…",
    set_branches_logo_saved: "Logo kaydedildi.",
    set_branches_logo_removed: "Logo kaldırıldı.",
    set_branches_logo_del_title: "{name} şubesinin logosu kaldırılsın mı?",
    set_branches_logo_del_body: "Kiosklar ve çağrı ekranları onu artık göstermez. İstediğiniz zaman yeniden yükleyebilirsiniz.",
    set_branches_logo_err_type: "PNG, JPEG, GIF ya da WebP biçiminde bir görsel seçin.",
    set_branches_logo_err_size: "Bu dosya {size} MB; logo en çok 1 MB olabilir.",
    set_branches_logo_err_decode: "Bu dosya görsel olarak okunamadı. PNG, JPEG, GIF ya da WebP biçiminde bir görsel seçin.",
    set_branches_logo_err_tall:
      "Bu görselin yüksekliği genişliğinden fazla ({width}×{height} piksel). Logonun yatay ya da kare bir sürümünü kullanın.",
    set_branches_logo_err_narrow: "Bu görsel {width} piksel genişliğinde; logo en az 64 piksel genişliğinde olmalı.",
    set_branches_logo_err_big: "Bu görsel {width}×{height} piksel; logonun her kenarı en çok 4000 piksel olabilir.",
  },
  el: {
    set_branches_logo: "Λογότυπο",
    set_branches_logo_hint:
      "Εμφανίζεται στα κιόσκια και τις οθόνες κλήσεων και τυπώνεται στους αριθμούς προτεραιότητας. PNG, JPEG, GIF ή WebP, έως 1 MB, πλάτος τουλάχιστον 64 px και ύψος όχι μεγαλύτερο από το πλάτος. Αποθηκεύεται μόλις το επιλέξετε.",
    set_branches_logo_file: "Μεταφόρτωση νέου λογοτύπου",
    set_branches_logo_current: "Το τρέχον λογότυπο του καταστήματος {name}",
    set_branches_logo_none: "Δεν υπάρχει ακόμη λογότυπο.",
    set_branches_logo_remove: "Αφαίρεση λογοτύπου",
    set_branches_logo_uploading: "Μεταφόρτωση του λογοτύπου…",
    set_branches_logo_saved: "Το λογότυπο αποθηκεύτηκε.",
    set_branches_logo_removed: "Το λογότυπο αφαιρέθηκε.",
    set_branches_logo_del_title: "Αφαίρεση του λογοτύπου του καταστήματος {name};",
    set_branches_logo_del_body: "Τα κιόσκια και οι οθόνες κλήσεων παύουν να το εμφανίζουν. Μπορείτε να το ανεβάσετε ξανά οποτεδήποτε.",
    set_branches_logo_err_type: "Επιλέξτε εικόνα PNG, JPEG, GIF ή WebP.",
    set_branches_logo_err_size: "Το αρχείο είναι {size} MB· ένα λογότυπο μπορεί να είναι έως 1 MB.",
    set_branches_logo_err_decode: "Το αρχείο δεν διαβάζεται ως εικόνα. Επιλέξτε εικόνα PNG, JPEG, GIF ή WebP.",
    set_branches_logo_err_tall:
      "Η εικόνα είναι ψηλότερη απ' ό,τι φαρδιά ({width}×{height} px). Χρησιμοποιήστε οριζόντια ή τετράγωνη εκδοχή του λογοτύπου.",
    set_branches_logo_err_narrow: "Η εικόνα έχει πλάτος {width} px· ένα λογότυπο πρέπει να έχει πλάτος τουλάχιστον 64 px.",
    set_branches_logo_err_big: "Η εικόνα είναι {width}×{height} px· κάθε πλευρά ενός λογοτύπου μπορεί να είναι έως 4000 px.",
  },
  pl: {
    set_branches_logo: "Logo oddziału",
    set_branches_logo_hint:
      "Widoczne na kioskach i ekranach wywołań oraz drukowane na biletach. PNG, JPEG, GIF lub WebP, do 1 MB, co najmniej 64 px szerokości i nie wyższe niż szersze. Zapisuje się od razu po wybraniu.",
    set_branches_logo_file: "Prześlij nowe logo",
    set_branches_logo_current: "Obecne logo oddziału {name}",
    set_branches_logo_none: "Nie ma jeszcze logo.",
    set_branches_logo_remove: "Usuń logo",
    set_branches_logo_uploading: "Przesyłanie logo…",
    set_branches_logo_saved: "Zapisano logo.",
    set_branches_logo_removed: "Usunięto logo.",
    set_branches_logo_del_title: "Usunąć logo oddziału {name}?",
    set_branches_logo_del_body: "Kioski i ekrany wywołań przestaną je pokazywać. Możesz je przesłać ponownie w każdej chwili.",
    set_branches_logo_err_type: "Wybierz obraz PNG, JPEG, GIF lub WebP.",
    set_branches_logo_err_size: "Ten plik ma {size} MB; logo może mieć najwyżej 1 MB.",
    set_branches_logo_err_decode: "Nie udało się odczytać tego pliku jako obrazu. Wybierz obraz PNG, JPEG, GIF lub WebP.",
    set_branches_logo_err_tall:
      "Ten obraz jest wyższy niż szerszy ({width}×{height} px). Użyj poziomej lub kwadratowej wersji logo.",
    set_branches_logo_err_narrow: "Ten obraz ma {width} px szerokości; logo musi mieć co najmniej 64 px szerokości.",
    set_branches_logo_err_big: "Ten obraz ma {width}×{height} px; każdy bok logo może mieć najwyżej 4000 px.",
  },
};

/** The picture's size, decoded the way the browser would show it; null if it is no image.
 * Through a data: URL (the page's CSP allows data: images, not blob: ones). */
function imageSize(file) {
  return new Promise((resolve) => {
    const reader = new FileReader();
    reader.onerror = () => resolve(null);
    reader.onload = () => {
      const img = new Image();
      img.onload = () => resolve({ width: img.naturalWidth, height: img.naturalHeight });
      img.onerror = () => resolve(null);
      img.src = reader.result;
    };
    reader.readAsDataURL(file);
  });
}

/** What is wrong with `file` as a logo (a word key and its values), or null. */
async function precheck(file, locale) {
  if (!TYPES.includes(file.type)) return ["set_branches_logo_err_type", {}];
  if (file.size > MAX_BYTES) {
    const size = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(file.size / MAX_BYTES);
    return ["set_branches_logo_err_size", { size }];
  }
  const dims = await imageSize(file);
  if (!dims || !dims.width) return ["set_branches_logo_err_decode", {}];
  // The server's own checks (server/branches/logo.py), in its order.
  if (dims.width > MAX_SIDE || dims.height > MAX_SIDE) return ["set_branches_logo_err_big", dims];
  if (dims.width < MIN_WIDTH) return ["set_branches_logo_err_narrow", dims];
  if (dims.height > dims.width) return ["set_branches_logo_err_tall", dims];
  return null;
}

/** The file itself as the request body (Api.request sends JSON only), with the same bearer. */
async function upload(api, path, file) {
  let res;
  try {
    res = await fetch(api.base + path, {
      method: "PUT",
      headers: { Accept: "application/json", "Content-Type": file.type, Authorization: `Bearer ${api.token}` },
      body: file,
      cache: "no-store",
      signal: AbortSignal.timeout(60_000),
    });
  } catch {
    throw new ApiError({ status: 0, code: "network", detail: "the server cannot be reached" });
  }
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const obj = data && typeof data === "object" ? data : {};
    throw new ApiError({
      status: res.status,
      code: obj.code || `http_${res.status}`,
      detail: typeof obj.detail === "string" ? obj.detail : `the server answered ${res.status}`,
      errors: obj.errors || null,
    });
  }
  return data;
}

let uid = 0;

export function logoEditor({ branch, api, t, locale, confirm, onChange }) {
  uid += 1;
  const base = `br-logo-${uid}`;
  const path = `/api/v1/admin/branches/${encodeURIComponent(branch.code)}/logo`;
  let url = branch.logo_url || null;

  const preview = el("div", { class: "cfg-logo-preview", "data-testid": "br-logo-preview" });
  const error = el("p", {
    class: "field-error",
    id: `${base}-err`,
    "data-error-for": "logo",
    "data-testid": "br-logo-error",
    role: "alert",
    hidden: true,
  });
  const status = el("p", { class: "muted small", role: "status", "data-testid": "br-logo-status" });
  const input = el("input", {
    type: "file",
    id: `${base}-file`,
    name: "logo",
    accept: TYPES.join(","),
    "data-testid": "br-logo-file",
    "aria-describedby": `${base}-hint`,
    onchange: () => chosen(),
  });
  const remove = el("button", {
    type: "button",
    class: "btn btn-quiet-danger",
    "data-testid": "br-logo-remove",
    text: t("set_branches_logo_remove"),
    onclick: () => removeLogo(),
  });

  function problem(text) {
    error.textContent = text || "";
    error.hidden = !text;
    if (text) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", `${base}-hint ${error.id}`);
    } else {
      input.removeAttribute("aria-invalid");
      input.setAttribute("aria-describedby", `${base}-hint`);
    }
  }

  function draw() {
    preview.replaceChildren(
      url
        ? el("img", { src: url, alt: t("set_branches_logo_current", { name: branch.name }), "data-testid": "br-logo-img" })
        : el("p", { class: "muted small", text: t("set_branches_logo_none") }),
    );
    remove.hidden = !url;
  }

  async function chosen() {
    const file = input.files?.[0];
    if (!file) return;
    problem("");
    status.textContent = "";
    const wrong = await precheck(file, locale);
    if (wrong) {
      problem(t(wrong[0], wrong[1]));
      input.value = ""; // the same file chosen again is checked again
      input.focus();
      return;
    }
    status.textContent = t("set_branches_logo_uploading");
    input.disabled = true;
    try {
      const answer = await upload(api, path, file);
      url = answer?.url || null; // LogoPublic: {url, width, height, sha256}
      draw();
      await onChange?.(answer);
      status.textContent = t("set_branches_logo_saved");
    } catch (err) {
      status.textContent = "";
      problem(refusal(err, t));
    } finally {
      input.disabled = false;
      input.value = "";
      if (!error.hidden) input.focus();
    }
  }

  async function removeLogo() {
    const ok = await confirm({
      title: t("set_branches_logo_del_title", { name: branch.name }),
      body: t("set_branches_logo_del_body"),
      confirm: t("set_branches_logo_remove"),
      danger: true,
    });
    if (!ok) {
      remove.focus();
      return;
    }
    problem("");
    try {
      await api.delete(path);
    } catch (err) {
      problem(refusal(err, t));
      remove.focus();
      return;
    }
    url = null;
    draw();
    await onChange?.(null);
    status.textContent = t("set_branches_logo_removed");
    input.focus();
  }

  const node = el(
    "fieldset",
    { class: "cfg-fieldset cfg-logo", "data-testid": "br-logo", "aria-describedby": `${base}-hint` },
    el("legend", { text: t("set_branches_logo") }),
    el("p", { class: "muted small field-hint", id: `${base}-hint`, text: t("set_branches_logo_hint") }),
    el(
      "div",
      { class: "cfg-logo-row" },
      preview,
      el(
        "div",
        { class: "cfg-logo-pick" },
        el("label", { for: input.id, text: t("set_branches_logo_file") }),
        input,
        error,
        el("div", { class: "cfg-logo-actions" }, remove),
        status,
      ),
    ),
  );
  draw();
  return { node };
}
