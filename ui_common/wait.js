/**
 * ui_common/wait.js — an estimated wait as customers read it (kiosk, phone page).
 *
 * One rule, written twice: here for the screens and in drivers/escpos/i18n.py (format_wait)
 * for the paper, both held to tests/fixtures/wait_wording.json.
 *
 *   formatWait(lang, seconds, { range = null, rough = false } = {}) -> string
 *     seconds < 60         "less than a minute"
 *     < 10 minutes         whole minutes rounded up             "7 minutes"
 *     < 1 hour             to the nearest 5 minutes             "25 minutes"
 *     from 1 hour          hours and minutes, nearest 15        "1 hour 15 minutes"
 *     range [low, high]    both on the step of the high end (1, 5 or 15 minutes), low down and
 *                          high up: "10–15 minutes"; one figure when they meet; "up to 5
 *                          minutes" when low comes to 0
 *     rough                "15 minutes (rough estimate)" (never said under a minute)
 *   roughNote(lang) -> "(rough estimate)": the words a short marker stands for
 *   keepNumbersWithUnits(text) -> text with a no-break space after each number and word
 *                       joiners around a range's dash, so a screen never wraps "15" away from
 *                       "minutes" nor "10–" from "15" (display only; the words are formatWait's)
 *   fillWait(el, lang, seconds, { range, rough }) -> el holds formatWait's words (units kept
 *                       with their numbers), the rough note in a <span class="wait-note"> for
 *                       the page to set on a line of its own
 *   WAIT_LANGS          the languages it has words for (others read English)
 */

/** Between the two ends of a range. */
export const RANGE_DASH = "\u2013";

const WORDS = {
  en: {
    under: "less than a minute",
    minute: { one: "minute", other: "minutes" },
    hour: { one: "hour", other: "hours" },
    hoursAnd: " ",
    upTo: "up to {}",
    rough: "{} (rough estimate)",
  },
  tr: {
    under: "1 dakikadan az",
    // Turkish keeps the noun singular after a number.
    minute: { one: "dakika", other: "dakika" },
    hour: { one: "saat", other: "saat" },
    hoursAnd: " ",
    upTo: "en fazla {}",
    rough: "{} (kaba tahmin)",
  },
  el: {
    under: "λιγότερο από ένα λεπτό",
    minute: { one: "λεπτό", other: "λεπτά" },
    hour: { one: "ώρα", other: "ώρες" },
    hoursAnd: " και ",
    upTo: "έως {}",
    rough: "{} (πρόχειρη εκτίμηση)",
  },
  pl: {
    under: "mniej niż minuta",
    minute: { one: "minuta", few: "minuty", many: "minut" },
    hour: { one: "godzina", few: "godziny", many: "godzin" },
    hoursAnd: " ",
    upTo: "do {}",
    rough: "{} (orientacyjnie)",
    // "do" takes the genitive.
    upToMinute: { one: "minuty", other: "minut" },
    upToHour: { one: "godziny", other: "godzin" },
  },
};

export const WAIT_LANGS = Object.keys(WORDS);

function wordsFor(lang) {
  return WORDS[lang] || WORDS.en;
}

export function formatWait(lang, seconds, { range = null, rough = false } = {}) {
  const words = wordsFor(lang);
  const text =
    Array.isArray(range) && range.length === 2
      ? rangeText(lang, words, range[0], range[1])
      : point(lang, words, seconds);
  return rough && text !== words.under ? words.rough.replace("{}", text) : text;
}

export function roughNote(lang) {
  return wordsFor(lang).rough.replace("{} ", "");
}

export function keepNumbersWithUnits(text) {
  return text.replace(/(\d) (?=\S)/gu, "$1\u00a0").replace(/(\d)\u2013(?=\d)/gu, "$1\u2060\u2013\u2060");
}

export function fillWait(el, lang, seconds, { range = null, rough = false } = {}) {
  const figure = keepNumbersWithUnits(formatWait(lang, seconds, { range }));
  const full = keepNumbersWithUnits(formatWait(lang, seconds, { range, rough }));
  const note = roughNote(lang);
  if (full !== figure && full === `${figure} ${note}`) {
    const span = Object.assign(document.createElement("span"), { className: "wait-note", textContent: note });
    el.replaceChildren(figure, " ", span);
  } else {
    el.textContent = full;
  }
}

function point(lang, words, seconds) {
  const s = Math.max(Number(seconds) || 0, 0);
  if (s < 60) return words.under;
  let minutes;
  if (s < 600) minutes = Math.ceil(s / 60);
  else if (s < 3600) minutes = 5 * Math.floor((s + 150) / 300);
  else minutes = 15 * Math.floor((s + 450) / 900);
  return duration(lang, words, minutes);
}

function rangeText(lang, words, lowS, highS) {
  [lowS, highS] = [lowS, highS].map((v) => Math.max(Number(v) || 0, 0)).sort((a, b) => a - b);
  if (highS < 60) return words.under;
  const step = highS < 600 ? 1 : highS < 3600 ? 5 : 15;
  const low = step * Math.floor(lowS / (60 * step));
  const high = step * Math.ceil(highS / (60 * step));
  if (low === high) return duration(lang, words, high);
  if (low === 0) return words.upTo.replace("{}", duration(lang, words, high, { upTo: true }));
  if (high < 60) return `${low}${RANGE_DASH}${high} ${unit(lang, words.minute, high)}`;
  if (low % 60 === 0 && high % 60 === 0) {
    return `${low / 60}${RANGE_DASH}${high / 60} ${unit(lang, words.hour, high / 60)}`;
  }
  return `${duration(lang, words, low)} ${RANGE_DASH} ${duration(lang, words, high)}`;
}

/** "25 minutes", "1 hour", "1 hour 15 minutes" (in the case "up to" takes, where declined). */
function duration(lang, words, minutes, { upTo = false } = {}) {
  const minute = (upTo && words.upToMinute) || words.minute;
  const hour = (upTo && words.upToHour) || words.hour;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const parts = [];
  if (hours) parts.push(`${hours} ${unit(lang, hour, hours)}`);
  if (rest || !hours) parts.push(`${rest} ${unit(lang, minute, rest)}`);
  return parts.join(words.hoursAnd);
}

function unit(lang, forms, n) {
  return forms[plural(lang, n)] || forms.other;
}

/** The plural category of n (CLDR): Polish has 1 / 2–4 (not 12–14) / the rest. */
function plural(lang, n) {
  if (n === 1) return "one";
  if (lang === "pl") return [2, 3, 4].includes(n % 10) && ![12, 13, 14].includes(n % 100) ? "few" : "many";
  return "other";
}
