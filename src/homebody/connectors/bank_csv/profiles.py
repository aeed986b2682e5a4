"""The bank CSV layouts homebody knows: one profile per issuer's export.

FORMATS.md §5 "Bank CSV exports": there is no standard; every issuer has its own columns, date order,
decimal mark and sign convention. A profile is a Layout plus what identifies it (detect.py): the
header names it reads (and `also`, names it needs to be told apart), or for a headerless export its
row width and a marker cell.
"""

from __future__ import annotations

from dataclasses import dataclass

from homebody.connectors.bank_csv.layout import DebitCredit, Direction, Layout
from homebody.connectors.bank_csv.money import normalize_name


@dataclass(frozen=True)
class Profile:
    """A known export layout and what identifies it."""

    name: str
    layout: Layout
    also: tuple[str, ...] = ()
    exact: bool = False  # the header has exactly these columns (Amex's three are shared by many)
    width: int | None = None  # headerless: every row has this many cells
    marker: tuple[int, str] | None = None  # headerless: a cell that always holds this text

    def names(self) -> frozenset[str]:
        """The normalized header names that identify the profile."""
        return self.layout.header_names() | {normalize_name(n) for n in self.also}


_MDY = "%m/%d/%Y"

PROFILES = (
    Profile(
        "chase-checking",
        Layout(
            date="Posting Date",
            amount="Amount",
            description="Description",
            type="Type",
            balance="Balance",
            reference="Check or Slip #",
            date_format=_MDY,
            currency="USD",
        ),
        also=("Details",),
    ),
    Profile(
        "chase-card",
        Layout(
            date="Transaction Date",
            amount="Amount",
            description="Description",
            category="Category",
            type="Type",
            memo="Memo",
            date_format=_MDY,
            currency="USD",
        ),
        also=("Post Date",),
    ),
    Profile(
        "bofa-checking",
        Layout(
            date="Date",
            amount="Amount",
            description="Description",
            balance="Running Bal.",
            date_format=_MDY,
            currency="USD",
        ),
    ),
    Profile(
        "wells-fargo",
        Layout(date=0, amount=1, reference=3, description=4, date_format=_MDY, currency="USD"),
        width=5,
        marker=(2, "*"),
    ),
    Profile(
        "capital-one",
        Layout(
            date="Transaction Date",
            amount=DebitCredit(debit="Debit", credit="Credit"),
            description="Description",
            category="Category",
            account="Card No.",
            currency="USD",
        ),
        also=("Posted Date",),
    ),
    # Apple Card and Amex write purchases as positive numbers (FORMATS.md §5).
    Profile(
        "apple-card",
        Layout(
            date="Transaction Date",
            amount="Amount (USD)",
            sign="invert",
            description="Description",
            counterparty="Merchant",
            category="Category",
            type="Type",
            date_format=_MDY,
            currency="USD",
        ),
        also=("Clearing Date", "Purchased By"),
    ),
    Profile(
        "amex",
        Layout(
            date="Date",
            amount="Amount",
            sign="invert",
            description="Description",
            date_format=_MDY,
            currency="USD",
        ),
        exact=True,
    ),
    Profile(
        "schwab-checking",
        Layout(
            date="Date",
            amount=DebitCredit(debit="Withdrawal", credit="Deposit"),
            description="Description",
            status="Status",
            type="Type",
            reference="CheckNumber",
            balance="RunningBalance",
            currency="USD",
        ),
    ),
    # Mint writes every amount unsigned and the direction in `Transaction Type`.
    Profile(
        "mint",
        Layout(
            date="Date",
            amount="Amount",
            direction=Direction(column="Transaction Type", out=("debit",)),
            description="Description",
            memo="Original Description",
            category="Category",
            account="Account Name",
            currency="USD",
        ),
    ),
    Profile(
        "sparkasse",
        Layout(
            date="Buchungstag",
            amount="Betrag",
            description="Verwendungszweck",
            counterparty="Beguenstigter/Zahlungspflichtiger",
            type="Buchungstext",
            currency_column="Waehrung",
            account="Auftragskonto",
            status="Info",
            date_format="%d.%m.%y",
            decimal=",",
        ),
        also=("Valutadatum",),
    ),
    Profile(
        "gls",
        Layout(
            date="Buchungstag",
            amount="Betrag",
            description=tuple(f"VWZ{i}" for i in range(1, 15)),
            counterparty="Auftraggeber/Empfänger",
            type="Buchungstext",
            balance="Kontostand",
            currency_column="Währung",
            account="Kontonummer",
            date_format="%d.%m.%Y",
            decimal=",",
        ),
    ),
    Profile(
        "outbank",
        Layout(
            date="Date",
            amount="Amount",
            description="Reason",
            counterparty="Name",
            category="Category",
            memo="Note",
            type="Posting Text",
            account="Account",
            currency_column="Currency",
            decimal=",",
        ),
        also=("#", "Value Date"),
    ),
    Profile(
        "ing-es",
        Layout(
            date="date",
            amount="amount",
            description="desc",
            category="subcategory",
            memo="notes",
            balance="balance",
            date_format="%d/%m/%Y",
            currency="EUR",
        ),
        also=("class", "image"),
    ),
    Profile(
        "ubs-fr",
        Layout(
            date="Date de valeur",
            amount=DebitCredit(debit="Débit", credit="Crédit"),
            description="Description 1",
            counterparty="Description 2",
            memo="Description 3",
            balance="Solde",
            currency_column="Monn.",
            account="Produit",
            reference="N° de transaction",
            date_format="%d.%m.%Y",
        ),
    ),
    Profile(
        "n26",
        Layout(
            date="Booking Date",
            amount="Amount (EUR)",
            description=("Partner Name", "Payment Reference"),
            counterparty="Partner Name",
            type="Type",
            account="Account Name",
            currency="EUR",
        ),
        also=("Partner Iban",),
    ),
    Profile(
        "payoneer",
        Layout(
            date="Transaction Date",
            time="Transaction Time",
            zone="UTC",
            id="Transaction ID",
            amount=DebitCredit(debit="Debit Amount", credit="Credit Amount"),
            description="Description",
            counterparty="Target",
            memo="Additional Description",
            status="Status",
            balance="Running Balance",
            currency_column="Currency",
            date_format=_MDY,
        ),
    ),
    Profile(
        "pc-mastercard",
        Layout(
            date="Date",
            time="Time",
            amount="Amount",
            sign="invert",
            description="Merchant Name",
            account="Card Used For Transaction",
            date_format=_MDY,
            currency="CAD",
        ),
    ),
    Profile(
        "stripe",
        Layout(
            date="created",
            zone="UTC",
            id="id",
            amount="amount",
            description="description",
            counterparty="customer_description",
            memo="seller_message",
            status="status",
            currency_column="currency",
        ),
        also=("amount_refunded", "captured"),
    ),
    Profile(
        "xero-journal",
        Layout(
            date="JournalDate",
            amount="NetAmount",
            description="Description",
            account="AccountName",
            reference="Reference",
            date_format="%d-%b-%y",
        ),
        also=("JournalNumber",),
    ),
    # Amazon order history: order totals are what the user paid.
    Profile(
        "amazon-orders",
        Layout(
            date="date", amount="total", sign="invert", id="order id", description="items", currency="USD"
        ),
        also=("order url",),
    ),
)
