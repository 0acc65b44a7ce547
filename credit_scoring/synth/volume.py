"""How many history rows synthetic clients have, and how Kaggle's download is shaped around them.

`LIGHT` keeps the tables small (the default bundle, tests); `KAGGLE` reproduces the rows per client of
Kaggle's download in every table and its shapes: an application_test of applicants whose history is in
the same tables, monthly rows whose previous application is not in previous_application, and
bureau_balance months of credits that bureau does not list (docs/training.md, "Kaggle's download").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Volume:
    """Rows per client of the history tables, and the share of each of Kaggle's unlinked shapes."""

    name: str
    credits_per_client: float
    """Mean bureau credits of a client of average age, before `unlisted_credit_share` is removed."""
    balance_share: float
    """Share of bureau credits reported month by month in bureau_balance."""
    applications_per_client: float
    """Mean previous applications per client, before `unlisted_*_share` are removed."""
    applicant_share: float
    """application_test clients per application_train client (0: no application_test)."""
    unlisted_credit_share: float
    """Share of reported credits whose bureau row is left out (their months stay in bureau_balance)."""
    unlisted_card_share: float
    """Share of card loans whose previous_application row is left out (their months stay)."""
    unlisted_loan_share: float
    """Share of instalment loans whose previous_application row is left out (their rows stay)."""
    split_payment_share: float
    """Share of instalments paid in two parts (two installments_payments rows), as Kaggle's often are."""

    def __post_init__(self) -> None:
        shares = (self.balance_share, self.unlisted_credit_share, self.unlisted_card_share)
        shares += (self.unlisted_loan_share, self.split_payment_share)
        if not all(0.0 <= share <= 1.0 for share in shares):
            raise ValueError(f"volume {self.name!r}: shares must be between 0 and 1")
        if min(self.credits_per_client, self.applications_per_client, self.applicant_share) < 0:
            raise ValueError(f"volume {self.name!r}: counts must be 0 or more")


LIGHT: Final = Volume(
    name="light",
    credits_per_client=4.0,
    balance_share=0.2,
    applications_per_client=3.0,
    applicant_share=0.0,
    unlisted_credit_share=0.0,
    unlisted_card_share=0.0,
    unlisted_loan_share=0.0,
    split_payment_share=0.0,
)
"""Lighter than Kaggle (about 5.6 credits and 4.9 applications per client, 45% of credits reported
monthly), linked throughout: the committed default bundle and the tests."""

KAGGLE_ROWS: Final = {
    "application_train": 307_511,
    "application_test": 48_744,
    "bureau": 1_716_428,
    "bureau_balance": 27_299_925,
    "previous_application": 1_670_214,
    "POS_CASH_balance": 10_001_358,
    "installments_payments": 13_605_401,
    "credit_card_balance": 3_840_312,
}
"""Rows of each table in Kaggle's download."""

KAGGLE: Final = Volume(
    name="kaggle",
    credits_per_client=4.95,
    balance_share=0.385,
    applications_per_client=4.85,
    applicant_share=KAGGLE_ROWS["application_test"] / KAGGLE_ROWS["application_train"],
    unlisted_credit_share=0.05,
    unlisted_card_share=0.33,
    unlisted_loan_share=0.034,
    split_payment_share=0.48,
)
"""Tuned so that rows per client (train and test clients together) come within a few percent of
KAGGLE_ROWS, except credit_card_balance, whose months follow the card loans' dates (about half of
Kaggle's rows: bench/bench_scale.py prints the ratios); the
unlisted shares are those of the real linked rows (../shared/data/home-credit-linked: 3.4% of
POS_CASH_balance, 32.6% of credit_card_balance)."""

VOLUMES: Final = {volume.name: volume for volume in (LIGHT, KAGGLE)}
