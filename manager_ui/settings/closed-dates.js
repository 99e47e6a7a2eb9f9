/**
 * manager_ui/settings/closed-dates.js — the branch form's closed dates (drawn by ./branches.js):
 * whole days the branch stays shut (public holidays), whatever its opening hours (./hours.js).
 * A date is added with its button or Enter (which would otherwise submit the whole form),
 * shown in words in the UI language, kept sorted, and each can be removed; a date typed but
 * never added is said, not lost, when the form is saved.
 *
 *   closedDatesEditor({ dates, t, locale }) -> { node, value() -> ["2026-12-25", ...], check() }
 */

import { el } from "/ui/staff.js";

export const CLOSED_WORDS = {
  en: {
    set_branches_closed_dates: "Closed dates",
    set_branches_closed_dates_hint:
      "Whole days the branch stays shut, such as public holidays: the kiosks issue nothing on them, whatever the opening hours.",
    set_branches_closed_date: "Date",
    set_branches_closed_add: "Add date",
    set_branches_closed_none: "No closed dates.",
    set_branches_closed_remove: "Remove",
    set_branches_closed_remove_label: "Remove {date}",
    set_branches_closed_added: "{date} added.",
    set_branches_closed_removed: "{date} removed.",
    set_branches_closed_err_empty: "Choose a date first.",
    set_branches_closed_err_dup: "This date is already in the list.",
    set_branches_closed_err_pending: "This date is not in the list yet: press Add date, or clear the field.",
  },
  tr: {
    set_branches_closed_dates: "Kapalı günler",
    set_branches_closed_dates_hint:
      "Şubenin tüm gün kapalı kaldığı günler (ör. resmî tatiller): çalışma saatleri ne olursa olsun kiosklar o gün bilet vermez.",
    set_branches_closed_date: "Tarih",
    set_branches_closed_add: "Tarih ekle",
    set_branches_closed_none: "Kapalı gün yok.",
    set_branches_closed_remove: "Kaldır",
    set_branches_closed_remove_label: "{date} tarihini kaldır",
    set_branches_closed_added: "{date} eklendi.",
    set_branches_closed_removed: "{date} kaldırıldı.",
    set_branches_closed_err_empty: "Önce bir tarih seçin.",
    set_branches_closed_err_dup: "Bu tarih listede zaten var.",
    set_branches_closed_err_pending: "Bu tarih henüz listede değil: Tarih ekle'ye basın ya da alanı temizleyin.",
  },
  el: {
    set_branches_closed_dates: "Ημέρες αργίας",
    set_branches_closed_dates_hint:
      "Ολόκληρες ημέρες που το κατάστημα μένει κλειστό, π.χ. επίσημες αργίες: τα κιόσκια δεν εκδίδουν τίποτα, όποιο κι αν είναι το ωράριο.",
    set_branches_closed_date: "Ημερομηνία",
    set_branches_closed_add: "Προσθήκη ημερομηνίας",
    set_branches_closed_none: "Καμία ημέρα αργίας.",
    set_branches_closed_remove: "Αφαίρεση",
    set_branches_closed_remove_label: "Αφαίρεση: {date}",
    set_branches_closed_added: "Προστέθηκε: {date}.",
    set_branches_closed_removed: "Αφαιρέθηκε: {date}.",
    set_branches_closed_err_empty: "Επιλέξτε πρώτα ημερομηνία.",
    set_branches_closed_err_dup: "Η ημερομηνία υπάρχει ήδη στη λίστα.",
    set_branches_closed_err_pending:
      "Η ημερομηνία δεν έχει μπει ακόμη στη λίστα: πατήστε «Προσθήκη ημερομηνίας» ή αδειάστε το πεδίο.",
  },
  pl: {
    set_branches_closed_dates: "Dni zamknięcia",
    set_branches_closed_dates_hint:
      "Całe dni, w które oddział jest zamknięty, np. święta: kioski nie wydają wtedy biletów, niezależnie od godzin otwarcia.",
    set_branches_closed_date: "Data",
    set_branches_closed_add: "Dodaj datę",
    set_branches_closed_none: "Brak dni zamknięcia.",
    set_branches_closed_remove: "Usuń",
    set_branches_closed_remove_label: "Usuń {date}",
    set_branches_closed_added: "Dodano {date}.",
    set_branches_closed_removed: "Usunięto {date}.",
    set_branches_closed_err_empty: "Najpierw wybierz datę.",
    set_branches_closed_err_dup: "Ta data jest już na liście.",
    set_branches_closed_err_pending: "Tej daty nie ma jeszcze na liście: naciśnij Dodaj datę albo wyczyść pole.",
  },
};

let uid = 0;

export function closedDatesEditor({ dates, t, locale }) {
  uid += 1;
  const base = `br-closed-${uid}`;
  const chosen = [...new Set(dates || [])].sort();
  const fmt = new Intl.DateTimeFormat(locale, { dateStyle: "full", timeZone: "UTC" });
  const show = (iso) => fmt.format(new Date(`${iso}T00:00:00Z`));

  const status = el("p", { class: "sr-only", role: "status", "data-testid": "br-closed-status" });
  const error = el("p", {
    class: "field-error",
    id: `${base}-err`,
    "data-error-for": "closed_dates",
    "data-testid": "br-closed-error",
    role: "alert",
    hidden: true,
  });
  const input = el("input", {
    type: "date",
    id: `${base}-date`,
    name: "closed_dates",
    "data-testid": "br-closed-date",
    "aria-describedby": `${base}-hint`,
    oninput: () => problem(null),
    // Enter adds the date (it would otherwise submit the whole form).
    onkeydown: (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        add();
      }
    },
  });
  const list = el("ul", { class: "cfg-dates", "data-testid": "br-closed-list", "aria-labelledby": `${base}-legend` });
  const empty = el("p", { class: "muted small", "data-testid": "br-closed-empty", text: t("set_branches_closed_none") });

  function problem(key) {
    error.textContent = key ? t(key) : "";
    error.hidden = !key;
    if (key) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", `${base}-hint ${error.id}`);
    } else {
      input.removeAttribute("aria-invalid");
      input.setAttribute("aria-describedby", `${base}-hint`);
    }
  }

  function say(text) {
    status.textContent = "";
    requestAnimationFrame(() => (status.textContent = text));
  }

  function draw() {
    list.replaceChildren(
      ...chosen.map((iso) =>
        el(
          "li",
          { class: "cfg-date", "data-testid": `br-closed-${iso}`, "data-date": iso },
          el("time", { datetime: iso, text: show(iso) }),
          el("button", {
            type: "button",
            class: "btn btn-small btn-quiet-danger",
            "data-testid": `br-closed-remove-${iso}`,
            "aria-label": t("set_branches_closed_remove_label", { date: show(iso) }),
            text: t("set_branches_closed_remove"),
            onclick: () => {
              const at = chosen.indexOf(iso);
              chosen.splice(at, 1);
              draw();
              const next = list.querySelectorAll("button")[Math.min(at, chosen.length - 1)];
              (next || input).focus();
              say(t("set_branches_closed_removed", { date: show(iso) }));
            },
          }),
        ),
      ),
    );
    list.hidden = !chosen.length;
    empty.hidden = Boolean(chosen.length);
  }

  function add() {
    const iso = input.value;
    if (!iso) return problem("set_branches_closed_err_empty");
    if (chosen.includes(iso)) return problem("set_branches_closed_err_dup");
    problem(null);
    chosen.push(iso);
    chosen.sort();
    input.value = "";
    draw();
    input.focus();
    say(t("set_branches_closed_added", { date: show(iso) }));
  }

  const node = el(
    "fieldset",
    { class: "cfg-fieldset cfg-closed", "data-testid": "br-closed", "aria-describedby": `${base}-hint` },
    el("legend", { id: `${base}-legend`, text: t("set_branches_closed_dates") }),
    el("p", { class: "muted small field-hint", id: `${base}-hint`, text: t("set_branches_closed_dates_hint") }),
    el(
      "div",
      { class: "cfg-date-add" },
      el("label", { for: input.id, text: t("set_branches_closed_date") }),
      input,
      el("button", {
        type: "button",
        class: "btn",
        "data-testid": "br-closed-add",
        text: t("set_branches_closed_add"),
        onclick: add,
      }),
    ),
    error,
    list,
    empty,
    status,
  );
  draw();

  return {
    node,
    value: () => [...chosen],
    /** A date typed but never added would be lost on save: say so instead. */
    check() {
      const pending = input.value && !chosen.includes(input.value);
      problem(pending ? "set_branches_closed_err_pending" : null);
      return !pending;
    },
  };
}
