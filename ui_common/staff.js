/**
 * ui_common/staff.js — what the staff screens (teller console, manager dashboard) share: the
 * signed-in session kept for the browser tab, and the small DOM helpers they build pages with.
 *
 *   const session = new StaffSession("sira.staff", { refuse: (res) => ... });
 *   session.load()                  the session this tab signed in with, or null
 *   await session.signIn(api, user, password)   POST /auth/login; keeps {token, role, branch, username}
 *   await session.signOut(api)      POST /auth/logout (an expired session is fine), forgets it
 *
 * The session lives in sessionStorage: it survives a reload of the tab, not the closing of the
 * browser, and two tabs can be signed in as different people.
 */

export const $ = (id) => document.getElementById(id);

/**
 * Build an element: `el("td", {class: "num", text: "3", dataKey: "A"}, child…)`.
 * `text` sets textContent (never HTML); `style` sets the element's style (the CSSOM, which the
 * page's CSP allows; a style attribute it would refuse); `onX` adds a listener; `dataFooBar` becomes the
 * attribute data-foo-bar; true gives an empty attribute; false, null and undefined are left
 * out, as are null, undefined and false children.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    // Through the CSSOM: a style attribute would be an inline style, which the CSP refuses.
    else if (k === "style") node.style.cssText = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (/^data[A-Z]/.test(k)) node.setAttribute(k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

/** A JSON value from a Storage, or `fallback` when it is missing or unreadable. */
export function loadJSON(store, key, fallback) {
  try {
    return JSON.parse(store.getItem(key)) ?? fallback;
  } catch {
    return fallback;
  }
}

export class StaffSession {
  /**
   * @param {string} key  the sessionStorage key of this screen
   * @param {{refuse?: (res: object) => (Error|object|null)}} options  refuse(res) returns an
   *   error to throw when this screen is not for the signed-in role (it then keeps nothing)
   */
  constructor(key, { refuse = () => null } = {}) {
    this.key = key;
    this.refuse = refuse;
    this.current = null;
  }

  /** The session stored for this tab, or null (also when this screen would refuse it). */
  load() {
    const stored = loadJSON(sessionStorage, this.key, null);
    this.current = stored?.token && !this.refuse(stored) ? stored : null;
    return this.current;
  }

  async signIn(api, username, password) {
    const res = await api.post("/api/v1/auth/login", { username, password });
    const refused = this.refuse(res);
    if (refused) throw refused;
    this.current = {
      token: res.access_token,
      role: res.role,
      branch: res.branch,
      username: res.username || username,
    };
    sessionStorage.setItem(this.key, JSON.stringify(this.current));
    return this.current;
  }

  async signOut(api) {
    try {
      await api.post("/api/v1/auth/logout");
    } catch {
      // the session may have expired already; forgetting it here is what matters
    }
    sessionStorage.removeItem(this.key);
    this.current = null;
  }
}
