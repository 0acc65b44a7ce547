"""The words of the catalogue: what each application column and history measure is called, in which unit
it is stated and to which family it belongs, in French and English (`families.LANGUAGES` order).

The catalogue (`catalogue.py`) assembles feature entries from these tables by the rules of the feature
definition's names; a name these tables cannot describe has no entry, which the bundle writer refuses.
"""

from __future__ import annotations

from typing import Final

Words = tuple[str, str]
Described = tuple[Words, str, str]
"""(label in each language, unit, family key)."""

COLUMNS: Final[dict[str, Described]] = {
    "CNT_CHILDREN": (("Nombre d’enfants", "Number of children"), "count", "household"),
    "AMT_INCOME_TOTAL": (("Revenu annuel", "Annual income"), "currency", "income"),
    "AMT_CREDIT": (("Montant du crédit", "Credit amount"), "currency", "loan"),
    "AMT_ANNUITY": (("Annuité du crédit", "Annuity of the credit"), "currency", "loan"),
    "AMT_GOODS_PRICE": (("Prix du bien financé", "Price of the goods financed"), "currency", "loan"),
    "REGION_POPULATION_RELATIVE": (
        ("Densité de population de la région", "Region’s population density"),
        "score",
        "region",
    ),
    "DAYS_BIRTH": (("Âge", "Age"), "age_days", "age"),
    "DAYS_EMPLOYED": (("Ancienneté dans l’emploi", "Time in employment"), "elapsed_days", "employment"),
    "DAYS_REGISTRATION": (
        ("Ancienneté de l’inscription", "Time since registration"),
        "elapsed_days",
        "identity",
    ),
    "DAYS_ID_PUBLISH": (
        ("Ancienneté de la pièce d’identité", "Age of the identity document"),
        "elapsed_days",
        "identity",
    ),
    "OWN_CAR_AGE": (("Âge du véhicule", "Age of the car"), "years", "car"),
    "FLAG_MOBIL": (("Téléphone mobile fourni", "Mobile phone given"), "flag", "contact"),
    "FLAG_EMP_PHONE": (("Téléphone professionnel fourni", "Work phone given"), "flag", "contact"),
    "FLAG_WORK_PHONE": (("Téléphone au travail fourni", "Phone at work given"), "flag", "contact"),
    "FLAG_CONT_MOBILE": (("Joignable sur mobile", "Reachable on mobile"), "flag", "contact"),
    "FLAG_PHONE": (("Téléphone fixe fourni", "Home phone given"), "flag", "contact"),
    "FLAG_EMAIL": (("Courriel fourni", "Email given"), "flag", "contact"),
    "CNT_FAM_MEMBERS": (("Taille du foyer", "Household size"), "count", "household"),
    "REGION_RATING_CLIENT": (("Note de la région", "Region rating"), "rating", "region"),
    "REGION_RATING_CLIENT_W_CITY": (
        ("Note de la région et de la ville", "Region and city rating"),
        "rating",
        "region",
    ),
    "HOUR_APPR_PROCESS_START": (
        ("Heure de la demande", "Hour of the application"),
        "hour",
        "application_process",
    ),
    "REG_REGION_NOT_LIVE_REGION": (
        (
            "Région déclarée différente de la région de résidence",
            "Registered region differs from home region",
        ),
        "flag",
        "addresses",
    ),
    "REG_REGION_NOT_WORK_REGION": (
        ("Région déclarée différente de la région de travail", "Registered region differs from work region"),
        "flag",
        "addresses",
    ),
    "LIVE_REGION_NOT_WORK_REGION": (
        ("Région de résidence différente de la région de travail", "Home region differs from work region"),
        "flag",
        "addresses",
    ),
    "REG_CITY_NOT_LIVE_CITY": (
        ("Ville déclarée différente de la ville de résidence", "Registered city differs from home city"),
        "flag",
        "addresses",
    ),
    "REG_CITY_NOT_WORK_CITY": (
        ("Ville déclarée différente de la ville de travail", "Registered city differs from work city"),
        "flag",
        "addresses",
    ),
    "LIVE_CITY_NOT_WORK_CITY": (
        ("Ville de résidence différente de la ville de travail", "Home city differs from work city"),
        "flag",
        "addresses",
    ),
    "EXT_SOURCE_1": (("Score externe 1", "External score 1"), "score", "external_scores"),
    "EXT_SOURCE_2": (("Score externe 2", "External score 2"), "score", "external_scores"),
    "EXT_SOURCE_3": (("Score externe 3", "External score 3"), "score", "external_scores"),
    "OBS_30_CNT_SOCIAL_CIRCLE": (
        ("Personnes de l’entourage suivies (30 jours)", "Social circle observed (30 days)"),
        "count",
        "social_circle",
    ),
    "DEF_30_CNT_SOCIAL_CIRCLE": (
        ("Défauts dans l’entourage (30 jours)", "Defaults in the social circle (30 days)"),
        "count",
        "social_circle",
    ),
    "OBS_60_CNT_SOCIAL_CIRCLE": (
        ("Personnes de l’entourage suivies (60 jours)", "Social circle observed (60 days)"),
        "count",
        "social_circle",
    ),
    "DEF_60_CNT_SOCIAL_CIRCLE": (
        ("Défauts dans l’entourage (60 jours)", "Defaults in the social circle (60 days)"),
        "count",
        "social_circle",
    ),
    "DAYS_LAST_PHONE_CHANGE": (
        ("Dernier changement de téléphone", "Last change of phone"),
        "elapsed_days",
        "contact",
    ),
    "DAYS_EMPLOYED_ANOMALY": (("Sans emploi ou retraité", "Not employed or retired"), "flag", "employment"),
    "FLAG_OWN_CAR": (("Possède une voiture", "Owns a car"), "flag", "car"),
    "FLAG_OWN_REALTY": (("Propriétaire d’un bien immobilier", "Owns real estate"), "flag", "housing"),
    "CREDIT_INCOME_RATIO": (
        ("Crédit rapporté au revenu annuel", "Credit relative to annual income"),
        "ratio",
        "affordability",
    ),
    "ANNUITY_INCOME_RATIO": (
        ("Part du revenu consacrée à l’annuité", "Share of income taken by the annuity"),
        "share",
        "affordability",
    ),
    "PAYMENT_RATE": (("Annuité rapportée au crédit", "Annuity relative to the credit"), "share", "loan"),
    "CREDIT_GOODS_RATIO": (
        ("Crédit rapporté au prix du bien", "Credit relative to the goods price"),
        "ratio",
        "loan",
    ),
    "INCOME_PER_PERSON": (
        ("Revenu par personne du foyer", "Income per household member"),
        "currency",
        "income",
    ),
    "CHILDREN_RATIO": (
        ("Part d’enfants dans le foyer", "Share of children in the household"),
        "share",
        "household",
    ),
    "EMPLOYED_BIRTH_RATIO": (
        ("Part de la vie passée dans l’emploi actuel", "Share of life in the current job"),
        "share",
        "employment",
    ),
    "SOCIAL_CIRCLE_DEFAULT_RATIO": (
        ("Part de défauts dans l’entourage", "Share of defaults in the social circle"),
        "share",
        "social_circle",
    ),
    "AGE_YEARS": (("Âge", "Age"), "years", "age"),
    "EXT_SOURCE_MEAN": (
        ("Moyenne des scores externes", "Mean of the external scores"),
        "score",
        "external_scores",
    ),
    "EXT_SOURCE_MIN": (("Plus bas des scores externes", "Lowest external score"), "score", "external_scores"),
    "EXT_SOURCE_MAX": (
        ("Plus haut des scores externes", "Highest external score"),
        "score",
        "external_scores",
    ),
    "EXT_SOURCE_STD": (
        ("Écart entre les scores externes", "Spread of the external scores"),
        "score",
        "external_scores",
    ),
    "EXT_SOURCE_NAN_COUNT": (
        ("Scores externes manquants", "External scores missing"),
        "count",
        "external_scores",
    ),
    "DOCUMENT_COUNT": (("Nombre de documents fournis", "Number of documents provided"), "count", "documents"),
}
"""Application columns and derived application features, one by one."""

CATEGORY_COLUMNS: Final[dict[str, tuple[Words, str]]] = {
    "NAME_CONTRACT_TYPE": (("Type de contrat", "Contract type"), "loan"),
    "CODE_GENDER": (("Sexe", "Sex"), "sex"),
    "NAME_TYPE_SUITE": (("Accompagnant lors de la demande", "Accompanied by"), "application_process"),
    "NAME_INCOME_TYPE": (("Type de revenu", "Income type"), "income_type"),
    "NAME_EDUCATION_TYPE": (("Niveau d’études", "Education"), "education"),
    "NAME_FAMILY_STATUS": (("Situation familiale", "Family status"), "family_status"),
    "NAME_HOUSING_TYPE": (("Logement", "Housing"), "housing"),
    "OCCUPATION_TYPE": (("Profession", "Occupation"), "occupation"),
    "WEEKDAY_APPR_PROCESS_START": (("Jour de la demande", "Day of the application"), "application_process"),
    "ORGANIZATION_TYPE": (("Secteur de l’employeur", "Employer’s sector"), "employer"),
    "FONDKAPREMONT_MODE": (("Fonds de rénovation de l’immeuble", "Building’s repair fund"), "building"),
    "HOUSETYPE_MODE": (("Type d’immeuble", "Type of building"), "building"),
    "WALLSMATERIAL_MODE": (("Matériau des murs", "Wall material"), "building"),
    "EMERGENCYSTATE_MODE": (("Immeuble en état d’urgence", "Building in a state of emergency"), "building"),
}
"""Categorical application columns: one-hot features are stated on the client's value of the column."""

CATEGORY_VALUES_FR: Final[dict[str, dict[str, str]]] = {
    "NAME_CONTRACT_TYPE": {"Cash loans": "prêt personnel", "Revolving loans": "crédit renouvelable"},
    "CODE_GENDER": {"F": "femme", "M": "homme", "XNA": "non précisé"},
    "NAME_TYPE_SUITE": {
        "Children": "enfants",
        "Family": "famille",
        "Group of people": "groupe de personnes",
        "Other_A": "autre (A)",
        "Other_B": "autre (B)",
        "Spouse, partner": "conjoint",
        "Unaccompanied": "seul",
    },
    "NAME_INCOME_TYPE": {
        "Businessman": "chef d’entreprise",
        "Commercial associate": "commercial",
        "Maternity leave": "congé maternité",
        "Pensioner": "retraité",
        "State servant": "fonctionnaire",
        "Student": "étudiant",
        "Unemployed": "sans emploi",
        "Working": "salarié",
    },
    "NAME_EDUCATION_TYPE": {
        "Academic degree": "doctorat",
        "Higher education": "études supérieures",
        "Incomplete higher": "études supérieures inachevées",
        "Lower secondary": "premier cycle du secondaire",
        "Secondary / secondary special": "secondaire ou professionnel",
    },
    "NAME_FAMILY_STATUS": {
        "Civil marriage": "union civile",
        "Married": "marié(e)",
        "Separated": "séparé(e)",
        "Single / not married": "célibataire",
        "Unknown": "inconnue",
        "Widow": "veuf ou veuve",
    },
    "NAME_HOUSING_TYPE": {
        "Co-op apartment": "appartement coopératif",
        "House / apartment": "maison ou appartement",
        "Municipal apartment": "logement social",
        "Office apartment": "logement de fonction",
        "Rented apartment": "location",
        "With parents": "chez les parents",
    },
    "OCCUPATION_TYPE": {
        "Accountants": "comptable",
        "Cleaning staff": "personnel d’entretien",
        "Cooking staff": "cuisinier",
        "Core staff": "employé",
        "Drivers": "chauffeur",
        "HR staff": "ressources humaines",
        "High skill tech staff": "technicien qualifié",
        "IT staff": "informaticien",
        "Laborers": "ouvrier",
        "Low-skill Laborers": "ouvrier non qualifié",
        "Managers": "cadre",
        "Medicine staff": "personnel médical",
        "Private service staff": "services aux particuliers",
        "Realty agents": "agent immobilier",
        "Sales staff": "vendeur",
        "Secretaries": "secrétaire",
        "Security staff": "agent de sécurité",
        "Waiters/barmen staff": "serveur ou barman",
    },
    "WEEKDAY_APPR_PROCESS_START": {
        "MONDAY": "lundi",
        "TUESDAY": "mardi",
        "WEDNESDAY": "mercredi",
        "THURSDAY": "jeudi",
        "FRIDAY": "vendredi",
        "SATURDAY": "samedi",
        "SUNDAY": "dimanche",
    },
    "FONDKAPREMONT_MODE": {
        "not specified": "non précisé",
        "org spec account": "compte spécial de l’organisme",
        "reg oper account": "compte de l’opérateur régional",
        "reg oper spec account": "compte spécial de l’opérateur régional",
    },
    "HOUSETYPE_MODE": {
        "block of flats": "immeuble collectif",
        "specific housing": "logement spécifique",
        "terraced house": "maison mitoyenne",
    },
    "WALLSMATERIAL_MODE": {
        "Block": "blocs",
        "Mixed": "mixte",
        "Monolithic": "monolithe",
        "Others": "autre",
        "Panel": "panneaux",
        "Stone, brick": "pierre ou brique",
        "Wooden": "bois",
    },
    "EMERGENCYSTATE_MODE": {"No": "non", "Yes": "oui"},
    "ORGANIZATION_TYPE": {
        "Advertising": "publicité",
        "Agriculture": "agriculture",
        "Bank": "banque",
        "Cleaning": "nettoyage",
        "Construction": "construction",
        "Culture": "culture",
        "Electricity": "électricité",
        "Emergency": "services d’urgence",
        "Government": "administration",
        "Hotel": "hôtellerie",
        "Housing": "logement",
        "Insurance": "assurance",
        "Kindergarten": "petite enfance",
        "Legal Services": "services juridiques",
        "Medicine": "santé",
        "Military": "armée",
        "Mobile": "téléphonie mobile",
        "Other": "autre",
        "Police": "police",
        "Postal": "poste",
        "Realtor": "immobilier",
        "Religion": "religion",
        "Restaurant": "restauration",
        "School": "enseignement scolaire",
        "Security": "sécurité",
        "Security Ministries": "ministères de la sécurité",
        "Self-employed": "indépendant",
        "Services": "services",
        "Telecom": "télécommunications",
        "University": "université",
        "XNA": "non applicable",
    },
}
"""French wording of the documented vocabularies (English keeps Kaggle's own labels)."""

CATEGORY_PATTERNS_FR: Final = (
    ("Business Entity Type ", "entreprise de type "),
    ("Industry: type ", "industrie, type "),
    ("Trade: type ", "commerce, type "),
    ("Transport: type ", "transport, type "),
)
"""Numbered ORGANIZATION_TYPE values, worded by their stem."""

CATEGORY_VALUES_EN: Final[dict[str, dict[str, str]]] = {
    "CODE_GENDER": {"F": "female", "M": "male", "XNA": "not stated"},
    "ORGANIZATION_TYPE": {"XNA": "not applicable"},
    "NAME_TYPE_SUITE": {"Other_A": "other (A)", "Other_B": "other (B)"},
}
"""English wording where Kaggle's label is a code rather than a word."""

BUILDING_MEASURES: Final[dict[str, Words]] = {
    "APARTMENTS": ("appartements", "apartments"),
    "BASEMENTAREA": ("surface du sous-sol", "basement area"),
    "YEARS_BEGINEXPLUATATION": ("début d’exploitation", "start of use"),
    "YEARS_BUILD": ("âge de la construction", "age of the construction"),
    "COMMONAREA": ("parties communes", "common area"),
    "ELEVATORS": ("ascenseurs", "elevators"),
    "ENTRANCES": ("entrées", "entrances"),
    "FLOORSMAX": ("étages (max.)", "floors (max.)"),
    "FLOORSMIN": ("étages (min.)", "floors (min.)"),
    "LANDAREA": ("terrain", "land area"),
    "LIVINGAPARTMENTS": ("logements habités", "lived-in apartments"),
    "LIVINGAREA": ("surface habitable", "living area"),
    "NONLIVINGAPARTMENTS": ("locaux non habités", "non-residential units"),
    "NONLIVINGAREA": ("surface non habitable", "non-living area"),
    "TOTALAREA": ("surface totale", "total area"),
}
"""Kaggle's normalised building measures, each given as _AVG, _MODE and _MEDI."""

BUILDING_STATISTICS: Final[dict[str, Words]] = {
    "AVG": ("moyenne", "mean"),
    "MODE": ("mode", "mode"),
    "MEDI": ("médiane", "median"),
}

BUREAU_ENQUIRY_PERIODS: Final[dict[str, Words]] = {
    "HOUR": ("dernière heure", "last hour"),
    "DAY": ("dernier jour", "last day"),
    "WEEK": ("dernière semaine", "last week"),
    "MON": ("dernier mois", "last month"),
    "QRT": ("dernier trimestre", "last quarter"),
    "YEAR": ("dernière année", "last year"),
}

STATISTICS: Final[dict[str, Words]] = {
    "MIN": ("minimum", "minimum"),
    "MEAN": ("moyenne", "mean"),
    "MAX": ("maximum", "maximum"),
    "SUM": ("total", "total"),
}
"""Aggregations of history measures, as the history features' names end."""

HISTORY_PREFIXES: Final[dict[str, tuple[str, Words]]] = {
    "BUREAU_BALANCE_": ("bureau_balance", ("Bureau de crédit, mois", "Credit bureau, months")),
    "BUREAU_ACTIVE_": ("bureau", ("Bureau de crédit, crédits en cours", "Credit bureau, active credits")),
    "BUREAU_CLOSED_": ("bureau", ("Bureau de crédit, crédits clos", "Credit bureau, closed credits")),
    "BUREAU_CREDIT_CARD_": ("bureau", ("Bureau de crédit, cartes de crédit", "Credit bureau, credit cards")),
    "BUREAU_MICROLOAN_": ("bureau", ("Bureau de crédit, microcrédits", "Credit bureau, microloans")),
    "BUREAU_": ("bureau", ("Bureau de crédit", "Credit bureau")),
    "PREV_APPROVED_": ("previous", ("Demandes précédentes acceptées", "Previous applications approved")),
    "PREV_REFUSED_": ("previous_refused", ("Demandes précédentes refusées", "Previous applications refused")),
    "PREV_": ("previous", ("Demandes précédentes", "Previous applications")),
    "POS_": ("pos", ("Prêts au point de vente", "Point-of-sale loans")),
    "INST_": ("instalments", ("Échéances passées", "Past instalments")),
    "CC_": ("card", ("Carte de crédit", "Credit card")),
}
"""History feature prefixes, longest first: the source whose measures follow, and its name."""

HISTORY_MEASURES: Final[dict[str, dict[str, Described]]] = {
    "bureau": {
        "COUNT": (("nombre de crédits", "number of credits"), "count", "bureau_history"),
        "OVERDUE_COUNT": (("crédits en retard", "credits overdue"), "count", "bureau_overdue"),
        "DAYS_CREDIT": (
            ("ouverture des crédits", "opening of the credits"),
            "relative_days",
            "bureau_history",
        ),
        "CREDIT_DAY_OVERDUE": (("jours de retard", "days overdue"), "days", "bureau_overdue"),
        "DAYS_CREDIT_ENDDATE": (
            ("échéance prévue des crédits", "planned end of the credits"),
            "relative_days",
            "bureau_history",
        ),
        "DAYS_ENDDATE_FACT": (
            ("clôture des crédits", "closing of the credits"),
            "relative_days",
            "bureau_history",
        ),
        "DAYS_CREDIT_UPDATE": (("dernière mise à jour", "last update"), "relative_days", "bureau_history"),
        "AMT_CREDIT_MAX_OVERDUE": (
            ("plus fort impayé", "largest overdue amount"),
            "currency",
            "bureau_overdue",
        ),
        "CNT_CREDIT_PROLONG": (("prolongations de crédit", "credit extensions"), "count", "bureau_overdue"),
        "AMT_CREDIT_SUM": (("montant des crédits", "amount of the credits"), "currency", "bureau_debt"),
        "AMT_CREDIT_SUM_DEBT": (("dette restante", "remaining debt"), "currency", "bureau_debt"),
        "AMT_CREDIT_SUM_LIMIT": (("plafond des cartes", "card limits"), "currency", "bureau_debt"),
        "AMT_CREDIT_SUM_OVERDUE": (("montant impayé", "amount overdue"), "currency", "bureau_overdue"),
        "AMT_ANNUITY": (("annuités", "annuities"), "currency", "bureau_debt"),
        "ACTIVE_SHARE": (("part des crédits en cours", "share of credits active"), "share", "bureau_debt"),
        "DEBT_CREDIT_RATIO": (
            ("part des crédits restant due", "share of the credits still owed"),
            "share",
            "bureau_debt",
        ),
        "OVERDUE_DEBT_RATIO": (
            ("part de la dette impayée", "share of the debt overdue"),
            "share",
            "bureau_overdue",
        ),
    },
    "bureau_balance": {
        "CREDIT_COUNT": (("crédits suivis", "credits followed"), "count", "bureau_history"),
        "MONTHS": (("mois suivis", "months followed"), "months", "bureau_history"),
        "LATE_MONTHS": (("mois en retard", "months in arrears"), "months", "bureau_balance_late"),
        "LATE_SHARE": (
            ("part des mois en retard", "share of months in arrears"),
            "share",
            "bureau_balance_late",
        ),
        "WORST_STATUS": (
            ("pire tranche de retard (0 à 5)", "worst arrears band (0 to 5)"),
            "rating",
            "bureau_balance_late",
        ),
        "OLDEST_MONTH": (("premier mois suivi", "first month followed"), "relative_months", "bureau_history"),
    },
    "previous": {
        "COUNT": (("nombre de demandes", "number of applications"), "count", "previous_credits"),
        "APPROVED_COUNT": (("demandes acceptées", "applications approved"), "count", "previous_credits"),
        "REFUSED_COUNT": (("demandes refusées", "applications refused"), "count", "previous_refusals"),
        "AMT_ANNUITY": (("annuité", "annuity"), "currency", "previous_credits"),
        "AMT_APPLICATION": (("montant demandé", "amount asked for"), "currency", "previous_credits"),
        "AMT_CREDIT": (("montant accordé", "amount granted"), "currency", "previous_credits"),
        "AMT_DOWN_PAYMENT": (("apport", "down payment"), "currency", "previous_credits"),
        "AMT_GOODS_PRICE": (("prix du bien", "goods price"), "currency", "previous_credits"),
        "APPLICATION_CREDIT_RATIO": (
            ("montant demandé rapporté à l’accordé", "amount asked relative to granted"),
            "ratio",
            "previous_credits",
        ),
        "RATE_DOWN_PAYMENT": (("taux d’apport", "down payment rate"), "share", "previous_credits"),
        "CNT_PAYMENT": (("nombre d’échéances", "number of instalments"), "count", "previous_credits"),
        "DAYS_DECISION": (
            ("date de la décision", "date of the decision"),
            "relative_days",
            "previous_credits",
        ),
        "DAYS_TERMINATION": (("fin du crédit", "end of the credit"), "relative_days", "previous_credits"),
        "DAYS_LAST_DUE": (("dernière échéance", "last instalment due"), "relative_days", "previous_credits"),
        "DAYS_FIRST_DUE": (
            ("première échéance", "first instalment due"),
            "relative_days",
            "previous_credits",
        ),
        "APPROVED_SHARE": (
            ("part des demandes acceptées", "share of applications approved"),
            "share",
            "previous_refusals",
        ),
        "REFUSED_SHARE": (
            ("part des demandes refusées", "share of applications refused"),
            "share",
            "previous_refusals",
        ),
        "REFUSED_APPROVED_RATIO": (
            ("refus par demande acceptée", "refusals per approval"),
            "ratio",
            "previous_refusals",
        ),
    },
    "previous_refused": {
        "AMT_APPLICATION": (("montant demandé", "amount asked for"), "currency", "previous_refusals"),
        "APPLICATION_CREDIT_RATIO": (
            ("montant demandé rapporté à l’accordé", "amount asked relative to granted"),
            "ratio",
            "previous_refusals",
        ),
        "DAYS_DECISION": (("date du refus", "date of the refusal"), "relative_days", "previous_refusals"),
    },
    "pos": {
        "MONTHS_COUNT": (("mois suivis", "months followed"), "months", "pos_loans"),
        "LOAN_COUNT": (("nombre de prêts", "number of loans"), "count", "pos_loans"),
        "MONTHS_BALANCE": (("mois du relevé", "month of the statement"), "relative_months", "pos_loans"),
        "CNT_INSTALMENT": (("durée en échéances", "term in instalments"), "count", "pos_loans"),
        "CNT_INSTALMENT_FUTURE": (("échéances restantes", "instalments left"), "count", "pos_loans"),
        "SK_DPD": (("jours de retard", "days past due"), "days", "pos_late"),
        "SK_DPD_DEF": (
            ("jours de retard significatif", "days past due (significant debt)"),
            "days",
            "pos_late",
        ),
        "LATE_MONTHS": (("mois en retard", "months in arrears"), "months", "pos_late"),
        "LATE_SHARE": (("part des mois en retard", "share of months in arrears"), "share", "pos_late"),
        "COMPLETED_SHARE": (
            ("part des mois de prêts soldés", "share of months of completed loans"),
            "share",
            "pos_loans",
        ),
    },
    "instalments": {
        "COUNT": (("nombre d’échéances", "number of instalments"), "count", "instalment_amounts"),
        "LOAN_COUNT": (("nombre de crédits", "number of credits"), "count", "instalment_amounts"),
        "DAYS_PAST_DUE": (("jours de retard", "days late"), "days", "instalment_delays"),
        "DAYS_BEFORE_DUE": (("jours d’avance", "days early"), "days", "instalment_delays"),
        "PAYMENT_RATIO": (
            ("part de l’échéance payée", "share of the instalment paid"),
            "share",
            "instalment_amounts",
        ),
        "PAYMENT_DIFFERENCE": (
            ("reste à payer par échéance", "amount left unpaid per instalment"),
            "currency",
            "instalment_amounts",
        ),
        "LATE_COUNT": (("échéances payées en retard", "instalments paid late"), "count", "instalment_delays"),
        "LATE_SHARE": (
            ("part des échéances payées en retard", "share of instalments paid late"),
            "share",
            "instalment_delays",
        ),
        "AMT_INSTALMENT": (("montant dû", "amount due"), "currency", "instalment_amounts"),
        "AMT_PAYMENT": (("montant payé", "amount paid"), "currency", "instalment_amounts"),
        "DAYS_ENTRY_PAYMENT": (
            ("date des paiements", "date of the payments"),
            "relative_days",
            "instalment_delays",
        ),
    },
    "card": {
        "MONTHS_COUNT": (("mois suivis", "months followed"), "months", "card_use"),
        "CARD_COUNT": (("nombre de cartes", "number of cards"), "count", "card_use"),
        "MONTHS_BALANCE": (("mois du relevé", "month of the statement"), "relative_months", "card_use"),
        "AMT_BALANCE": (("solde", "balance"), "currency", "card_use"),
        "AMT_CREDIT_LIMIT_ACTUAL": (("plafond", "limit"), "currency", "card_use"),
        "BALANCE_LIMIT_RATIO": (("part du plafond utilisée", "share of the limit used"), "share", "card_use"),
        "AMT_DRAWINGS_CURRENT": (("retraits et achats", "drawings"), "currency", "card_use"),
        "AMT_DRAWINGS_ATM_CURRENT": (
            ("retraits au distributeur", "cash withdrawals"),
            "currency",
            "card_use",
        ),
        "CNT_DRAWINGS_CURRENT": (("nombre de retraits et achats", "number of drawings"), "count", "card_use"),
        "AMT_PAYMENT_TOTAL_CURRENT": (("remboursements", "repayments"), "currency", "card_use"),
        "PAYMENT_MINIMUM_RATIO": (
            ("remboursement rapporté au minimum dû", "repayment relative to the minimum due"),
            "ratio",
            "card_use",
        ),
        "SK_DPD": (("jours de retard", "days past due"), "days", "card_late"),
        "SK_DPD_DEF": (
            ("jours de retard significatif", "days past due (significant debt)"),
            "days",
            "card_late",
        ),
        "LATE_MONTHS": (("mois en retard", "months in arrears"), "months", "card_late"),
        "LATE_SHARE": (("part des mois en retard", "share of months in arrears"), "share", "card_late"),
    },
}
"""Each history source's measures, as the features' names give them after their prefix."""
