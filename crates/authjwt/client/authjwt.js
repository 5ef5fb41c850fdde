// authjwt.js: the browser side of authjwt's JWT-in-cookies sessions. An ES module with no
// dependencies and no build step.
//
//   import { authFetch, onSessionEnd } from '/authjwt.js';
//   onSessionEnd(({ code }) => showLoginForm(code));
//   const response = await authFetch('/posts', {
//     method: 'POST',
//     headers: { 'Content-Type': 'application/json' },
//     body: JSON.stringify({ title: 'New Post' }),
//   });
//
// What authFetch does, on top of fetch:
//
// - CSRF double submit: on unsafe methods (POST, PUT, PATCH, DELETE) to the page's own origin
//   it sends `X-CSRF-TOKEN` with the value of the `csrf_access_token` cookie (of
//   `csrf_refresh_token` for the refresh URL). A header the caller set is left alone. Nothing
//   is added to requests for other origins, so the CSRF value never leaves the site.
// - Credentials: `same-origin` (fetch's default) unless the caller or `configure` says
//   otherwise: the cookies go to the page's own origin only.
// - Renewal: a 401 whose JSON `code` is `token_expired` (or `missing_token` while a
//   `csrf_refresh_token` cookie exists: a persistent access cookie leaves the jar when it
//   expires) triggers one refresh, then the request is sent again once.
//   The refresh is single-flight: one shared promise in the tab, and the Web Locks API
//   (`navigator.locks`) across the tabs of the origin. Holding the lock, a tab first sends
//   its request again (another tab may have refreshed in the meantime: the refresh cookie is
//   HttpOnly and the CSRF values do not change on a refresh, so only the server can tell)
//   and refreshes only when that still answers `token_expired` (or the `missing_token` rule).
//   Without Web Locks (old browsers; pages served over plain http from a host other than
//   localhost are not a secure context and have none) only the in-tab single flight is
//   left: tabs may then refresh concurrently, and the server's reuse window answers the
//   second presentation of a refresh token with the same successor.
// - A refresh whose response is lost on the network is sent once more: within the server's
//   reuse window the same refresh token gets the same successor.
// - A 401 `csrf_mismatch` (or `csrf_missing`) is sent again once when the CSRF cookie has
//   changed since the request was built (another tab logged in or refreshed meanwhile).
// - Session end: a `refresh_token_reused`, `token_revoked` or `session_expired` answer (to
//   the request or to the refresh), or any other 401 of the refresh itself except the CSRF
//   ones, calls the `onSessionEnd` callbacks, once per session (as named by its
//   `csrf_refresh_token` value; sessions without that cookie share one name). Calls made
//   for a session that already ended send their request but no refresh.
//
// Every retry is bounded: per authFetch call at most one refresh cycle, one CSRF resend and
// one resend after the refresh; per refresh at most two refresh requests. There are no
// timers and no workers: nothing happens outside authFetch and refresh calls.
//
// authFetch resolves with the response to the caller's own request (its last attempt), and
// rejects only when that request fails at the network level, like fetch.
//
// Bodies are replayed: authFetch builds one Request up front and sends clones of it. Strings,
// FormData, Blob, ArrayBuffer and URLSearchParams bodies cost nothing; a ReadableStream body
// (which needs `duplex: 'half'`) is buffered by the clone (tee) until the call settles. Pass
// an `AbortSignal` in `init.signal` to bound a call: authFetch adds no timeouts of its own.

const DEFAULTS = Object.freeze({
  // The script-readable CSRF cookies set with the access and refresh JWT cookies.
  accessCsrfCookie: 'csrf_access_token',
  refreshCsrfCookie: 'csrf_refresh_token',
  // The request header that carries the CSRF value.
  csrfHeader: 'X-CSRF-TOKEN',
  // POST here (same origin) with the refresh CSRF header to rotate the session's tokens.
  refreshUrl: '/refresh',
  // The methods that carry the CSRF header (the server's `csrf_methods`).
  csrfMethods: Object.freeze(['POST', 'PUT', 'PATCH', 'DELETE']),
  // The Web Locks name shared by the tabs of the origin; null: in-tab single flight only.
  lockName: 'authjwt-refresh',
  // The credentials mode when the caller gives none.
  credentials: 'same-origin',
});

// Codes that end the session, whatever request they answer.
const SESSION_END_CODES = new Set(['refresh_token_reused', 'token_revoked', 'session_expired']);
const CSRF_CODES = new Set(['csrf_mismatch', 'csrf_missing']);

let settings = { ...DEFAULTS };

/**
 * Changes the settings (cookie names, header name, refresh URL, CSRF methods, lock name,
 * credentials). Unknown keys throw. Returns the settings now in force.
 * @param {Partial<typeof DEFAULTS>} options
 */
export function configure(options = {}) {
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(DEFAULTS, key)) throw new TypeError(`authjwt: unknown setting ${key}`);
  }
  settings = { ...settings, ...options };
  if (options.csrfMethods) settings.csrfMethods = options.csrfMethods.map((m) => String(m).toUpperCase());
  return { ...settings };
}

/**
 * The value of a cookie scripts may read, or undefined.
 * @param {string} name
 */
export function getCookie(name) {
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

// ---- session end ---------------------------------------------------------------------

const sessionEndCallbacks = new Set();
const endedSessions = new Set();

/**
 * Registers a callback for the end of the session: `cb({ code, status, url })`. Returns a
 * function that unregisters it.
 * @param {(end: {code: string|null, status: number, url: string}) => void} callback
 */
export function onSessionEnd(callback) {
  sessionEndCallbacks.add(callback);
  return () => sessionEndCallbacks.delete(callback);
}

// The name of the current session: its refresh CSRF value ('' without one).
function currentSession() {
  return getCookie(settings.refreshCsrfCookie) ?? '';
}

function endSession(session, code, response) {
  if (endedSessions.has(session)) return;
  endedSessions.add(session);
  const end = { code, status: response.status, url: response.url };
  for (const callback of [...sessionEndCallbacks]) {
    try {
      callback(end);
    } catch (error) {
      // Reported like an uncaught error, without stopping the other callbacks.
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}

// ---- helpers ---------------------------------------------------------------------------

// The JSON `code` of a 401 answer, read from a clone (the caller can still read the body).
async function codeOf(response) {
  if (response.status !== 401) return null;
  try {
    const body = await response.clone().json();
    return body && typeof body.code === 'string' ? body.code : null;
  } catch {
    return null;
  }
}

// token_expired, or missing_token while the refresh CSRF cookie says a session exists.
function needsRefresh(code) {
  return code === 'token_expired'
    || (code === 'missing_token' && getCookie(settings.refreshCsrfCookie) !== undefined);
}

// A session-ending code, or a 401 of the refresh URL other than a CSRF rejection (the
// refresh token is missing, expired or invalid: no refresh can succeed any more).
function endsSession(response, code, fromRefresh) {
  return SESSION_END_CODES.has(code)
    || (fromRefresh && response.status === 401 && !CSRF_CODES.has(code));
}

function sameOrigin(url) {
  return new URL(url, location.href).origin === location.origin;
}

function isRefreshUrl(url) {
  const target = new URL(url, location.href);
  const refresh = new URL(settings.refreshUrl, location.href);
  return target.origin === refresh.origin && target.pathname === refresh.pathname;
}

// Runs `task` holding the cross-tab lock when the browser has Web Locks.
function withLock(task) {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  if (settings.lockName && locks && typeof locks.request === 'function') {
    return locks.request(settings.lockName, { mode: 'exclusive' }, task);
  }
  return task();
}

// ---- the refresh -----------------------------------------------------------------------

// One POST to the refresh URL with the refresh CSRF header; a lost response (network error)
// or a CSRF rejection after the cookie changed is sent once more. Resolves with
// {response} or {error} (never rejects).
async function refreshRequest() {
  let retries = 1;
  for (;;) {
    const headers = new Headers();
    const csrf = getCookie(settings.refreshCsrfCookie);
    if (csrf !== undefined) headers.set(settings.csrfHeader, csrf);
    let response;
    try {
      response = await fetch(settings.refreshUrl, {
        method: 'POST',
        credentials: settings.credentials,
        headers,
      });
    } catch (error) {
      if (retries-- > 0) continue;
      return { error };
    }
    if (retries > 0 && CSRF_CODES.has(await codeOf(response))) {
      if (getCookie(settings.refreshCsrfCookie) !== csrf) {
        retries -= 1;
        continue;
      }
    }
    return { response };
  }
}

// The refresh cycle in flight in this tab: {promise, probing}.
let inflight = null;

// Holding the lock: `probe` (the owner's request sent again) first when given; a refresh
// when there is no probe or the probe still needs one. Resolves with
// {probe: {response}|{error}} or {refresh: {response}|{error}, ended: boolean}.
async function cycle(probe, session) {
  if (probe) {
    let probed;
    try {
      probed = { response: await probe() };
    } catch (error) {
      return { probe: { error } };
    }
    if (!needsRefresh(await codeOf(probed.response))) return { probe: probed };
  }
  const refresh = await refreshRequest();
  let ended = false;
  if (refresh.response) {
    const code = await codeOf(refresh.response);
    ended = endsSession(refresh.response, code, true);
    if (ended) endSession(session, code, refresh.response);
  }
  return { refresh, ended };
}

function startCycle(probe, session) {
  const entry = { probing: probe !== null };
  entry.promise = withLock(() => cycle(probe, session)).finally(() => {
    if (inflight === entry) inflight = null;
  });
  inflight = entry;
  return entry.promise;
}

/**
 * Refreshes the session now (the page's Refresh button): POST to the refresh URL with the
 * refresh CSRF header, single-flight like the refreshes of authFetch (a refresh already in
 * flight in this tab is joined). Resolves with the refresh's response; rejects when it failed
 * twice at the network level.
 * @returns {Promise<Response>}
 */
export async function refresh() {
  // Let a cycle that may not refresh (a probe first) finish, then refresh.
  while (inflight && inflight.probing) await inflight.promise;
  const outcome = await (inflight ? inflight.promise : startCycle(null, currentSession()));
  if (outcome.refresh.error) throw outcome.refresh.error;
  return outcome.refresh.response.clone();
}

// ---- authFetch -------------------------------------------------------------------------

/**
 * fetch with the CSRF header, one transparent refresh, and the session-end callbacks.
 * `options.csrfCookie` names another CSRF cookie for this call; `options.refresh: false`
 * turns the renewal off for it (for requests authenticated otherwise, e.g. a bearer header).
 * @param {RequestInfo | URL} input
 * @param {RequestInit} [init]
 * @param {{csrfCookie?: string, refresh?: boolean}} [options]
 * @returns {Promise<Response>}
 */
export async function authFetch(input, init = {}, options = {}) {
  const requestInit = { ...init };
  if (!(input instanceof Request) && requestInit.credentials === undefined) {
    requestInit.credentials = settings.credentials;
  }
  // Built once; every attempt sends a clone, so the body can be replayed.
  const base = new Request(input, requestInit);
  const own = sameOrigin(base.url);
  const toRefreshUrl = own && isRefreshUrl(base.url);
  const csrfCookie = options.csrfCookie
    ?? (toRefreshUrl ? settings.refreshCsrfCookie : settings.accessCsrfCookie);
  const addsCsrf = own
    && settings.csrfMethods.includes(base.method.toUpperCase())
    && !base.headers.has(settings.csrfHeader);
  const session = currentSession();

  let csrfResends = 1;
  const send = async () => {
    for (;;) {
      const request = base.clone();
      const sent = addsCsrf ? getCookie(csrfCookie) : undefined;
      if (sent !== undefined) request.headers.set(settings.csrfHeader, sent);
      const response = await fetch(request);
      if (addsCsrf && csrfResends > 0 && CSRF_CODES.has(await codeOf(response))
          && getCookie(csrfCookie) !== sent) {
        csrfResends -= 1;
        continue;
      }
      return response;
    }
  };
  // The final answer: reports a session-ending code, and hands the response back.
  const finish = async (response) => {
    const code = await codeOf(response);
    if (own && endsSession(response, code, toRefreshUrl)) endSession(session, code, response);
    return response;
  };

  const first = await send();
  const wantsRefresh = own && !toRefreshUrl && options.refresh !== false
    && !endedSessions.has(session) && needsRefresh(await codeOf(first));
  if (!wantsRefresh) return finish(first);

  // One refresh cycle: start one (probing with this request) or join the tab's.
  const owner = inflight === null;
  const outcome = await (owner ? startCycle(send, session) : inflight.promise);
  if (outcome.probe) {
    if (!owner) return finish(await send());
    // This call's own request, sent again holding the lock: its answer stands.
    if (outcome.probe.error) throw outcome.probe.error;
    return finish(outcome.probe.response);
  }
  const refreshed = outcome.refresh.response && outcome.refresh.response.ok;
  // A failed refresh (session ended, network, 5xx, CSRF) leaves nothing worth resending.
  if (!refreshed) return finish(first);
  return finish(await send());
}
