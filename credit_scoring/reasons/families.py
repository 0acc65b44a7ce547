"""Families of features: the facts a reason is about, each with its name and its two statements.

Features of one family say one fact about the client several ways (the three external scores and their
mean; a bureau total and its mean), so a decision gives at most one reason per family. Each family has a
statement for each direction of its effect, in French and English: `raises` when the fact pushes the
risk of default up, `lowers` when it pulls it down.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

LANGUAGES: Final = ("fr", "en")


@dataclass(frozen=True)
class Family:
    """One fact about the client, named and stated in each language (`LANGUAGES` order)."""

    key: str
    label: tuple[str, str]
    raises: tuple[str, str]
    lowers: tuple[str, str]


def _family(key: str, label: tuple[str, str], raises: tuple[str, str], lowers: tuple[str, str]) -> Family:
    return Family(key, label, raises, lowers)


FAMILIES: Final[dict[str, Family]] = {
    f.key: f
    for f in (
        _family(
            "external_scores",
            ("Scores de crédit externes", "External credit scores"),
            ("Scores de crédit externes défavorables", "Unfavourable external credit scores"),
            ("Scores de crédit externes favorables", "Favourable external credit scores"),
        ),
        _family(
            "age",
            ("Âge", "Age"),
            ("Âge associé à un risque plus élevé", "Age associated with a higher risk"),
            ("Âge associé à un risque plus faible", "Age associated with a lower risk"),
        ),
        _family(
            "employment",
            ("Emploi", "Employment"),
            ("Ancienneté dans l’emploi courte ou absente", "Short or no time in employment"),
            ("Ancienneté dans l’emploi solide", "Steady time in employment"),
        ),
        _family(
            "income_type",
            ("Type de revenu", "Income type"),
            ("Type de revenu associé à un risque plus élevé", "Income type associated with a higher risk"),
            ("Type de revenu associé à un risque plus faible", "Income type associated with a lower risk"),
        ),
        _family(
            "occupation",
            ("Profession", "Occupation"),
            ("Profession associée à un risque plus élevé", "Occupation associated with a higher risk"),
            ("Profession associée à un risque plus faible", "Occupation associated with a lower risk"),
        ),
        _family(
            "employer",
            ("Secteur de l’employeur", "Employer’s sector"),
            (
                "Secteur d’emploi associé à un risque plus élevé",
                "Employer’s sector associated with a higher risk",
            ),
            (
                "Secteur d’emploi associé à un risque plus faible",
                "Employer’s sector associated with a lower risk",
            ),
        ),
        _family(
            "loan",
            ("Crédit demandé", "Credit applied for"),
            ("Montant ou durée du crédit demandé défavorable", "Unfavourable amount or term of the credit"),
            ("Montant et durée du crédit demandé favorables", "Favourable amount and term of the credit"),
        ),
        _family(
            "affordability",
            ("Charge du crédit sur le revenu", "Credit burden on income"),
            (
                "Crédit ou mensualités élevés par rapport au revenu",
                "Credit or repayments high for the income",
            ),
            (
                "Crédit et mensualités mesurés par rapport au revenu",
                "Credit and repayments moderate for the income",
            ),
        ),
        _family(
            "income",
            ("Revenu", "Income"),
            ("Revenu du foyer plus faible", "Lower household income"),
            ("Revenu du foyer plus élevé", "Higher household income"),
        ),
        _family(
            "household",
            ("Composition du foyer", "Household"),
            (
                "Composition du foyer associée à un risque plus élevé",
                "Household associated with a higher risk",
            ),
            (
                "Composition du foyer associée à un risque plus faible",
                "Household associated with a lower risk",
            ),
        ),
        _family(
            "family_status",
            ("Situation familiale", "Family status"),
            (
                "Situation familiale associée à un risque plus élevé",
                "Family status associated with a higher risk",
            ),
            (
                "Situation familiale associée à un risque plus faible",
                "Family status associated with a lower risk",
            ),
        ),
        _family(
            "education",
            ("Niveau d’études", "Education"),
            ("Niveau d’études associé à un risque plus élevé", "Education associated with a higher risk"),
            ("Niveau d’études associé à un risque plus faible", "Education associated with a lower risk"),
        ),
        _family(
            "housing",
            ("Logement", "Housing"),
            (
                "Situation de logement associée à un risque plus élevé",
                "Housing associated with a higher risk",
            ),
            (
                "Situation de logement associée à un risque plus faible",
                "Housing associated with a lower risk",
            ),
        ),
        _family(
            "car",
            ("Véhicule", "Car"),
            (
                "Situation automobile associée à un risque plus élevé",
                "Car ownership associated with a higher risk",
            ),
            (
                "Situation automobile associée à un risque plus faible",
                "Car ownership associated with a lower risk",
            ),
        ),
        _family(
            "region",
            ("Région de résidence", "Region of residence"),
            ("Région de résidence associée à un risque plus élevé", "Region associated with a higher risk"),
            ("Région de résidence associée à un risque plus faible", "Region associated with a lower risk"),
        ),
        _family(
            "addresses",
            ("Adresses déclarées", "Declared addresses"),
            (
                "Adresses de résidence, de travail et déclarée différentes",
                "Home, work and registered addresses differ",
            ),
            (
                "Adresses de résidence, de travail et déclarée cohérentes",
                "Home, work and registered addresses agree",
            ),
        ),
        _family(
            "contact",
            ("Moyens de contact", "Contact details"),
            (
                "Moyens de contact peu nombreux ou récemment changés",
                "Few or recently changed contact details",
            ),
            ("Moyens de contact fournis et stables", "Contact details given and stable"),
        ),
        _family(
            "identity",
            ("Pièces d’identité et inscription", "Identity and registration"),
            ("Pièce d’identité ou inscription récente", "Recent identity document or registration"),
            ("Pièce d’identité et inscription anciennes", "Long-standing identity document and registration"),
        ),
        _family(
            "documents",
            ("Documents fournis", "Documents provided"),
            (
                "Documents fournis associés à un risque plus élevé",
                "Documents provided associated with a higher risk",
            ),
            (
                "Documents fournis associés à un risque plus faible",
                "Documents provided associated with a lower risk",
            ),
        ),
        _family(
            "application_process",
            ("Déroulement de la demande", "How the application was made"),
            (
                "Circonstances de la demande associées à un risque plus élevé",
                "Application circumstances associated with a higher risk",
            ),
            (
                "Circonstances de la demande associées à un risque plus faible",
                "Application circumstances associated with a lower risk",
            ),
        ),
        _family(
            "building",
            ("Immeuble du logement", "The home’s building"),
            (
                "Caractéristiques de l’immeuble associées à un risque plus élevé",
                "Building associated with a higher risk",
            ),
            (
                "Caractéristiques de l’immeuble associées à un risque plus faible",
                "Building associated with a lower risk",
            ),
        ),
        _family(
            "social_circle",
            ("Entourage", "Social circle"),
            ("Défauts de paiement dans l’entourage", "Payment defaults in the social circle"),
            ("Peu de défauts de paiement dans l’entourage", "Few payment defaults in the social circle"),
        ),
        _family(
            "bureau_enquiries",
            ("Demandes au bureau de crédit", "Credit bureau enquiries"),
            ("Demandes récentes au bureau de crédit", "Recent enquiries to the credit bureau"),
            ("Peu de demandes au bureau de crédit", "Few enquiries to the credit bureau"),
        ),
        _family(
            "sex",
            ("Sexe", "Sex"),
            ("Sexe associé à un risque plus élevé", "Sex associated with a higher risk"),
            ("Sexe associé à un risque plus faible", "Sex associated with a lower risk"),
        ),
        _family(
            "bureau_overdue",
            ("Retards déclarés au bureau de crédit", "Arrears reported to the credit bureau"),
            (
                "Retards ou impayés sur des crédits auprès d’autres établissements",
                "Arrears or overdue amounts on credits with other lenders",
            ),
            (
                "Aucun retard sur les crédits auprès d’autres établissements",
                "No arrears on credits with other lenders",
            ),
        ),
        _family(
            "bureau_debt",
            ("Endettement auprès d’autres établissements", "Debt with other lenders"),
            ("Endettement élevé auprès d’autres établissements", "High debt with other lenders"),
            ("Endettement mesuré auprès d’autres établissements", "Moderate debt with other lenders"),
        ),
        _family(
            "bureau_history",
            ("Historique au bureau de crédit", "Credit bureau history"),
            ("Historique de crédit court ou crédits récents", "Short credit history or recent credits"),
            ("Historique de crédit long et établi", "Long, established credit history"),
        ),
        _family(
            "bureau_balance_late",
            ("Retards mensuels au bureau de crédit", "Monthly arrears at the credit bureau"),
            (
                "Mois en retard sur les crédits déclarés au bureau",
                "Months in arrears on credits reported to the bureau",
            ),
            (
                "Mois à jour sur les crédits déclarés au bureau",
                "Months up to date on credits reported to the bureau",
            ),
        ),
        _family(
            "previous_refusals",
            ("Demandes précédentes refusées", "Previous applications refused"),
            ("Demandes de crédit précédentes refusées", "Previous credit applications refused"),
            ("Peu ou pas de demandes précédentes refusées", "Few or no previous applications refused"),
        ),
        _family(
            "previous_credits",
            ("Crédits précédents chez nous", "Previous credits with us"),
            ("Crédits précédents chez nous défavorables", "Unfavourable previous credits with us"),
            ("Crédits précédents chez nous favorables", "Favourable previous credits with us"),
        ),
        _family(
            "pos_late",
            ("Retards sur les prêts au point de vente", "Arrears on point-of-sale loans"),
            ("Retards de paiement sur les prêts au point de vente", "Late payments on point-of-sale loans"),
            ("Prêts au point de vente payés à temps", "Point-of-sale loans paid on time"),
        ),
        _family(
            "pos_loans",
            ("Prêts au point de vente", "Point-of-sale loans"),
            ("Prêts au point de vente en cours défavorables", "Unfavourable point-of-sale loans"),
            ("Prêts au point de vente menés à terme", "Point-of-sale loans carried through"),
        ),
        _family(
            "instalment_delays",
            ("Ponctualité des échéances précédentes", "Timeliness of past instalments"),
            (
                "Retards de paiement sur les échéances des crédits précédents",
                "Late payments on previous credits’ instalments",
            ),
            ("Échéances des crédits précédents payées à temps", "Previous credits’ instalments paid on time"),
        ),
        _family(
            "instalment_amounts",
            ("Montants des échéances précédentes", "Amounts of past instalments"),
            ("Échéances des crédits précédents payées en partie", "Previous credits’ instalments paid short"),
            (
                "Échéances des crédits précédents payées en totalité",
                "Previous credits’ instalments paid in full",
            ),
        ),
        _family(
            "card_late",
            ("Retards sur la carte de crédit", "Arrears on the credit card"),
            ("Retards de paiement sur la carte de crédit", "Late payments on the credit card"),
            ("Carte de crédit payée à temps", "Credit card paid on time"),
        ),
        _family(
            "card_use",
            ("Utilisation de la carte de crédit", "Credit card use"),
            ("Carte de crédit très utilisée ou peu remboursée", "Credit card heavily used or little repaid"),
            ("Carte de crédit utilisée avec mesure", "Credit card used with moderation"),
        ),
    )
}
"""Every family, by key."""
