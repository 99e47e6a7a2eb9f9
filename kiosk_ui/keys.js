// Moving the focus with a keypad: what can be focused now, and the next one in a direction.
//
//   focusables(root)          the enabled, visible buttons and inputs under root, in page order
//   nextInOrder(root, step)   Tab / Shift+Tab: the next (+1) or previous (-1) one, wrapping
//   nextInDirection(root, dir) an arrow key: the nearest one that way ("up", "down", "left",
//                             "right"), judged on the screen as the eye does; at the edge the
//                             page order decides, so an arrow never does nothing while there is
//                             somewhere to go
//
// A keypad sends arrows, Enter and Escape; the kiosk takes them as a TV remote works: the focus
// goes to what is visibly next in that direction.

const FOCUSABLE = "button, [href], input, select, textarea, summary, [tabindex]:not([tabindex='-1'])";

export function focusables(root) {
  return [...root.querySelectorAll(FOCUSABLE)].filter((el) => {
    if (el.disabled || el.closest("[hidden], [inert]")) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden";
  });
}

export function nextInOrder(root, step) {
  const items = focusables(root);
  if (!items.length) return null;
  const at = items.indexOf(document.activeElement);
  if (at < 0) return step > 0 ? items[0] : items[items.length - 1];
  return items[(at + step + items.length) % items.length];
}

const AXES = {
  up: { dx: 0, dy: -1 },
  down: { dx: 0, dy: 1 },
  left: { dx: -1, dy: 0 },
  right: { dx: 1, dy: 0 },
};

export function nextInDirection(root, dir) {
  const items = focusables(root);
  if (!items.length) return null;
  const from = document.activeElement;
  if (!items.includes(from)) return items[0];
  const { dx, dy } = AXES[dir];
  const a = from.getBoundingClientRect();
  let best = null;
  let bestScore = Infinity;
  for (const el of items) {
    if (el === from) continue;
    const b = el.getBoundingClientRect();
    // How far it lies in the direction (edge to edge), and how far off to the side.
    const ahead = dx ? (dx > 0 ? b.left - a.right : a.left - b.right) : dy > 0 ? b.top - a.bottom : a.top - b.bottom;
    if (ahead < -Math.min(a.width, a.height, b.width, b.height) / 2) continue;
    const side = dx
      ? Math.max(0, Math.max(a.top, b.top) - Math.min(a.bottom, b.bottom))
      : Math.max(0, Math.max(a.left, b.left) - Math.min(a.right, b.right));
    const score = Math.max(ahead, 0) + 3 * side;
    if (score < bestScore) {
      bestScore = score;
      best = el;
    }
  }
  if (best) return best;
  // Nothing that way on the screen: down/right go on in page order, up/left go back.
  const at = items.indexOf(from);
  const step = dx > 0 || dy > 0 ? 1 : -1;
  return items[at + step] || null;
}
