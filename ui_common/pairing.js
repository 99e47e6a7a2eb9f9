/**
 * ui_common/pairing.js — a device screen (kiosk, display) with no token pairs by code.
 *
 *   const pairing = startPairing({ kind: "kiosk", onCode, onPaired, onError });
 *   pairing.stop();
 *
 * It asks the server for a pairing code (POST /api/v1/pairing), hands it to
 * `onCode({ code, expiresAt, qrDataUrl, pairUrl, server })` to show, then asks every few
 * seconds whether staff have entered it (POST /api/v1/pairing/status with the secret, which
 * stays in this page's memory only). When they have, `onPaired(token, device)` gets the
 * device's token (the server hands it over once). An expired code is replaced by a new one
 * (onCode again); a server out of reach is retried quietly, `onError(err)` told.
 */

import { Api, ApiError } from "./api.js";

const RETRY_MS = 3000;

export function startPairing({ kind, onCode, onPaired, onError = () => {} }) {
  const api = new Api();
  let stopped = false;
  let timer = null;

  const later = (fn, ms) => {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(fn, ms);
  };

  async function ask() {
    let started;
    try {
      started = await api.post("/api/v1/pairing", { kind });
    } catch (err) {
      onError(err);
      later(ask, err instanceof ApiError && err.status === 429 ? 60000 : RETRY_MS);
      return;
    }
    if (stopped) return;
    onCode({
      code: started.code,
      expiresAt: new Date(started.expires_at),
      pairUrl: started.pair_url,
      qrDataUrl: `data:image/svg+xml;base64,${btoa(started.qr_svg)}`,
      server: location.origin,
    });
    const pollMs = Math.max(1, started.poll_s || 2) * 1000;
    later(() => poll(started.secret, pollMs), pollMs);
  }

  async function poll(secret, pollMs) {
    try {
      const answer = await api.post("/api/v1/pairing/status", { secret });
      if (stopped) return;
      if (answer.state === "paired" && answer.token) {
        stopped = true;
        onPaired(answer.token, answer.device);
        return;
      }
      later(() => poll(secret, pollMs), pollMs);
    } catch (err) {
      if (err instanceof ApiError && !err.offline && [404, 409, 410].includes(err.status)) {
        ask(); // expired, or handed over elsewhere: a new code
        return;
      }
      onError(err);
      later(() => poll(secret, pollMs), RETRY_MS);
    }
  }

  ask();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

let screen = null;

/**
 * Fill a device page's pairing screen (the ids #pair-error, #pair-server, #pair-manual,
 * #pair-code, #pair-qr, shared by the kiosk and the display) and pair: `errorKeys` say why
 * the page is here (their words through `t`); once paired, the token is kept under
 * `storeKey` and `onPaired(token)` starts the page. A new call replaces the previous pairing.
 */
export function showPairingScreen({ kind, t, errorKeys = [], storeKey, onPaired }) {
  const $ = (id) => document.getElementById(id);
  const error = $("pair-error");
  error.textContent = errorKeys.map((k) => t(k)).join(" ");
  error.dataset.reason = errorKeys[0] || "";
  error.hidden = errorKeys.length === 0;
  $("pair-server").textContent = location.origin;
  // A token typed or linked was refused: keep its form open to try again.
  $("pair-manual").open = errorKeys.some((k) => k !== "pair_revoked");
  stopPairingScreen();
  screen = startPairing({
    kind,
    onCode: ({ code, qrDataUrl }) => {
      $("pair-code").textContent = code;
      $("pair-qr").src = qrDataUrl;
      $("pair-qr").hidden = false;
    },
    onPaired: (token) => {
      screen = null;
      localStorage.setItem(storeKey, token);
      onPaired(token);
    },
  });
}

/** Stop asking (a token was typed into the manual form instead). */
export function stopPairingScreen() {
  screen?.stop();
  screen = null;
}
