"""The documented-header exports (tests/fixtures/documented) against pandas.

Square, PrestaShop, Zendesk, Brevo, Klaviyo, Mailchimp (audience), Google
Analytics 4 (BigQuery) and SurveyMonkey exports whose headers,
separators and formats are the platforms' own and whose rows were written
from a seed (no real, openly licensed export of them was found). pandas
reads their raw rows as each platform means them: Square's payments (its
refunds are rows of their own, not sales) with the customer the seller
attached, the items of one payment as one order; PrestaShop's orders, the
statuses that say the money never came left out (listed here by hand, in
English and in French), the totals written with their currency. Then
`seglens rfm` must give every customer the same orders and spend, and
`seglens inspect` the same platform and counts, as for the real exports.

Usage: documented_exports_reference.py SEGLENS FIXTURES_DIR
"""

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from real_exports_reference import check_all, key, keyed, per_customer  # noqa: E402

# PrestaShop's default statuses whose orders were not paid.
PRESTASHOP_LEFT_OUT = {
    "Canceled", "Payment error", "Awaiting bank wire payment",
    "Annulé", "Erreur de paiement", "En attente de virement bancaire",
}


def dollars(col):
    """`$1,234.50`, `-$0.36`."""
    return pd.to_numeric(col.str.replace("$", "", regex=False).str.replace(",", "", regex=False))


def euros(text):
    """`€1,234.50` (English back office) or `1 234,50 €` (French)."""
    t = text.replace("€", "").replace("\u00a0", "").replace("\u202f", "").strip()
    if "," in t and "." not in t:
        t = t.replace(",", ".")
    return float(t.replace(",", ""))


def square_transactions(path):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    sales = df[df["Event Type"] == "Payment"]
    left_out = sales["Transaction Status"].str.lower().isin({"pending", "failed", "canceled"})
    kept = sales[~left_out & (sales["Customer ID"].str.strip() != "")]
    return per_customer(kept["Customer ID"], dollars(kept["Total Collected"])), int(left_out.sum())


def square_items(path):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    sales = df[(df["Event Type"] == "Payment") & (df["Customer ID"].str.strip() != "")].copy()
    sales["net"] = dollars(sales["Net Sales"])
    orders = sales.groupby("Transaction ID").agg(customer=("Customer ID", "first"), value=("net", "sum"))
    return per_customer(orders["customer"], orders["value"]), 0


def prestashop(status, customer):
    def reference(path):
        df = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
        left_out = df[status].isin(PRESTASHOP_LEFT_OUT)
        kept = df[~left_out]
        return per_customer(kept[customer], kept["Total"].map(euros)), int(left_out.sum())

    return reference


def surveymonkey(path):
    """SurveyMonkey's two header rows: a column the first leaves blank is
    named by the second (the contact block's `Email`); the answers start on
    the third row. An answer joins on that e-mail (`Email Address`, which
    the collector did not ask for, is empty)."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, header=None)
    names = [q if q else part for q, part in zip(raw.iloc[0], raw.iloc[1])]
    df = raw.iloc[2:].set_axis(names, axis=1)
    assert (df["Email Address"] == "").all()
    keys = df["Email"].str.strip()
    return {
        "kinds": ["surveys"],
        "platform": "surveymonkey_answers",
        "rows": int((keys != "").sum()),
        "rejected_total": int((keys == "").sum()),
        "customers": int(keys[keys != ""].map(key).nunique()),
    }


FILES = {
    "square_transactions.csv": square_transactions,
    "square_items.csv": square_items,
    "prestashop_orders_en.csv": prestashop("Status", "Customer"),
    "prestashop_orders_fr.csv": prestashop("État", "Client"),
}

SOURCES = {
    "zendesk_tickets.csv": keyed("Requester email", "tickets", "zendesk_tickets"),
    "brevo_contacts.csv": keyed("EMAIL", "customers", "brevo_contacts", sep=";"),
    "klaviyo_profiles.csv": keyed("Email", "customers", "klaviyo_profiles"),
    # Google Analytics 4's events join on the site's own user id; a visit
    # without one (not signed in) names no customer.
    "ga4_bigquery_events.csv": keyed("user_id", "events", "ga4_events"),
    "surveymonkey_answers_nps.csv": surveymonkey,
    "mailchimp_audience.csv": keyed("Email Address", "customers", "mailchimp_audience", once=True),
}


def main():
    seglens, folder = sys.argv[1], Path(sys.argv[2])
    checked = check_all(seglens, folder, FILES, SOURCES, {})
    print(f"{checked} documented-header exports: every customer as pandas computes")


if __name__ == "__main__":
    main()
