// Calls to the scoring function. Paths are relative, so the page works wherever it is served (under an
// API Gateway stage prefix too); errors keep the API's own message and the field it names. On a stack
// whose API takes bearer tokens, each call carries the officer's (auth.js).
import { authorization, signInAgain } from "./auth.js";
import { language } from "./i18n.js";

class ApiError extends Error {
  constructor(status, message, fields = []) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.fields = fields;
  }
}

async function request(path, options) {
  let response;
  try {
    // The reasons come back in words in the page's language.
    const headers = {
      Accept: "application/json",
      "Accept-Language": language(),
      ...options.headers,
      ...authorization(),
    };
    response = await fetch(path, { ...options, headers });
  } catch (error) {
    throw new ApiError(0, error.message);
  }
  if (response.status === 401 && signInAgain()) {
    return new Promise(() => {}); // the page is leaving for the identity provider
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const message = typeof body?.detail === "string" ? body.detail : `HTTP ${response.status}`;
    const fields = Array.isArray(body?.errors) ? body.errors : [];
    throw new ApiError(response.status, message, fields);
  }
  return body;
}

export function getJSON(path) {
  return request(path, { method: "GET" });
}

export function postJSON(path, payload) {
  return request(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(payload),
  });
}
