// The dashboard's entry point: every panel registers how it draws itself, then the preferences
// (language, text size) are applied, which draws the page once.
import { initApplicant } from "./applicant.js";
import { initClient } from "./client.js";
import { initCompare } from "./compare.js";
import { initModel } from "./model.js";
import { initPreferences } from "./preferences.js";
import { initWhatif } from "./whatif.js";

const clientEvents = initClient();
initCompare(clientEvents);
const modelCard = initModel();
initPreferences();
modelCard.then((card) => {
  initWhatif(clientEvents, card);
  initApplicant(card);
});
