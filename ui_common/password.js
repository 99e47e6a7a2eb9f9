/**
 * ui_common/password.js — the forced password change at sign-in, shared by the staff screens
 * (teller console, manager dashboard). After an administrator or manager sets a temporary
 * password (a new account, a reset), the server answers every call but a few with 403
 * `password_change_required` until the person chooses their own.
 *
 *   const changed = await askNewPassword({ api, t, current, username });
 *
 * Shows a modal <dialog> (the new password twice: at least 8 characters, not the username;
 * the server's refusals beside their fields), posts /api/v1/auth/password and resolves true
 * once it is changed (the session goes on: the server keeps this one), or false when the person
 * chose to sign out instead. `current`: the password just typed at sign-in; without it (a
 * reloaded page) the dialog asks for it too.
 *
 * Words, through the screen's `t`: the screen adds PASSWORD_WORDS (below, one definition for
 * every staff screen) to its dictionaries.
 */

import { ApiError } from "./api.js";
import { el } from "./staff.js";

/** This dialog's words in every staff language (the screens merge them into theirs). */
export const PASSWORD_WORDS = {
  "en": {
    "pw_title": "Choose your own password",
    "pw_lead": "Your password was set for you (a new account or a reset). Choose your own before you go on: at least 8 characters, and not your username. You stay signed in.",
    "pw_current": "Current (temporary) password",
    "pw_new": "New password",
    "pw_new_hint": "At least 8 characters; not your username.",
    "pw_again": "New password again",
    "pw_save": "Save and continue",
    "pw_saving": "Saving…",
    "pw_sign_out": "Sign out instead",
    "pw_short": "The new password needs at least 8 characters.",
    "pw_is_username": "The new password must not be your username.",
    "pw_mismatch": "The two new passwords are not the same.",
    "pw_required": "Type your current password."
  },
  "tr": {
    "pw_title": "Kendi parolanızı belirleyin",
    "pw_lead": "Parolanız sizin için belirlendi (yeni hesap ya da sıfırlama). Devam etmeden önce kendi parolanızı seçin: en az 8 karakter, kullanıcı adınızdan farklı. Oturumunuz açık kalır.",
    "pw_current": "Mevcut (geçici) parola",
    "pw_new": "Yeni parola",
    "pw_new_hint": "En az 8 karakter; kullanıcı adınız olamaz.",
    "pw_again": "Yeni parola (tekrar)",
    "pw_save": "Kaydet ve devam et",
    "pw_saving": "Kaydediliyor…",
    "pw_sign_out": "Bunun yerine çıkış yap",
    "pw_short": "Yeni parola en az 8 karakter olmalı.",
    "pw_is_username": "Yeni parola kullanıcı adınız olamaz.",
    "pw_mismatch": "Girdiğiniz iki yeni parola aynı değil.",
    "pw_required": "Mevcut parolanızı yazın."
  },
  "el": {
    "pw_title": "Ορίστε δικό σας κωδικό πρόσβασης",
    "pw_lead": "Ο κωδικός σας ορίστηκε από άλλον (νέος λογαριασμός ή επαναφορά). Επιλέξτε δικό σας πριν συνεχίσετε: τουλάχιστον 8 χαρακτήρες, διαφορετικός από το όνομα χρήστη. Παραμένετε συνδεδεμένοι.",
    "pw_current": "Τρέχων (προσωρινός) κωδικός",
    "pw_new": "Νέος κωδικός πρόσβασης",
    "pw_new_hint": "Τουλάχιστον 8 χαρακτήρες· όχι το όνομα χρήστη σας.",
    "pw_again": "Ξανά ο νέος κωδικός",
    "pw_save": "Αποθήκευση και συνέχεια",
    "pw_saving": "Αποθήκευση…",
    "pw_sign_out": "Αποσύνδεση αντί γι’ αυτό",
    "pw_short": "Ο νέος κωδικός χρειάζεται τουλάχιστον 8 χαρακτήρες.",
    "pw_is_username": "Ο νέος κωδικός δεν πρέπει να είναι το όνομα χρήστη σας.",
    "pw_mismatch": "Οι δύο νέοι κωδικοί δεν είναι ίδιοι.",
    "pw_required": "Πληκτρολογήστε τον τρέχοντα κωδικό σας."
  },
  "pl": {
    "pw_title": "Ustaw własne hasło",
    "pw_lead": "Twoje hasło ustawił ktoś inny (nowe konto lub reset). Zanim przejdziesz dalej, wybierz własne: co najmniej 8 znaków, inne niż nazwa użytkownika. Sesja pozostaje aktywna.",
    "pw_current": "Obecne (tymczasowe) hasło",
    "pw_new": "Nowe hasło",
    "pw_new_hint": "Co najmniej 8 znaków; nie może być nazwą użytkownika.",
    "pw_again": "Powtórz nowe hasło",
    "pw_save": "Zapisz i kontynuuj",
    "pw_saving": "Zapisywanie…",
    "pw_sign_out": "Zamiast tego wyloguj się",
    "pw_short": "Nowe hasło musi mieć co najmniej 8 znaków.",
    "pw_is_username": "Nowe hasło nie może być Twoją nazwą użytkownika.",
    "pw_mismatch": "Oba nowe hasła nie są takie same.",
    "pw_required": "Wpisz obecne hasło."
  }
};

const MIN_LENGTH = 8;
// Through the CSSOM (the CSP refuses style attributes): the dialog carries its own few looks,
// so it reads the same on every screen whatever that screen's stylesheet has.
const ERROR_LOOK = "margin:0;color:var(--danger,#a61b1b);font-weight:600;";
const GENERAL_LOOK = `${ERROR_LOOK}padding:8px 12px;border-radius:8px;background:var(--danger-soft,#fdecec);`;
const INPUT_LOOK = "min-height:44px;padding:8px 12px;border:1px solid #9aa8b6;border-radius:8px;font:inherit;";

let seq = 0;

function row(name, label, type, autocomplete, hint) {
  seq += 1;
  const id = `pw-${name}-${seq}`;
  const input = el("input", {
    id,
    name,
    type,
    autocomplete,
    required: true,
    style: INPUT_LOOK,
    "data-testid": `pw-${name.replace(/_/g, "-")}`,
  });
  const hintEl = hint ? el("p", { class: "muted small", id: `${id}-hint`, style: "margin:0;", text: hint }) : null;
  const err = el("p", { id: `${id}-err`, class: "field-error", "data-error-for": name, style: ERROR_LOOK, hidden: true });
  if (hintEl) input.setAttribute("aria-describedby", hintEl.id);
  const box = el(
    "div",
    { class: "field pw-field", style: "display:grid;gap:6px;" },
    el("label", { for: id, text: label }),
    input,
    hintEl,
    err,
  );
  return { box, input, err, hintEl };
}

/** Ask for a new password; resolves true when changed, false when the person signs out. */
export function askNewPassword({ api, t, current = null, username = "" }) {
  const fields = [];
  const cur = current ? null : row("current_password", t("pw_current"), "password", "current-password");
  if (cur) fields.push(cur);
  const first = row("new_password", t("pw_new"), "password", "new-password", t("pw_new_hint"));
  const again = row("new_password_again", t("pw_again"), "password", "new-password");
  fields.push(first, again);
  const general = el("p", { role: "alert", "data-testid": "pw-error", style: GENERAL_LOOK, hidden: true });
  const save = el("button", { type: "submit", class: "btn btn-primary", "data-testid": "pw-save", text: t("pw_save") });
  const leave = el("button", { type: "button", class: "btn", "data-testid": "pw-sign-out", text: t("pw_sign_out") });
  seq += 1;
  const titleId = `pw-title-${seq}`;
  const leadId = `pw-lead-${seq}`;
  const form = el(
    "form",
    { class: "dialog-body pw-form", novalidate: true, style: "display:grid;gap:14px;padding:24px;" },
    el("h2", { id: titleId, style: "margin:0;", text: t("pw_title") }),
    el("p", { id: leadId, style: "margin:0;", text: t("pw_lead") }),
    ...fields.map((f) => f.box),
    general,
    el("div", { class: "dialog-actions", style: "display:flex;flex-wrap:wrap;justify-content:flex-end;gap:10px;" }, leave, save),
  );
  const dialog = el(
    "dialog",
    {
      class: "set-dialog pw-dialog",
      "data-testid": "password-dialog",
      "aria-labelledby": titleId,
      "aria-describedby": leadId,
    },
    form,
  );

  function clear() {
    for (const f of fields) {
      f.err.textContent = "";
      f.err.hidden = true;
      f.input.removeAttribute("aria-invalid");
      if (f.hintEl) f.input.setAttribute("aria-describedby", f.hintEl.id);
      else f.input.removeAttribute("aria-describedby");
    }
    general.textContent = "";
    general.hidden = true;
  }

  function mark(f, message) {
    f.err.textContent = message;
    f.err.hidden = false;
    f.input.setAttribute("aria-invalid", "true");
    f.input.setAttribute("aria-describedby", [f.hintEl?.id, f.err.id].filter(Boolean).join(" "));
  }

  function checkLocally() {
    clear();
    let ok = true;
    const fail = (f, key) => {
      ok = false;
      mark(f, t(key));
    };
    if (cur && !cur.input.value) fail(cur, "pw_required");
    const value = first.input.value;
    if (value.length < MIN_LENGTH) fail(first, "pw_short");
    else if (username && value.trim().toLowerCase() === username.toLowerCase()) fail(first, "pw_is_username");
    if (again.input.value !== value) fail(again, "pw_mismatch");
    return ok;
  }

  function showServer(err) {
    clear();
    const rest = [];
    if (err instanceof ApiError && Array.isArray(err.errors)) {
      for (const e of err.errors) {
        const name = String(e.field || "").split(".")[0];
        const f = fields.find((x) => x.input.name === name);
        if (f) mark(f, e.message);
        else rest.push(e.message);
      }
    }
    if (!(err instanceof ApiError) || !Array.isArray(err.errors) || rest.length) {
      general.textContent = rest.join(" ") || (err instanceof ApiError ? err.detail : String(err));
      general.hidden = false;
    }
  }

  document.body.append(dialog);
  return new Promise((resolve) => {
    const finish = (changed) => {
      dialog.close();
      dialog.remove();
      resolve(changed);
    };
    // A forced change: Escape does not slip past it (signing out is the way back).
    dialog.addEventListener("cancel", (e) => e.preventDefault());
    leave.addEventListener("click", () => finish(false));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (!checkLocally()) {
        form.querySelector("[aria-invalid='true']")?.focus();
        return;
      }
      save.disabled = true;
      save.textContent = t("pw_saving");
      try {
        await api.post("/api/v1/auth/password", {
          current_password: cur ? cur.input.value : current,
          new_password: first.input.value,
        });
        finish(true);
      } catch (err) {
        showServer(err);
        (form.querySelector("[aria-invalid='true']") || first.input).focus();
      } finally {
        save.disabled = false;
        save.textContent = t("pw_save");
      }
    });
    dialog.showModal();
    (cur ? cur.input : first.input).focus();
  });
}
