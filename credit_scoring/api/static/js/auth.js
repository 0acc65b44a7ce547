// Signs the credit officer in with the company's identity provider when the function asks for it: on
// a stack whose API takes bearer tokens (template.yaml, ApiAuth=JWT), the page carries a
// <meta name="sign-in"> with the provider's endpoints. OAuth 2.0 authorization code with PKCE, for a
// public client: the page holds no secret. The access token stays in this tab's sessionStorage (never
// in the URL, never in localStorage) until it expires, and goes with every API call.

const TOKEN_KEY = "credit-scoring.sign-in.token";
const PENDING_KEY = "credit-scoring.sign-in.pending";
const EXPIRY_MARGIN_MS = 30_000;

const settings = (() => {
  const meta = document.querySelector('meta[name="sign-in"]');
  return meta ? JSON.parse(meta.content) : null;
})();

class SignInError extends Error {
  constructor(message) {
    super(message);
    this.name = "SignInError";
  }
}

function base64url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomString() {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

async function codeChallenge(verifier) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

// The page's address as registered with the provider, which sends the officer back there: the
// directory the page is served from (its <base href> behind a stage), "/dev/" whether "/dev" or "/dev/"
// was typed.
function redirectUri() {
  return new URL(".", document.baseURI).href;
}

function readJSON(key) {
  try {
    return JSON.parse(sessionStorage.getItem(key) ?? "null");
  } catch {
    return null;
  }
}

function currentToken() {
  const stored = readJSON(TOKEN_KEY);
  return stored && typeof stored.token === "string" && stored.expiresAt > Date.now() ? stored.token : null;
}

let leaving = null;

// Leaves the page for the provider's sign-in; the returned promise never settles. Once only: the calls
// a lookup makes at once all get their 401, and one request must be the one whose state comes back.
function leaveForProvider() {
  leaving ??= (async () => {
    const verifier = randomString();
    const state = randomString();
    sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state }));
    const url = new URL(settings.authorizeUrl);
    url.search = new URLSearchParams({
      response_type: "code",
      client_id: settings.clientId,
      redirect_uri: redirectUri(),
      scope: settings.scope,
      state,
      code_challenge: await codeChallenge(verifier),
      code_challenge_method: "S256",
    }).toString();
    location.assign(url.href);
    return new Promise(() => {});
  })();
  return leaving;
}

// The provider's answer: a one-time code, exchanged for the token with the verifier only this tab holds.
async function redeem(params) {
  const pending = readJSON(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  history.replaceState(null, "", redirectUri()); // the code leaves the address bar and the history
  if (params.has("error")) {
    throw new SignInError(params.get("error_description") || params.get("error"));
  }
  if (!pending || pending.state !== params.get("state")) {
    throw new SignInError("the answer does not match this tab's sign-in request");
  }
  let response;
  try {
    response = await fetch(settings.tokenUrl, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        client_id: settings.clientId,
        code: params.get("code"),
        redirect_uri: redirectUri(),
        code_verifier: pending.verifier,
      }),
    });
  } catch (error) {
    throw new SignInError(error.message);
  }
  const body = await response.json().catch(() => null);
  if (!response.ok || typeof body?.access_token !== "string") {
    throw new SignInError(body?.error_description || body?.error || `HTTP ${response.status}`);
  }
  const lifetimeMs = (Number(body.expires_in) > 0 ? Number(body.expires_in) : 300) * 1000;
  const expiresAt = Date.now() + lifetimeMs - Math.min(EXPIRY_MARGIN_MS, lifetimeMs / 2);
  sessionStorage.setItem(TOKEN_KEY, JSON.stringify({ token: body.access_token, expiresAt }));
}

// Resolves once API calls can be made: at once without sign-in settings or with a valid token; after
// redeeming the provider's answer; otherwise the page leaves for the provider and it never resolves.
export async function ensureSignedIn() {
  if (!settings) return;
  const params = new URLSearchParams(location.search);
  if (params.has("code") || params.has("error")) await redeem(params);
  if (!currentToken()) await leaveForProvider();
}

export function authorization() {
  const token = settings ? currentToken() : null;
  return token ? { Authorization: `Bearer ${token}` } : {};
}

// An API call refused for want of a valid token (401): sign in again, when the page can.
export function signInAgain() {
  if (!settings) return false;
  sessionStorage.removeItem(TOKEN_KEY);
  leaveForProvider();
  return true;
}
