/**
 * ui_common/words.js — how every screen names a counter.
 *
 *   counterName(label, template) -> "Counter 3" for a bare label ("3", "12", "3A"), and the
 *   label itself when it already names the counter ("Gişe 1", "Kasa Yeni"): a branch that
 *   labels its counters "Gişe 1" must not read "Gişe Gişe 1". `template` is the screen's own
 *   translated "Counter {label}" (or "Gişe {label}", "Θυρίδα {label}" ...).
 */

const BARE = /^[\p{N}\p{L}]{1,3}$/u;

export function isBareLabel(label) {
  return BARE.test(String(label ?? "").trim());
}

export function counterName(label, template) {
  const text = String(label ?? "").trim();
  return isBareLabel(text) ? template.replaceAll("{label}", text) : text;
}
