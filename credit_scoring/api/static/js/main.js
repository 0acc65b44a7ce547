// The dashboard's entry point: the officer is signed in first when the stack asks for it (auth.js),
// then every panel registers how it draws itself, then the preferences (language, text size) are
// applied, which draws the page once.
import { initApplicant } from "./applicant.js";
import { ensureSignedIn } from "./auth.js";
import { initClient } from "./client.js";
import { initCompare } from "./compare.js";
import { initHealth } from "./health.js";
import { t } from "./i18n.js";
import { initModel } from "./model.js";
import { initPreferences } from "./preferences.js";
import { initWhatif } from "./whatif.js";

function start() {
  const clientEvents = initClient();
  initCompare(clientEvents);
  const modelCard = initModel();
  initHealth();
  initPreferences();
  modelCard.then((card) => {
    initWhatif(clientEvents, card);
    initApplicant(card);
  });
}

ensureSignedIn().then(start, (error) => {
  initPreferences();
  document.getElementById("lookup-status").textContent = t("signInFailed", { message: error.message });
});
