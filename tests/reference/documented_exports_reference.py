"""The documented-header exports (tests/fixtures/documented) against pandas.

Square, PrestaShop, Zendesk, Brevo, Klaviyo, Mailchimp (audience, a
campaign report's lists), Google
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

import json
import subprocess
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
    "mailchimp_sent_to.csv": keyed("Email Address", "email", "mailchimp_sent_to"),
    "mailchimp_opened.csv": keyed("Email Address", "email", "mailchimp_opened"),
    "mailchimp_clicked_link1.csv": keyed("Email Address", "email", "mailchimp_clicked"),
    "mailchimp_clicked_link2.csv": keyed("Email Address", "email", "mailchimp_clicked"),
}


def mailchimp_campaign(seglens, folder):
    """A Mailchimp campaign's report lists, each exported on its own: who
    was sent it, who opened, who clicked each link. Together, in any
    order, they are its results: pandas counts, among the recipients who
    ordered, those who opened (a click counts as an open: images may be
    off) and clicked; `seglens kpis` must give all customers those rates.
    The lists of who did alone are no rate at all."""
    read = lambda name: pd.read_csv(folder / name, dtype=str, keep_default_na=False)
    emails = lambda name: set(read(name)["Email Address"].str.strip().str.lower())
    sent = emails("mailchimp_sent_to.csv")
    opened_list = emails("mailchimp_opened.csv")
    clicked = emails("mailchimp_clicked_link1.csv") | emails("mailchimp_clicked_link2.csv")
    ordered = set(read("mailchimp_shop_orders.csv")["email"].str.strip().str.lower())
    recipients = sent & ordered
    opened = (opened_list | clicked) & recipients
    truth = {
        "open_rate": (len(opened), len(recipients)),
        "click_rate": (len(clicked & recipients), len(recipients)),
    }

    def all_customers(lists):
        command = [seglens, "kpis", "--orders", str(folder / "mailchimp_shop_orders.csv"), "--format", "json"]
        for name in lists:
            command += ["--email", str(folder / name)]
        rows = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
        return next(r for r in rows if r["segment"] == "All customers")

    lists = ["mailchimp_sent_to.csv", "mailchimp_opened.csv",
             "mailchimp_clicked_link1.csv", "mailchimp_clicked_link2.csv"]
    for order in (lists, lists[1:3] + lists[:1] + lists[3:], lists[::-1]):
        row = all_customers(order)
        got = {k: (row[k]["numerator"], row[k]["denominator"]) for k in truth}
        assert got == truth, (order, got, truth)
    alone = all_customers(lists[1:])
    assert alone["open_rate"]["value"] is None and alone["open_rate"]["denominator"] == 0, alone["open_rate"]
    print(f"Mailchimp campaign lists: {len(recipients)} recipients who ordered, {truth['open_rate'][0]} opened, "
          f"{truth['click_rate'][0]} clicked, in any order of the lists: as pandas")


def main():
    seglens, folder = sys.argv[1], Path(sys.argv[2])
    checked = check_all(seglens, folder, FILES, SOURCES, {})
    mailchimp_campaign(seglens, folder)
    checked += 1  # the shop's orders
    print(f"{checked} documented-header exports: every customer as pandas computes")


if __name__ == "__main__":
    main()
