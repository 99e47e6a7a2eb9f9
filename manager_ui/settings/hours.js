/**
 * manager_ui/settings/hours.js — the branch form's opening hours (drawn by ./branches.js): one
 * row per weekday, Monday first, each closed or open in one or more from–until periods (a lunch
 * break makes two, at most four), checked as the user types (an end after its start, no
 * overlaps, none meeting) with the message beside the day, as server/domain/hours.py checks
 * them; "no opening hours" is null (the kiosk then issues whenever the branch is open). Times
 * are the branch's own (its time zone); outside them the kiosk refuses a ticket (409
 * branch_closed). Closed dates are ./closed-dates.js.
 *
 *   hoursEditor({ hours, zone, t, locale }) -> { node, value(), check() }
 *       value(): null or {"mon": [["09:00", "12:00"], ["13:00", "17:00"]], ..., "sun": []}
 *       check(): shows each day's problem beside it; true when all pass
 */

import { el } from "/ui/staff.js";

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const WEEKDAYS = ["tue", "wed", "thu", "fri"];
// What a day opens with when first opened: a bank's usual day.
const USUAL = [["09:00", "17:00"]];

export const HOURS_WORDS = {
  en: {
    set_branches_hours: "Opening hours",
    set_branches_hours_hint:
      "When the kiosks issue tickets, in the branch's time zone ({zone}). Outside these hours and on closed dates they say the branch is closed and issue nothing; tickets already issued are still called.",
    set_branches_hours_none: "No opening hours: issue tickets whenever the branch is open",
    set_branches_hours_none_hint: "Only the Open switch decides. Untick this to set hours for each day (until 00:00 means until midnight).",
    set_branches_hours_copy: "Copy Monday's hours to Tuesday–Friday",
    set_branches_hours_copied: "Monday's hours copied to Tuesday–Friday.",
    set_branches_hours_closed: "Closed",
    set_branches_hours_from: "From",
    set_branches_hours_until: "Until",
    set_branches_hours_add_break: "Add a break",
    set_branches_hours_add_break_label: "Add a break on {day}",
    set_branches_hours_remove: "Remove",
    set_branches_hours_remove_label: "Remove period {n} on {day}",
    set_branches_hours_now_open: "{day}: open {periods}.",
    set_branches_hours_err_missing: "Enter both times of every period.",
    set_branches_hours_err_order: "A period must end after it starts ({period}).",
    set_branches_hours_err_overlap: "The periods {first} and {second} overlap.",
    set_branches_hours_err_meet: "The periods {first} and {second} meet: make them one period, {joined}.",
    set_branches_hours_err_max: "At most 4 periods a day.",
    set_branches_hours_err_never:
      "Every day is closed, so the kiosks would never issue tickets. Open at least one day, or choose no opening hours.",
  },
  tr: {
    set_branches_hours: "Çalışma saatleri",
    set_branches_hours_hint:
      "Kioskların bilet verdiği saatler, şubenin saat dilimine göre ({zone}). Bu saatlerin dışında ve kapalı günlerde kiosklar şubenin kapalı olduğunu söyler ve bilet vermez; verilmiş biletler yine çağrılır.",
    set_branches_hours_none: "Çalışma saati yok: şube açık olduğu sürece bilet ver",
    set_branches_hours_none_hint:
      "Yalnızca Açık anahtarı belirler. Her gün için saat girmek üzere işareti kaldırın (bitiş 00:00: gece yarısına kadar).",
    set_branches_hours_copy: "Pazartesi saatlerini Salı–Cuma günlerine kopyala",
    set_branches_hours_copied: "Pazartesi saatleri Salı–Cuma günlerine kopyalandı.",
    set_branches_hours_closed: "Kapalı",
    set_branches_hours_from: "Başlangıç",
    set_branches_hours_until: "Bitiş",
    set_branches_hours_add_break: "Ara ekle",
    set_branches_hours_add_break_label: "{day} için ara ekle",
    set_branches_hours_remove: "Kaldır",
    set_branches_hours_remove_label: "{day} gününün {n}. zaman dilimini kaldır",
    set_branches_hours_now_open: "{day}: açık {periods}.",
    set_branches_hours_err_missing: "Her zaman diliminin iki saatini de girin.",
    set_branches_hours_err_order: "Bir zaman dilimi başladıktan sonra bitmeli ({period}).",
    set_branches_hours_err_overlap: "{first} ve {second} zaman dilimleri çakışıyor.",
    set_branches_hours_err_meet: "{first} ve {second} zaman dilimleri birbirine bitişik: onları tek bir dilim yapın, {joined}.",
    set_branches_hours_err_max: "Bir günde en çok 4 zaman dilimi olabilir.",
    set_branches_hours_err_never:
      "Her gün kapalı; kiosklar hiç bilet vermez. En az bir günü açın ya da çalışma saati yok seçeneğini işaretleyin.",
  },
  el: {
    set_branches_hours: "Ωράριο λειτουργίας",
    set_branches_hours_hint:
      "Πότε τα κιόσκια εκδίδουν αριθμούς, στη ζώνη ώρας του καταστήματος ({zone}). Εκτός ωραρίου και τις ημέρες αργίας αναφέρουν ότι το κατάστημα είναι κλειστό και δεν εκδίδουν· όσοι αριθμοί έχουν εκδοθεί καλούνται κανονικά.",
    set_branches_hours_none: "Χωρίς ωράριο: έκδοση αριθμών όσο το κατάστημα είναι ανοιχτό",
    set_branches_hours_none_hint:
      "Αποφασίζει μόνο η επιλογή «Ανοιχτό». Αποεπιλέξτε το για να ορίσετε ωράριο ανά ημέρα («Έως 00:00»: έως τα μεσάνυχτα).",
    set_branches_hours_copy: "Αντιγραφή του ωραρίου της Δευτέρας σε Τρίτη–Παρασκευή",
    set_branches_hours_copied: "Το ωράριο της Δευτέρας αντιγράφηκε σε Τρίτη–Παρασκευή.",
    set_branches_hours_closed: "Κλειστό",
    set_branches_hours_from: "Από",
    set_branches_hours_until: "Έως",
    set_branches_hours_add_break: "Προσθήκη διαλείμματος",
    set_branches_hours_add_break_label: "Προσθήκη διαλείμματος: {day}",
    set_branches_hours_remove: "Αφαίρεση",
    set_branches_hours_remove_label: "Αφαίρεση του διαστήματος {n}: {day}",
    set_branches_hours_now_open: "{day}: ανοιχτό {periods}.",
    set_branches_hours_err_missing: "Συμπληρώστε και τις δύο ώρες κάθε διαστήματος.",
    set_branches_hours_err_order: "Ένα διάστημα πρέπει να τελειώνει μετά την αρχή του ({period}).",
    set_branches_hours_err_overlap: "Τα διαστήματα {first} και {second} επικαλύπτονται.",
    set_branches_hours_err_meet: "Τα διαστήματα {first} και {second} εφάπτονται: ενώστε τα σε ένα, {joined}.",
    set_branches_hours_err_max: "Έως 4 διαστήματα την ημέρα.",
    set_branches_hours_err_never:
      "Όλες οι ημέρες είναι κλειστές, οπότε τα κιόσκια δεν θα εξέδιδαν ποτέ αριθμούς. Ανοίξτε τουλάχιστον μία ημέρα ή επιλέξτε «Χωρίς ωράριο».",
  },
  pl: {
    set_branches_hours: "Godziny otwarcia",
    set_branches_hours_hint:
      "Kiedy kioski wydają bilety, w strefie czasowej oddziału ({zone}). Poza tymi godzinami i w dni zamknięcia informują, że oddział jest zamknięty, i nie wydają biletów; wydane bilety są nadal wywoływane.",
    set_branches_hours_none: "Bez godzin otwarcia: wydawaj bilety, dopóki oddział jest otwarty",
    set_branches_hours_none_hint:
      "Decyduje tylko przełącznik Otwarty. Odznacz, aby ustawić godziny dla każdego dnia („Do 00:00” oznacza do północy).",
    set_branches_hours_copy: "Skopiuj godziny z poniedziałku na wtorek–piątek",
    set_branches_hours_copied: "Godziny z poniedziałku skopiowano na wtorek–piątek.",
    set_branches_hours_closed: "Zamknięte",
    set_branches_hours_from: "Od",
    set_branches_hours_until: "Do",
    set_branches_hours_add_break: "Dodaj przerwę",
    set_branches_hours_add_break_label: "Dodaj przerwę: {day}",
    set_branches_hours_remove: "Usuń",
    set_branches_hours_remove_label: "Usuń przedział {n}: {day}",
    set_branches_hours_now_open: "{day}: otwarte {periods}.",
    set_branches_hours_err_missing: "Podaj obie godziny każdego przedziału.",
    set_branches_hours_err_order: "Przedział musi kończyć się po swoim początku ({period}).",
    set_branches_hours_err_overlap: "Przedziały {first} i {second} nakładają się.",
    set_branches_hours_err_meet: "Przedziały {first} i {second} stykają się: połącz je w jeden, {joined}.",
    set_branches_hours_err_max: "Najwyżej 4 przedziały dziennie.",
    set_branches_hours_err_never:
      "Wszystkie dni są zamknięte, więc kioski nigdy nie wydałyby biletu. Otwórz co najmniej jeden dzień albo wybierz brak godzin otwarcia.",
  },
};

// The server keeps up to four periods a day (server/domain/hours.py).
const MAX_PERIODS = 4;

// An "until" of 00:00 is midnight at the end of the day (the API's 24:00: a time input cannot
// show 24:00). Periods are compared in minutes from the day's start.
const minutes = (hhmm) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const endMinutes = (hhmm) => (hhmm === "00:00" || hhmm === "24:00" ? 24 * 60 : minutes(hhmm));
const hhmm = (m) => `${String(Math.floor(m / 60) % 24).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
const apiEnd = (to) => (to === "00:00" ? "24:00" : to);
const period = ([from, to]) => `${from}–${apiEnd(to)}`;

/** Weekday names in the UI language, Monday first ("Monday", "Pazartesi", "Δευτέρα"). */
function dayNames(locale) {
  const fmt = new Intl.DateTimeFormat(locale, { weekday: "long", timeZone: "UTC" });
  // 2024-01-01 was a Monday.
  return DAYS.map((_, i) => {
    const name = fmt.format(new Date(Date.UTC(2024, 0, 1 + i)));
    return name.charAt(0).toLocaleUpperCase(locale) + name.slice(1);
  });
}

/** The first problem of one day's periods, as [key, params, the inputs at fault], or null. */
function dayProblem(periods) {
  if (periods.length > MAX_PERIODS) return ["set_branches_hours_err_max", {}, []];
  for (const p of periods) {
    if (!p.from.value || !p.to.value) {
      return ["set_branches_hours_err_missing", {}, [p.from, p.to].filter((i) => !i.value)];
    }
    if (endMinutes(p.to.value) <= minutes(p.from.value)) {
      return ["set_branches_hours_err_order", { period: period([p.from.value, p.to.value]) }, [p.to]];
    }
  }
  const sorted = [...periods].sort((a, b) => a.from.value.localeCompare(b.from.value));
  for (let i = 1; i < sorted.length; i += 1) {
    const [a, b] = [sorted[i - 1], sorted[i]];
    const [end, start] = [endMinutes(a.to.value), minutes(b.from.value)];
    const params = { first: period([a.from.value, a.to.value]), second: period([b.from.value, b.to.value]) };
    if (start < end) return ["set_branches_hours_err_overlap", params, [a.to, b.from]];
    if (start === end) {
      params.joined = period([a.from.value, b.to.value]);
      return ["set_branches_hours_err_meet", params, [a.to, b.from]];
    }
  }
  return null;
}

/** Where a break goes in `spans` ([[from, to], ...] in minutes): the longest period split
 * around its middle, an hour long on the hour (09:00–17:00 -> 09:00–12:00, 13:00–17:00);
 * a period too short to split gets a new one after the last. */
function withBreak(spans) {
  const longest = [...spans].sort((a, b) => b[1] - b[0] - (a[1] - a[0]))[0];
  if (longest && longest[1] - longest[0] >= 180) {
    const mid = (longest[0] + longest[1]) / 2;
    let start = Math.floor((mid - 30) / 60) * 60;
    start = Math.min(Math.max(start, longest[0] + 60), longest[1] - 120);
    return spans.flatMap((s) => (s === longest ? [[s[0], start], [start + 60, s[1]]] : [s]));
  }
  const last = spans.length ? Math.max(...spans.map((s) => s[1])) : 8 * 60;
  const from = Math.min(last + 60, 22 * 60);
  return [...spans, [from, Math.min(from + 120, 24 * 60)]];
}

let uid = 0;

export function hoursEditor({ hours, zone, t, locale }) {
  uid += 1;
  const base = `br-hours-${uid}`;
  const names = dayNames(locale);
  // What each day shows; kept while "no opening hours" is ticked, so unticking brings it back.
  const draft = Object.fromEntries(
    DAYS.map((d, i) => [
      d,
      hours ? (hours[d] || []).map(([from, to]) => [from, to === "24:00" ? "00:00" : to]) : i < 5 ? USUAL.map((p) => [...p]) : [],
    ]),
  );
  const rows = {}; // day -> { closed, periods: [{ from, to, node }], list, addBreak, error }

  const status = el("p", { class: "sr-only", role: "status", "data-testid": "br-hours-status" });
  const say = (text) => {
    status.textContent = "";
    requestAnimationFrame(() => (status.textContent = text));
  };
  const noneBox = el("input", {
    type: "checkbox",
    id: `${base}-none`,
    "data-testid": "br-hours-none",
    checked: hours === null || hours === undefined,
    "aria-describedby": `${base}-none-hint`,
    onchange: () => {
      days.hidden = noneBox.checked;
      if (noneBox.checked) clearAll();
    },
  });
  const allError = el("p", {
    class: "field-error",
    id: `${base}-err`,
    "data-error-for": "opening_hours",
    "data-testid": "br-hours-error",
    role: "alert",
    hidden: true,
  });

  function readDay(day) {
    const r = rows[day];
    return r.closed.checked ? [] : r.periods.map((p) => [p.from.value, p.to.value]);
  }

  function periodRow(day, i, [from, to]) {
    const idFrom = `${base}-${day}-from-${i}`;
    const idTo = `${base}-${day}-to-${i}`;
    const p = {
      from: el("input", { type: "time", id: idFrom, value: from, "data-testid": `br-${day}-from-${i}`, required: true }),
      to: el("input", { type: "time", id: idTo, value: to, "data-testid": `br-${day}-to-${i}`, required: true }),
    };
    const several = draft[day].length > 1;
    p.node = el(
      "li",
      { class: "cfg-period" },
      el("span", { class: "cfg-time" }, el("label", { for: idFrom, text: t("set_branches_hours_from") }), p.from),
      el("span", { class: "cfg-time" }, el("label", { for: idTo, text: t("set_branches_hours_until") }), p.to),
      several
        ? el("button", {
            type: "button",
            class: "btn btn-small btn-quiet-danger",
            "data-testid": `br-${day}-remove-${i}`,
            "aria-label": t("set_branches_hours_remove_label", { n: i + 1, day: names[DAYS.indexOf(day)] }),
            text: t("set_branches_hours_remove"),
            onclick: () => {
              keep(day);
              draft[day].splice(i, 1);
              drawPeriods(day);
              const left = rows[day].periods;
              (left[Math.min(i, left.length - 1)]?.from || rows[day].addBreak).focus();
              checkDay(day);
            },
          })
        : null,
    );
    return p;
  }

  /** The typed times back into the draft (before the periods are drawn again). */
  function keep(day) {
    if (!rows[day].closed.checked) draft[day] = rows[day].periods.map((p) => [p.from.value, p.to.value]);
  }

  function drawPeriods(day) {
    const r = rows[day];
    r.periods = draft[day].map((span, i) => periodRow(day, i, span));
    r.list.replaceChildren(...r.periods.map((p) => p.node));
    r.list.hidden = r.closed.checked;
    r.addBreak.hidden = r.closed.checked;
  }

  function showDay(day, problem) {
    const r = rows[day];
    for (const p of r.periods) {
      for (const input of [p.from, p.to]) {
        input.removeAttribute("aria-invalid");
        input.removeAttribute("aria-describedby");
      }
    }
    r.error.textContent = problem ? t(problem[0], problem[1]) : "";
    r.error.hidden = !problem;
    for (const input of problem ? problem[2] : []) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", r.error.id);
    }
  }

  function checkDay(day) {
    const r = rows[day];
    const problem = noneBox.checked || r.closed.checked ? null : dayProblem(r.periods);
    showDay(day, problem);
    return !problem;
  }

  function clearAll() {
    for (const day of DAYS) showDay(day, null);
    allError.textContent = "";
    allError.hidden = true;
  }

  function dayRow(day, idx) {
    const legendId = `${base}-${day}-name`;
    const closedId = `${base}-${day}-closed`;
    const r = {
      closed: el("input", {
        type: "checkbox",
        id: closedId,
        "data-testid": `br-${day}-closed`,
        checked: !draft[day].length,
        onchange: () => {
          if (r.closed.checked) {
            keep(day);
          } else if (!draft[day].length) {
            draft[day] = USUAL.map((p) => [...p]);
          }
          drawPeriods(day);
          checkDay(day);
          if (!r.closed.checked) r.periods[0]?.from.focus();
        },
      }),
      list: el("ol", { class: "cfg-periods", "aria-labelledby": legendId }),
      error: el("p", {
        class: "field-error",
        id: `${base}-${day}-err`,
        "data-error-for": `opening_hours.${day}`,
        "data-testid": `br-${day}-error`,
        role: "alert",
        hidden: true,
      }),
      periods: [],
    };
    r.addBreak = el("button", {
      type: "button",
      class: "btn btn-small",
      "data-testid": `br-${day}-break`,
      "aria-label": t("set_branches_hours_add_break_label", { day: names[idx] }),
      text: t("set_branches_hours_add_break"),
      onclick: () => {
        keep(day);
        if (draft[day].length >= MAX_PERIODS) {
          showDay(day, ["set_branches_hours_err_max", {}, []]);
          return;
        }
        const filled = draft[day].filter(([a, b]) => a && b && endMinutes(b) > minutes(a));
        if (filled.length !== draft[day].length) {
          checkDay(day); // fix the periods first: a break needs to know where they are
          return;
        }
        const spans = withBreak(filled.map(([a, b]) => [minutes(a), endMinutes(b)]));
        draft[day] = spans.map(([a, b]) => [hhmm(a), hhmm(b)]).sort((a, b) => a[0].localeCompare(b[0]));
        drawPeriods(day);
        checkDay(day);
        r.addBreak.focus();
        say(t("set_branches_hours_now_open", { day: names[idx], periods: draft[day].map(period).join(", ") }));
      },
    });
    rows[day] = r;
    const node = el(
      "fieldset",
      { class: "cfg-day", "data-testid": `br-day-${day}`, "aria-describedby": r.error.id },
      el("legend", { id: legendId, class: "cfg-day-name", text: names[idx] }),
      el(
        "span",
        { class: "cfg-day-closed" },
        r.closed,
        el("label", { for: closedId, text: t("set_branches_hours_closed") }),
      ),
      el("div", { class: "cfg-day-periods" }, r.list, r.addBreak),
      r.error,
    );
    // As the user types: a time input fires "input" once its value is a whole time.
    node.addEventListener("input", (e) => {
      if (e.target.type === "time") checkDay(day);
    });
    drawPeriods(day);
    return node;
  }

  const copy = el("button", {
    type: "button",
    class: "btn btn-small",
    "data-testid": "br-hours-copy",
    text: t("set_branches_hours_copy"),
    onclick: () => {
      keep("mon");
      for (const day of WEEKDAYS) {
        draft[day] = draft.mon.map((p) => [...p]);
        rows[day].closed.checked = rows.mon.closed.checked;
        drawPeriods(day);
        checkDay(day);
      }
      say(t("set_branches_hours_copied"));
    },
  });
  const days = el(
    "div",
    { class: "cfg-days", "data-testid": "br-hours-days", hidden: noneBox.checked },
    el("div", { class: "cfg-days-tools" }, copy),
    ...DAYS.map(dayRow),
  );

  const node = el(
    "fieldset",
    { class: "cfg-fieldset cfg-hours", "data-testid": "br-hours", "aria-describedby": `${base}-hint` },
    el("legend", { text: t("set_branches_hours") }),
    el("p", { class: "muted small field-hint", id: `${base}-hint`, text: t("set_branches_hours_hint", { zone }) }),
    el(
      "div",
      { class: "cfg-check" },
      noneBox,
      el(
        "div",
        {},
        el("label", { for: noneBox.id, text: t("set_branches_hours_none") }),
        el("p", { class: "muted small field-hint", id: `${base}-none-hint`, text: t("set_branches_hours_none_hint") }),
      ),
    ),
    days,
    allError,
    status,
  );

  return {
    node,
    value() {
      if (noneBox.checked) return null;
      return Object.fromEntries(
        DAYS.map((d) => [d, readDay(d).map(([from, to]) => [from, apiEnd(to)]).sort((a, b) => a[0].localeCompare(b[0]))]),
      );
    },
    check() {
      let ok = true;
      for (const day of DAYS) ok = checkDay(day) && ok;
      const never = !noneBox.checked && DAYS.every((d) => rows[d].closed.checked);
      allError.textContent = never ? t("set_branches_hours_err_never") : "";
      allError.hidden = !never;
      if (never) rows.mon.closed.focus();
      return ok && !never;
    },
  };
}
