// French by default (the company's language), English on request. Static text in the page carries
// data-i18n keys; scripts call t() for the text they build.

const MESSAGES = {
  fr: {
    title: "Tableau de bord crédit · Prêt à dépenser",
    titleClient: "Client {id} · Tableau de bord crédit · Prêt à dépenser",
    skip: "Aller au contenu principal",
    appName: "Tableau de bord crédit",
    preferences: "Préférences d’affichage",
    largeText: "Agrandir le texte",
    otherLanguage: "English",
    otherLanguageCode: "en",
    lookupTitle: "Décision de crédit d’un client",
    clientIdLabel: "Numéro client",
    clientIdHint: "6 chiffres, par exemple {example}",
    lookup: "Rechercher",
    idDigitsOnly: "Le numéro client ne contient que des chiffres (0 à 9).",
    idLength: "Le numéro client comporte exactement 6 chiffres ({count} saisi(s)).",
    idEmpty: "Saisissez un numéro client de 6 chiffres.",
    idLeadingZero: "Un numéro client ne commence pas par 0.",
    loading: "Recherche du client {id}…",
    unknownClient: "Client inconnu\u00a0: aucun client n’a le numéro {id}.",
    loaded: "Client {id}\u00a0: {decision}, probabilité de défaut {probability}.",
    serviceError: "Le service n’a pas pu répondre\u00a0: {message}",
    networkError: "Le service est injoignable. Vérifiez la connexion puis réessayez.",
    signInFailed: "La connexion a échoué\u00a0: {message}. Rechargez la page pour réessayer.",
    decisionTitle: "Décision",
    accepted: "Accepté",
    refused: "Refusé",
    probability: "Probabilité de défaut",
    threshold: "Seuil de décision",
    decisionRule: "Le crédit est refusé quand la probabilité de défaut atteint le seuil.",
    gaugeLabel: "Jauge de risque",
    gaugeCaption:
      "Probabilité de défaut {probability} sur une échelle de 0 à 100\u00a0%\u00a0; seuil de refus à {threshold}. Zone\u00a0: {zone}.",
    zoneLow: "risque faible",
    zoneModerate: "risque modéré",
    zoneHigh: "risque élevé (refus)",
    zoneLowShort: "Faible",
    zoneModerateShort: "Modéré",
    zoneHighShort: "Élevé",
    infoTitle: "Informations principales",
    infoUnavailable: "Les informations de la demande ne sont pas disponibles pour ce modèle.",
    reasonsTitle: "Facteurs de la décision",
    reasonsIntro:
      "Chaque barre montre ce qu’une variable ajoute au risque du client (vers la droite) ou lui retire (vers la gauche), depuis le risque moyen du modèle jusqu’au score du client.",
    reasonsLabel: "Cascade des contributions au risque",
    baseRisk: "Risque de base du modèle",
    clientScore: "Score du client",
    otherFeatures: "Autres variables ({count})",
    raisesRisk: "augmente le risque",
    lowersRisk: "diminue le risque",
    waterfallCaption:
      "Du risque de base ({base}) au score du client ({score}). Les {count} facteurs principaux\u00a0: {list}.",
    topReasons: "Principaux motifs de risque",
    riskShare: "{share} du risque",
    littleInformation:
      "Attention\u00a0: décision prise sur peu d’informations ({given} des {used} champs utilisés par le modèle fournis). Elle repose surtout sur les moyennes de la population.",
    decisionId: "Numéro de décision",
    decidedAt: "Date et heure",
    modelVersion: "Version du modèle",
    loadingTitle: "Recherche du client {id} · Tableau de bord crédit · Prêt à dépenser",
    simulationLabel: "Simulation — ce n’est pas une décision",
    noReasons: "Aucune variable n’augmente le risque de ce client.",
    feature: "Variable",
    value: "Valeur",
    contribution: "Contribution (log-cote)",
    effect: "Effet",
    cumulative: "Probabilité cumulée",
    showTable: "Voir les données du graphique",
    compareTitle: "Le client parmi les autres clients",
    compareUnavailable: "Ce modèle ne fournit pas de résumés de la population pour la comparaison.",
    variable: "Variable",
    distributionTitle: "Répartition selon l’issue du crédit",
    boxTitle: "Boîtes à moustaches (5e, 25e, 50e, 75e et 95e centiles)",
    repaid: "Ont remboursé",
    defaulted: "En défaut",
    client: "Ce client",
    clientMissing: "valeur inconnue pour ce client",
    shareOfGroup: "Part du groupe",
    group: "Groupe",
    unitYears: "années",
    unitCurrency: "€",
    unitScore: "de 0 à 1",
    unitRatio: "rapport",
    waterfallAxis: "Probabilité de défaut (échelle logistique)",
    importanceHeader: "Effet absolu moyen (log-cote)",
    binRange: "Intervalle",
    histogramLabel: "Histogramme de {variable}\u00a0: clients ayant remboursé et clients en défaut",
    histogramSummary:
      "{variable} du client\u00a0: {value}. {repaidShare} des clients ayant remboursé et {defaultedShare} des clients en défaut ont une valeur inférieure ou égale.",
    histogramNoClient:
      "{variable}\u00a0: valeur du client inconnue\u00a0; seules les distributions sont affichées.",
    groupTooSmall: "Groupe trop petit pour être publié.",
    boxLabel: "Boîtes à moustaches de {variable} par issue du crédit",
    boxSummary:
      "Médiane {repaidMedian} pour les clients ayant remboursé, {defaultedMedian} pour les clients en défaut\u00a0; client\u00a0: {value}.",
    centile: "Centile",
    scatterX: "Axe horizontal",
    scatterY: "Axe vertical",
    scatterTitle: "Deux variables\u00a0: échantillon anonymisé de clients et le client",
    scatterLabel: "Nuage de points de {y} en fonction de {x}",
    scatterSummary:
      "{count} clients anonymisés ({defaulted} en défaut, valeurs arrondies)\u00a0; le client est à {x} et {y}.",
    scatterNoClient:
      "{count} clients anonymisés ({defaulted} en défaut, valeurs arrondies)\u00a0; valeur du client inconnue.",
    whatifTitle: "Simulation\u00a0: et si une valeur changeait\u00a0?",
    whatifUnavailable:
      "La simulation n’est pas disponible\u00a0: ce modèle ne calcule pas de décision à partir d’une demande.",
    whatifField: "Valeur à modifier",
    whatifValue: "Nouvelle valeur",
    whatifCurrent: "Valeur actuelle\u00a0: {value}",
    simulate: "Simuler",
    whatifResult:
      "Avec {field} = {value}\u00a0: {decision}, probabilité {probability} ({delta} par rapport à {current}).",
    whatifSame: "La décision ne change pas.",
    whatifChanged: "La décision change.",
    numberExpected: "Saisissez un nombre (par exemple 150000 ou 0,25).",
    wholeExpected: "Saisissez un nombre entier.",
    rangeExpected: "Saisissez une valeur entre {min} et {max}.",
    whatifNoRecord:
      "La simulation n’est pas disponible\u00a0: ce modèle ne conserve pas la demande du client.",
    importanceTitle: "Ce qui compte le plus pour le modèle",
    reliabilityTitle: "Des probabilités fidèles aux défauts observés",
    reliabilityLabel: "Calibration du modèle sur l’échantillon de test",
    reliabilityX: "Probabilité de défaut prédite (moyenne par dixième des clients)",
    reliabilityY: "Taux de défaut observé",
    reliabilityClients: "Clients",
    reliabilityCaption: "Probabilités calibrées ({method})\u00a0: erreur de calibration {ece}\u00a0; probabilité moyenne prédite {predicted} pour un taux de défaut observé de {observed}. Sur la diagonale, la probabilité annoncée est le taux de défaut constaté.",
    uncalibrated: "Ce modèle n’est pas calibré\u00a0: sa probabilité est un score, qui ne se lit pas comme un taux de défaut.",
    importanceLabel: "Importance globale des variables",
    importanceCaption: "Les {count} variables qui pèsent le plus, en moyenne, sur les scores\u00a0: {list}.",
    importance: "Importance moyenne",
    effectDirection: "Sens de l’effet",
    higherRaises: "plus elle est élevée, plus le risque augmente",
    higherLowers: "plus elle est élevée, plus le risque diminue",
    noDirection: "sans sens marqué",
    modelSummary: "Modèle {version} · seuil de refus {threshold}.",
    modelMetrics: "AUC sur l’échantillon de test\u00a0: {auc}.",
    healthTitle: "Santé du modèle en production",
    healthRefresh: "Actualiser",
    healthNoData:
      "Pas encore de données de suivi\u00a0: le résumé de dérive des décisions et les performances réalisées apparaîtront ici une fois calculés.",
    healthDrift:
      "Dérive mesurée le {date} sur {decisions} décisions ({applications} demandes)\u00a0: {drifting} variables sur {observed} dérivent.",
    healthScoreDrifting: "La distribution des scores a changé depuis l’entraînement (PSI {psi}, seuil {critical}).",
    healthScoreStable: "La distribution des scores reste celle de l’entraînement (PSI {psi}, seuil {critical}).",
    healthScoreTable: "Distribution des scores\u00a0: maintenant et à l’entraînement, par dixième des clients d’entraînement",
    healthBin: "Dixième {n}",
    healthBinColumn: "Dixième",
    healthTraining: "À l’entraînement",
    healthNow: "Maintenant",
    healthInputsTable: "Les variables qui dérivent le plus",
    healthInput: "Variable",
    healthPsi: "PSI",
    healthCritical: "Seuil du PSI",
    healthDrifting: "Dérive",
    healthMissingNow: "Manquantes maintenant",
    healthMissingTraining: "Manquantes à l’entraînement",
    healthNoDrift: "Pas encore de résumé de dérive.",
    healthPerformance: "Performances réalisées, calculées le {date}\u00a0: {joined} issues rapprochées d’une décision sur {outcomes}.",
    healthPerformanceTable: "AUC réalisée par mois de décision",
    healthMonth: "Mois",
    healthClients: "Clients",
    healthDefaultRate: "Taux de défaut",
    healthAuc: "AUC",
    healthAll: "Toute la période",
    healthNoOutcomes: "Pas encore d’issues de crédit rapprochées des décisions.",
    healthNotAvailable: "n.d.",
    footerModel: "Version du modèle\u00a0: {version}",
    footerPrivacy:
      "Données personnelles\u00a0: réservé au personnel habilité. Aucune donnée d’un autre client n’est affichée.",
    applicantTitle: "Nouveau demandeur",
    applicantIntro:
      "Saisissez les informations principales de la demande. Les champs laissés vides sont traités comme inconnus.",
    applicantSubmit: "Calculer la décision",
    groupLoan: "Le crédit demandé",
    groupApplicant: "Le demandeur",
    groupIncome: "Revenus et emploi",
    groupScores: "Scores externes (entre 0 et 1)",
    applicantResult:
      "Nouveau demandeur\u00a0: {decision}, probabilité de défaut {probability} (seuil {threshold}).",
    applicantInvalid: "La demande contient une erreur\u00a0: corrigez le champ signalé.",
    unknownField: "Champ {field}\u00a0: {message}",
    choose: "— non renseigné —",
    yes: "Oui",
    no: "Non",
    unknown: "inconnu",
    notEmployed: "sans emploi ou retraité",
    notEmployedChoice: "Sans emploi ou retraité",
    specialValue: "Valeur particulière {value}",
    years: "{value} ans",
    ageYears: "Âge (années)",
    employmentYears: "Ancienneté dans l’emploi (années)",
  },
  en: {
    title: "Credit dashboard · Prêt à dépenser",
    titleClient: "Client {id} · Credit dashboard · Prêt à dépenser",
    skip: "Skip to main content",
    appName: "Credit dashboard",
    preferences: "Display preferences",
    largeText: "Larger text",
    otherLanguage: "Français",
    otherLanguageCode: "fr",
    lookupTitle: "A client's credit decision",
    clientIdLabel: "Client number",
    clientIdHint: "6 digits, for example {example}",
    lookup: "Look up",
    idDigitsOnly: "A client number has digits only (0 to 9).",
    idLength: "A client number has exactly 6 digits ({count} typed).",
    idEmpty: "Type a 6-digit client number.",
    idLeadingZero: "A client number does not start with 0.",
    loading: "Looking up client {id}…",
    unknownClient: "Unknown client: no client has the number {id}.",
    loaded: "Client {id}: {decision}, probability of default {probability}.",
    serviceError: "The service could not answer: {message}",
    networkError: "The service cannot be reached. Check the connection and try again.",
    signInFailed: "Signing in failed: {message}. Reload the page to try again.",
    decisionTitle: "Decision",
    accepted: "Accepted",
    refused: "Refused",
    probability: "Probability of default",
    threshold: "Decision threshold",
    decisionRule: "Credit is refused when the probability of default reaches the threshold.",
    gaugeLabel: "Risk gauge",
    gaugeCaption:
      "Probability of default {probability} on a 0 to 100% scale; refusal threshold at {threshold}. Zone: {zone}.",
    zoneLow: "low risk",
    zoneModerate: "moderate risk",
    zoneHigh: "high risk (refused)",
    zoneLowShort: "Low",
    zoneModerateShort: "Moderate",
    zoneHighShort: "High",
    infoTitle: "Main information",
    infoUnavailable: "The application's details are not available for this model.",
    reasonsTitle: "What drives the decision",
    reasonsIntro:
      "Each bar shows how much a variable adds to the client's risk (to the right) or removes from it (to the left), from the model's average risk to the client's score.",
    reasonsLabel: "Waterfall of contributions to the risk",
    baseRisk: "Model's base risk",
    clientScore: "Client's score",
    otherFeatures: "Other variables ({count})",
    raisesRisk: "raises the risk",
    lowersRisk: "lowers the risk",
    waterfallCaption:
      "From the base risk ({base}) to the client's score ({score}). The {count} main factors: {list}.",
    topReasons: "Main risk reasons",
    riskShare: "{share} of the risk",
    littleInformation:
      "Warning: decision made on little information ({given} of the {used} fields the model uses were given). It rests mostly on the population's averages.",
    decisionId: "Decision number",
    decidedAt: "Date and time",
    modelVersion: "Model version",
    loadingTitle: "Looking up client {id} · Credit dashboard · Prêt à dépenser",
    simulationLabel: "Simulation — not a decision",
    noReasons: "No variable raises this client's risk.",
    feature: "Variable",
    value: "Value",
    contribution: "Contribution (log-odds)",
    effect: "Effect",
    cumulative: "Cumulative probability",
    showTable: "Show the chart's data",
    compareTitle: "The client among the other clients",
    compareUnavailable: "This model provides no population summaries to compare with.",
    variable: "Variable",
    distributionTitle: "Distribution by credit outcome",
    boxTitle: "Box plots (5th, 25th, 50th, 75th and 95th centiles)",
    repaid: "Repaid",
    defaulted: "Defaulted",
    client: "This client",
    clientMissing: "value unknown for this client",
    shareOfGroup: "Share of group",
    group: "Group",
    unitYears: "years",
    unitCurrency: "€",
    unitScore: "0 to 1",
    unitRatio: "ratio",
    waterfallAxis: "Probability of default (logistic scale)",
    importanceHeader: "Mean absolute effect (log-odds)",
    binRange: "Interval",
    histogramLabel: "Histogram of {variable}: clients who repaid and clients who defaulted",
    histogramSummary:
      "{variable} of the client: {value}. {repaidShare} of clients who repaid and {defaultedShare} of clients who defaulted have a value at or below it.",
    histogramNoClient: "{variable}: the client's value is unknown; only the distributions are shown.",
    groupTooSmall: "Group too small to be published.",
    boxLabel: "Box plots of {variable} by credit outcome",
    boxSummary:
      "Median {repaidMedian} for clients who repaid, {defaultedMedian} for clients who defaulted; client: {value}.",
    centile: "Centile",
    scatterX: "Horizontal axis",
    scatterY: "Vertical axis",
    scatterTitle: "Two variables: anonymised sample of clients and the client",
    scatterLabel: "Scatter plot of {y} against {x}",
    scatterSummary:
      "{count} anonymised clients ({defaulted} defaulted, rounded values); the client is at {x} and {y}.",
    scatterNoClient:
      "{count} anonymised clients ({defaulted} defaulted, rounded values); the client's value is unknown.",
    whatifTitle: "What if one value changed?",
    whatifUnavailable: "Simulation is not available: this model does not score an application.",
    whatifField: "Value to change",
    whatifValue: "New value",
    whatifCurrent: "Current value: {value}",
    simulate: "Simulate",
    whatifResult:
      "With {field} = {value}: {decision}, probability {probability} ({delta} compared with {current}).",
    whatifSame: "The decision does not change.",
    whatifChanged: "The decision changes.",
    numberExpected: "Type a number (for example 150000 or 0.25).",
    wholeExpected: "Type a whole number.",
    rangeExpected: "Type a value between {min} and {max}.",
    whatifNoRecord: "Simulation is not available: this model does not keep the client's application.",
    importanceTitle: "What matters most to the model",
    reliabilityTitle: "Probabilities that match observed defaults",
    reliabilityLabel: "Model calibration on the test sample",
    reliabilityX: "Predicted probability of default (mean per tenth of clients)",
    reliabilityY: "Observed default rate",
    reliabilityClients: "Clients",
    reliabilityCaption: "Calibrated probabilities ({method}): calibration error {ece}; mean predicted probability {predicted} against an observed default rate of {observed}. On the diagonal, the stated probability is the default rate observed.",
    uncalibrated: "This model is not calibrated: its probability is a score, not to be read as a default rate.",
    importanceLabel: "Global importance of the variables",
    importanceCaption: "The {count} variables that weigh most, on average, on the scores: {list}.",
    importance: "Mean importance",
    effectDirection: "Direction of the effect",
    higherRaises: "the higher it is, the higher the risk",
    higherLowers: "the higher it is, the lower the risk",
    noDirection: "no clear direction",
    modelSummary: "Model {version} · refusal threshold {threshold}.",
    modelMetrics: "AUC on the test sample: {auc}.",
    healthTitle: "Model health in production",
    healthRefresh: "Refresh",
    healthNoData:
      "No monitoring data yet: the decisions' drift summary and the realised performance will appear here once computed.",
    healthDrift:
      "Drift measured on {date} over {decisions} decisions ({applications} applications): {drifting} of {observed} inputs drift.",
    healthScoreDrifting: "The score distribution has changed since training (PSI {psi}, critical value {critical}).",
    healthScoreStable: "The score distribution is still the training one (PSI {psi}, critical value {critical}).",
    healthScoreTable: "Score distribution: now and at training, by tenth of the training clients",
    healthBin: "Tenth {n}",
    healthBinColumn: "Tenth",
    healthTraining: "At training",
    healthNow: "Now",
    healthInputsTable: "The inputs that drift most",
    healthInput: "Input",
    healthPsi: "PSI",
    healthCritical: "Critical PSI",
    healthDrifting: "Drifting",
    healthMissingNow: "Missing now",
    healthMissingTraining: "Missing at training",
    healthNoDrift: "No drift summary yet.",
    healthPerformance: "Realised performance, computed on {date}: {joined} of {outcomes} outcomes joined with a decision.",
    healthPerformanceTable: "Realised AUC by month of decision",
    healthMonth: "Month",
    healthClients: "Clients",
    healthDefaultRate: "Default rate",
    healthAuc: "AUC",
    healthAll: "Whole period",
    healthNoOutcomes: "No credit outcomes joined with the decisions yet.",
    healthNotAvailable: "n/a",
    footerModel: "Model version: {version}",
    footerPrivacy: "Personal data: authorised staff only. No other client's data is shown.",
    applicantTitle: "New applicant",
    applicantIntro: "Enter the application's main information. Fields left empty are treated as unknown.",
    applicantSubmit: "Compute the decision",
    groupLoan: "The credit applied for",
    groupApplicant: "The applicant",
    groupIncome: "Income and employment",
    groupScores: "External scores (between 0 and 1)",
    applicantResult:
      "New applicant: {decision}, probability of default {probability} (threshold {threshold}).",
    applicantInvalid: "The application has an error: correct the field shown.",
    unknownField: "Field {field}: {message}",
    choose: "— not given —",
    yes: "Yes",
    no: "No",
    unknown: "unknown",
    notEmployed: "not employed or retired",
    notEmployedChoice: "Not employed or retired",
    specialValue: "Special value {value}",
    years: "{value} years",
    ageYears: "Age (years)",
    employmentYears: "Years in employment",
  },
};

const FEATURE_LABELS = {
  fr: {
    AGE_YEARS: "Âge",
    EMPLOYMENT_YEARS: "Ancienneté dans l’emploi",
    DAYS_BIRTH: "Âge",
    DAYS_EMPLOYED: "Ancienneté dans l’emploi",
    DAYS_EMPLOYED_ANOMALY: "Sans emploi ou retraité",
    DAYS_REGISTRATION: "Ancienneté de l’inscription",
    DAYS_ID_PUBLISH: "Ancienneté de la pièce d’identité",
    DAYS_LAST_PHONE_CHANGE: "Dernier changement de téléphone",
    AMT_INCOME_TOTAL: "Revenu annuel",
    AMT_CREDIT: "Montant du crédit",
    AMT_ANNUITY: "Annuité mensuelle",
    AMT_GOODS_PRICE: "Prix du bien",
    EXT_SOURCE_1: "Score externe 1",
    EXT_SOURCE_2: "Score externe 2",
    EXT_SOURCE_3: "Score externe 3",
    EXT_SOURCE_MEAN: "Moyenne des scores externes",
    EXT_SOURCE_MIN: "Plus bas score externe",
    EXT_SOURCE_MAX: "Plus haut score externe",
    EXT_SOURCE_STD: "Écart entre scores externes",
    EXT_SOURCE_NAN_COUNT: "Scores externes manquants",
    PAYMENT_RATE: "Taux de remboursement (annuité / crédit)",
    CREDIT_INCOME_RATIO: "Crédit / revenu",
    ANNUITY_INCOME_RATIO: "Annuité / revenu",
    CREDIT_GOODS_RATIO: "Crédit / prix du bien",
    INCOME_PER_PERSON: "Revenu par personne du foyer",
    CHILDREN_RATIO: "Part d’enfants dans le foyer",
    EMPLOYED_BIRTH_RATIO: "Part de la vie en emploi",
    SOCIAL_CIRCLE_DEFAULT_RATIO: "Défauts dans l’entourage",
    DOCUMENT_COUNT: "Documents fournis",
    CNT_CHILDREN: "Nombre d’enfants",
    CNT_FAM_MEMBERS: "Taille du foyer",
    OWN_CAR_AGE: "Âge du véhicule",
    REGION_POPULATION_RELATIVE: "Densité de population de la région",
    REGION_RATING_CLIENT: "Note de la région",
    REGION_RATING_CLIENT_W_CITY: "Note de la région et de la ville",
    NAME_CONTRACT_TYPE: "Type de contrat",
    NAME_INCOME_TYPE: "Type de revenu",
    NAME_EDUCATION_TYPE: "Niveau d’études",
    NAME_FAMILY_STATUS: "Situation familiale",
    NAME_HOUSING_TYPE: "Logement",
    OCCUPATION_TYPE: "Profession",
    ORGANIZATION_TYPE: "Secteur de l’employeur",
    FLAG_OWN_CAR: "Possède une voiture",
    FLAG_OWN_REALTY: "Propriétaire d’un bien immobilier",
    NAME_TYPE_SUITE: "Accompagnant lors de la demande",
    WEEKDAY_APPR_PROCESS_START: "Jour de la demande",
    HOUR_APPR_PROCESS_START: "Heure de la demande",
    FLAG_EMP_PHONE: "Téléphone professionnel fourni",
    FLAG_WORK_PHONE: "Téléphone au travail fourni",
    FLAG_PHONE: "Téléphone fixe fourni",
    FLAG_EMAIL: "Courriel fourni",
    REG_REGION_NOT_LIVE_REGION: "Région déclarée différente de la région de résidence",
    REG_REGION_NOT_WORK_REGION: "Région déclarée différente de la région de travail",
    LIVE_REGION_NOT_WORK_REGION: "Région de résidence différente de la région de travail",
    REG_CITY_NOT_LIVE_CITY: "Ville déclarée différente de la ville de résidence",
    REG_CITY_NOT_WORK_CITY: "Ville déclarée différente de la ville de travail",
    LIVE_CITY_NOT_WORK_CITY: "Ville de résidence différente de la ville de travail",
    OBS_30_CNT_SOCIAL_CIRCLE: "Entourage observé (30 jours)",
    DEF_30_CNT_SOCIAL_CIRCLE: "Défauts dans l’entourage (30 jours)",
    OBS_60_CNT_SOCIAL_CIRCLE: "Entourage observé (60 jours)",
    DEF_60_CNT_SOCIAL_CIRCLE: "Défauts dans l’entourage (60 jours)",
  },
  en: {
    AGE_YEARS: "Age",
    EMPLOYMENT_YEARS: "Years in employment",
    DAYS_BIRTH: "Age",
    DAYS_EMPLOYED: "Years in employment",
    DAYS_EMPLOYED_ANOMALY: "Not employed or retired",
    DAYS_REGISTRATION: "Time since registration",
    DAYS_ID_PUBLISH: "Age of identity document",
    DAYS_LAST_PHONE_CHANGE: "Time since phone change",
    AMT_INCOME_TOTAL: "Annual income",
    AMT_CREDIT: "Credit amount",
    AMT_ANNUITY: "Monthly annuity",
    AMT_GOODS_PRICE: "Goods price",
    EXT_SOURCE_1: "External score 1",
    EXT_SOURCE_2: "External score 2",
    EXT_SOURCE_3: "External score 3",
    EXT_SOURCE_MEAN: "Mean external score",
    EXT_SOURCE_MIN: "Lowest external score",
    EXT_SOURCE_MAX: "Highest external score",
    EXT_SOURCE_STD: "Spread of external scores",
    EXT_SOURCE_NAN_COUNT: "Missing external scores",
    PAYMENT_RATE: "Payment rate (annuity / credit)",
    CREDIT_INCOME_RATIO: "Credit / income",
    ANNUITY_INCOME_RATIO: "Annuity / income",
    CREDIT_GOODS_RATIO: "Credit / goods price",
    INCOME_PER_PERSON: "Income per household member",
    CHILDREN_RATIO: "Share of children in household",
    EMPLOYED_BIRTH_RATIO: "Share of life employed",
    SOCIAL_CIRCLE_DEFAULT_RATIO: "Defaults in social circle",
    DOCUMENT_COUNT: "Documents provided",
    CNT_CHILDREN: "Number of children",
    CNT_FAM_MEMBERS: "Household size",
    OWN_CAR_AGE: "Car age",
    REGION_POPULATION_RELATIVE: "Region's population density",
    REGION_RATING_CLIENT: "Region rating",
    REGION_RATING_CLIENT_W_CITY: "Region and city rating",
    NAME_CONTRACT_TYPE: "Contract type",
    NAME_INCOME_TYPE: "Income type",
    NAME_EDUCATION_TYPE: "Education",
    NAME_FAMILY_STATUS: "Family status",
    NAME_HOUSING_TYPE: "Housing",
    OCCUPATION_TYPE: "Occupation",
    ORGANIZATION_TYPE: "Employer's sector",
    FLAG_OWN_CAR: "Owns a car",
    FLAG_OWN_REALTY: "Owns real estate",
    NAME_TYPE_SUITE: "Accompanied by",
    WEEKDAY_APPR_PROCESS_START: "Day of application",
    HOUR_APPR_PROCESS_START: "Hour of application",
    FLAG_EMP_PHONE: "Work phone given",
    FLAG_WORK_PHONE: "Phone at work given",
    FLAG_PHONE: "Home phone given",
    FLAG_EMAIL: "Email given",
    REG_REGION_NOT_LIVE_REGION: "Registered region differs from home region",
    REG_REGION_NOT_WORK_REGION: "Registered region differs from work region",
    LIVE_REGION_NOT_WORK_REGION: "Home region differs from work region",
    REG_CITY_NOT_LIVE_CITY: "Registered city differs from home city",
    REG_CITY_NOT_WORK_CITY: "Registered city differs from work city",
    LIVE_CITY_NOT_WORK_CITY: "Home city differs from work city",
    OBS_30_CNT_SOCIAL_CIRCLE: "Social circle observed (30 days)",
    DEF_30_CNT_SOCIAL_CIRCLE: "Defaults in social circle (30 days)",
    OBS_60_CNT_SOCIAL_CIRCLE: "Social circle observed (60 days)",
    DEF_60_CNT_SOCIAL_CIRCLE: "Defaults in social circle (60 days)",
  },
};

// The building's columns come in three statistics of the same measure (Kaggle's _AVG, _MODE, _MEDI).
const BUILDING = {
  fr: {
    prefix: "Immeuble",
    statistics: { AVG: "moyenne", MODE: "mode", MEDI: "médiane" },
    measures: {
      APARTMENTS: "appartements",
      BASEMENTAREA: "surface du sous-sol",
      YEARS_BEGINEXPLUATATION: "début d’exploitation",
      YEARS_BUILD: "année de construction",
      COMMONAREA: "parties communes",
      ELEVATORS: "ascenseurs",
      ENTRANCES: "entrées",
      FLOORSMAX: "étages (max.)",
      FLOORSMIN: "étages (min.)",
      LANDAREA: "terrain",
      LIVINGAPARTMENTS: "logements habités",
      LIVINGAREA: "surface habitable",
      NONLIVINGAPARTMENTS: "locaux non habités",
      NONLIVINGAREA: "surface non habitable",
      TOTALAREA: "surface totale",
    },
  },
  en: {
    prefix: "Building",
    statistics: { AVG: "mean", MODE: "mode", MEDI: "median" },
    measures: {
      APARTMENTS: "apartments",
      BASEMENTAREA: "basement area",
      YEARS_BEGINEXPLUATATION: "start of use",
      YEARS_BUILD: "year built",
      COMMONAREA: "common area",
      ELEVATORS: "elevators",
      ENTRANCES: "entrances",
      FLOORSMAX: "floors (max.)",
      FLOORSMIN: "floors (min.)",
      LANDAREA: "land area",
      LIVINGAPARTMENTS: "lived-in apartments",
      NONLIVINGAPARTMENTS: "non-residential units",
      LIVINGAREA: "living area",
      NONLIVINGAREA: "non-living area",
      TOTALAREA: "total area",
    },
  },
};

// Kaggle's category labels are English already; French gets its own wording. A value missing here is
// shown as recorded rather than hidden.
const CATEGORY_LABELS_FR = {
  NAME_CONTRACT_TYPE: { "Cash loans": "Prêt personnel", "Revolving loans": "Crédit renouvelable" },
  FLAG_OWN_CAR: { Y: "Oui", N: "Non" },
  NAME_TYPE_SUITE: {
    Children: "Enfants",
    Family: "Famille",
    "Group of people": "Groupe de personnes",
    Other_A: "Autre (A)",
    Other_B: "Autre (B)",
    "Spouse, partner": "Conjoint",
    Unaccompanied: "Seul",
  },
  FLAG_OWN_REALTY: { Y: "Oui", N: "Non" },
  NAME_INCOME_TYPE: {
    Businessman: "Chef d’entreprise",
    "Commercial associate": "Commercial",
    "Maternity leave": "Congé maternité",
    Pensioner: "Retraité",
    "State servant": "Fonctionnaire",
    Student: "Étudiant",
    Unemployed: "Sans emploi",
    Working: "Salarié",
  },
  NAME_EDUCATION_TYPE: {
    "Academic degree": "Doctorat",
    "Higher education": "Études supérieures",
    "Incomplete higher": "Études supérieures inachevées",
    "Lower secondary": "Premier cycle du secondaire",
    "Secondary / secondary special": "Secondaire ou professionnel",
  },
  NAME_FAMILY_STATUS: {
    "Civil marriage": "Union civile",
    Married: "Marié(e)",
    Separated: "Séparé(e)",
    "Single / not married": "Célibataire",
    Unknown: "Inconnue",
    Widow: "Veuf ou veuve",
  },
  NAME_HOUSING_TYPE: {
    "Co-op apartment": "Appartement coopératif",
    "House / apartment": "Maison ou appartement",
    "Municipal apartment": "Logement social",
    "Office apartment": "Logement de fonction",
    "Rented apartment": "Location",
    "With parents": "Chez les parents",
  },
  OCCUPATION_TYPE: {
    Accountants: "Comptable",
    "Cleaning staff": "Personnel d’entretien",
    "Cooking staff": "Cuisinier",
    "Core staff": "Employé",
    Drivers: "Chauffeur",
    "HR staff": "Ressources humaines",
    "High skill tech staff": "Technicien qualifié",
    "IT staff": "Informaticien",
    Laborers: "Ouvrier",
    "Low-skill Laborers": "Ouvrier non qualifié",
    Managers: "Cadre",
    "Medicine staff": "Personnel médical",
    "Private service staff": "Services aux particuliers",
    "Realty agents": "Agent immobilier",
    "Sales staff": "Vendeur",
    Secretaries: "Secrétaire",
    "Security staff": "Agent de sécurité",
    "Waiters/barmen staff": "Serveur ou barman",
  },
};

const HISTORY_PREFIXES = {
  fr: {
    BUREAU_: "Bureau de crédit",
    PREV_: "Demandes précédentes",
    POS_: "Prêts au point de vente",
    INST_: "Échéances passées",
    CC_: "Carte de crédit",
  },
  en: {
    BUREAU_: "Credit bureau",
    PREV_: "Previous applications",
    POS_: "Point-of-sale loans",
    INST_: "Past instalments",
    CC_: "Credit card",
  },
};

const listeners = [];
let current = "fr";

export function language() {
  return current;
}

export function locale() {
  return current === "fr" ? "fr-FR" : "en-GB";
}

/** The message `key` in the current language, with {name} placeholders filled from `values`. */
export function t(key, values = {}) {
  const template = MESSAGES[current][key] ?? MESSAGES.fr[key];
  if (template === undefined) {
    throw new Error(`no message "${key}"`);
  }
  return template.replace(/\{(\w+)\}/g, (match, name) => (name in values ? String(values[name]) : match));
}

/** What separates a label from its value: French puts a no-break space before the colon. */
export function colon() {
  return current === "fr" ? "\u00a0: " : ": ";
}

/** A readable name for a model feature or dashboard variable (the raw name when none is known). */
export function featureLabel(name) {
  const labels = FEATURE_LABELS[current];
  if (name in labels) {
    return labels[name];
  }
  const separator = name.indexOf("=");
  if (separator > 0) {
    const column = name.slice(0, separator);
    return `${labels[column] ?? column}${colon()}${categoryLabel(column, name.slice(separator + 1))}`;
  }
  const building = /^([A-Z_]+)_(AVG|MODE|MEDI)$/.exec(name);
  if (building && building[1] in BUILDING[current].measures) {
    const { prefix, statistics, measures } = BUILDING[current];
    return `${prefix} · ${measures[building[1]]} (${statistics[building[2]]})`;
  }
  const prefix = Object.keys(HISTORY_PREFIXES[current]).find((candidate) => name.startsWith(candidate));
  return prefix ? `${HISTORY_PREFIXES[current][prefix]} · ${name.slice(prefix.length)}` : name;
}

/** A readable label for a category value of an application column. */
export function categoryLabel(column, value) {
  if (current === "fr") {
    return CATEGORY_LABELS_FR[column]?.[value] ?? value;
  }
  if (column === "FLAG_OWN_CAR" || column === "FLAG_OWN_REALTY") {
    return value === "Y" ? MESSAGES.en.yes : MESSAGES.en.no;
  }
  return value;
}

/** Fill every element's data-i18n text and data-i18n-aria-label in the current language. */
function translatePage() {
  for (const element of document.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
  for (const element of document.querySelectorAll("[data-i18n-aria-label]")) {
    element.setAttribute("aria-label", t(element.dataset.i18nAriaLabel));
  }
  const switcher = document.getElementById("language");
  switcher.setAttribute("lang", t("otherLanguageCode"));
  document.documentElement.lang = current;
}

/** Call `listener` after each change of language. */
export function onLanguageChange(listener) {
  listeners.push(listener);
}

export function setLanguage(code) {
  current = code in MESSAGES ? code : "fr";
  translatePage();
  for (const listener of listeners) {
    listener(current);
  }
}
