// The officer's display preferences: language and a larger text size (WCAG 1.4.4), both kept for the
// next visit. Charts are drawn again whenever the language, the text size or the page width changes.
import { language, onLanguageChange, setLanguage } from "./i18n.js";

const TEXT_SIZE_KEY = "credit-dashboard-large-text";
const LANGUAGE_KEY = "credit-dashboard-language";
const redrawers = [];

/** Register a function drawing a part of the page again with the current preferences. */
export function onRedraw(redraw) {
  redrawers.push(redraw);
}

function redrawAll() {
  for (const redraw of redrawers) {
    redraw();
  }
}

function remember(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Storage may be disabled by policy: the preference then lasts for this page only.
  }
}

function recall(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function applyTextSize(large) {
  document.documentElement.classList.toggle("large-text", large);
  document.getElementById("text-size").setAttribute("aria-pressed", String(large));
}

export function initPreferences() {
  const textSize = document.getElementById("text-size");
  applyTextSize(recall(TEXT_SIZE_KEY) === "1");
  textSize.addEventListener("click", () => {
    const large = textSize.getAttribute("aria-pressed") !== "true";
    applyTextSize(large);
    remember(TEXT_SIZE_KEY, large ? "1" : "0");
    redrawAll();
  });

  onLanguageChange(redrawAll);
  setLanguage(recall(LANGUAGE_KEY) === "en" ? "en" : "fr");
  document.getElementById("language").addEventListener("click", () => {
    const next = language() === "fr" ? "en" : "fr";
    remember(LANGUAGE_KEY, next);
    setLanguage(next);
  });

  let width = window.innerWidth;
  let frame = 0;
  window.addEventListener("resize", () => {
    // Zoom changes the width too; a height-only change (a virtual keyboard) needs no redraw.
    if (window.innerWidth === width) {
      return;
    }
    width = window.innerWidth;
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(redrawAll);
  });
}
