"""Real platform exports (tests/fixtures/real) against pandas on their raw rows.

For each order export, pandas groups the rows into orders as the platform
defines them, leaves out the orders whose status says they did not happen,
takes refunds off, gives an order without an e-mail to the buyer its phone
names, and gives each customer the number of orders (refunds excluded) and
the net spend; `seglens rfm` must give every customer the same
frequency and monetary value, and `seglens inspect` the same number of orders
kept and left out.

The statuses left out are listed here by hand, from the values these files
hold, not from SegLens's rules.

Usage: real_exports_reference.py SEGLENS FIXTURES_DIR
"""

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pandas as pd

LEFT_OUT = {"pending", "voided", "failed", "requires_payment_method", "en attente", "canceled"}

# PayPal's payments received, by their Type (the other rows are the
# account's own spending, holds, deposits, bonuses and memos).
PAYPAL_PAYMENTS = {"Website Payment", "PayPal Here Payment", "Mobile Payment",
                   "Non Reference Credit Payment", "Express Checkout Payment",
                   "Subscription Payment", "Payment Received", "Invoice Payment"}


def first(series):
    """The first non-empty cell of an order's rows."""
    for v in series:
        if isinstance(v, str) and v.strip():
            return v
    return ""


def key(text):
    """The customer key as SegLens joins it: trimmed, e-mails lower-cased."""
    t = str(text).strip()
    return t.lower() if "@" in t else t


def money(col):
    return pd.to_numeric(col.replace("", "0"), errors="raise")


def per_customer(customer, value):
    """Orders and net spend per customer; like R's rfm, a customer with
    refunds only (no order) is not scored."""
    frame = pd.DataFrame({"customer": customer.map(key), "value": value.astype(float)})
    out = frame.groupby("customer").agg(
        frequency=("value", lambda v: int((v >= 0).sum())),
        monetary=("value", "sum"),
        refunds=("value", lambda v: int((v < 0).sum())),
    )
    return out


def shopify(path):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    cols = ["Email", "Billing Phone", "Created at", "Total", "Financial Status", "Cancelled at",
            "Refunded Amount"]
    orders = df.groupby("Name", sort=False)[cols].agg(first)
    left_out = orders["Financial Status"].str.lower().isin(LEFT_OUT) | (orders["Cancelled at"] != "")
    kept = orders[~left_out]
    customer = buyer(kept, "Email", "Billing Phone", path.name)
    kept, customer = kept[customer != ""], customer[customer != ""]
    value = money(kept["Total"]) - money(kept["Refunded Amount"])
    return per_customer(customer, value), int(left_out.sum())


def stripe(path):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    left_out = df["Status"].str.lower().isin(LEFT_OUT)
    kept = df[~left_out]
    # The unified payments export has the customer's phone too.
    customer = (buyer(kept, "Customer Email", "Customer Phone", path.name) if "Customer Phone" in df
                else kept["Customer Email"].str.strip())
    kept, customer = kept[customer != ""], customer[customer != ""]
    value = money(kept["Amount"]) - money(kept["Amount Refunded"])
    return per_customer(customer, value), int(left_out.sum())


def etsy_orders(path):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    kept = df[df["Buyer User ID"].str.strip() != ""]
    return per_customer(kept["Buyer User ID"], money(kept["Order Total"])), 0


def etsy_items(path):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["Item Total"] = money(df["Item Total"])
    orders = df.groupby("Order ID", sort=False).agg(
        buyer=("Buyer", first), value=("Item Total", "sum")
    )
    kept = orders[orders["buyer"].str.strip() != ""]
    return per_customer(kept["buyer"], kept["value"]), 0


def paypal(path):
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    sales = df[(df["Balance Impact"] == "Credit") & df["Type"].isin(PAYPAL_PAYMENTS)]
    left_out = sales["Status"].str.lower().isin(LEFT_OUT)
    kept = sales[~left_out & (sales["From Email Address"].str.strip() != "")]
    value = money(kept["Gross"].str.replace(",", "", regex=False))
    return per_customer(kept["From Email Address"], value), int(left_out.sum())


# The orders each file identifies by their phone, by file name.
BY_PHONE = {}


def buyer(orders, email_column, phone_column, name):
    """Who placed each order: its e-mail; for an order without one (phone or
    cash-on-delivery orders), the e-mail of the first order (in file order)
    with the same phone number (its digits, at least six), else those
    digits; "" when it has neither."""
    email = orders[email_column].str.strip().str.lower()
    phone = orders[phone_column].str.replace(r"\D", "", regex=True)
    phone = phone.where(phone.str.len() >= 6, "")
    with_both = (email != "") & (phone != "")
    known = pd.Series(email[with_both].values, index=phone[with_both].values)
    known = known[~known.index.duplicated(keep="first")]
    BY_PHONE[name] = int(((email == "") & (phone != "")).sum())
    return email.where(email != "", phone.map(known).fillna(phone))


def woocommerce(path):
    df = pd.read_excel(path, dtype=str).fillna("")
    cols = ["E-mail (Facturation)", "Téléphone (Facturation)", "État de la commande",
            "Montant total de la commande", "Montant du remboursement de la commande"]
    orders = df.groupby("Numéro de commande", sort=False)[cols].agg(first)
    left_out = orders["État de la commande"].str.lower().isin(LEFT_OUT)
    kept = orders[~left_out]
    customer = buyer(kept, "E-mail (Facturation)", "Téléphone (Facturation)", path.name)
    kept, customer = kept[customer != ""], customer[customer != ""]
    value = money(kept["Montant total de la commande"]) - money(kept["Montant du remboursement de la commande"])
    return per_customer(customer, value), int(left_out.sum())


def online_retail(path):
    df = pd.read_excel(path, dtype={"InvoiceNo": str})
    df = df[df["CustomerID"].notna()]
    df["line"] = df["Quantity"] * df["UnitPrice"]
    orders = df.groupby("InvoiceNo", sort=False).agg(
        customer=("CustomerID", "first"), value=("line", "sum")
    )
    cancels = orders.index.str.upper().str.startswith("C")
    orders.loc[cancels, "value"] = -orders.loc[cancels, "value"].abs()
    customer = orders["customer"].map(lambda c: str(int(c)))
    return per_customer(customer, orders["value"]), 0


def keyed(column, kind, platform, sep=",", once=False):
    """A source joined on `column`: pandas counts the rows with a key (read),
    without one (rejected) and the distinct keys (customers). With `once`
    (a list of customers), a customer listed again is one row, the repeat
    rejected."""

    def reference(path):
        df = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        keys = df[column].str.strip()
        named = keys[keys != ""].map(key)
        repeats = int(len(named) - named.nunique()) if once else 0
        return {
            "kinds": [kind],
            "platform": platform,
            "rows": int(len(named)) - repeats,
            "rejected_total": int((keys == "").sum()) + repeats,
            "customers": int(named.nunique()),
        }

    return reference


SOURCES = {
    "shopify_customers_activewear.csv": keyed("Email", "customers", "shopify_customers"),
    "hubspot_contacts_export.csv": keyed("Email", "customers", "hubspot_contacts"),
    "hubspot_contacts_all_customers.csv": keyed("Email", "customers", "hubspot_contacts"),
    "freshdesk_tickets.csv": keyed("Email", "tickets", "freshdesk_tickets"),
    "woocommerce_customers_report_bookshop_fr.csv": keyed("E-mail", "customers", "woocommerce_customers"),
}

FILES = {
    "shopify_orders_activewear_usd.csv": shopify,
    "shopify_orders_babystore_zar.csv": shopify,
    "stripe_payments_subscriptions_usd.csv": stripe,
    "stripe_payments_unified_wide.csv": stripe,
    "stripe_payments_legacy_columns.csv": stripe,
    "etsy_sold_orders_stationery_2022.csv": etsy_orders,
    "etsy_sold_order_items_stickers_2021.csv": etsy_items,
    "uci_online_retail_head.xlsx": online_retail,
    "woocommerce_orders_bookshop_dzd_fr.xlsx": woocommerce,
    "paypal_activity_download_crafts_usd.csv": paypal,
}


def check_all(seglens, folder, files, sources, by_phone):
    """Checks `seglens rfm` and `seglens inspect` on each order export of
    `files` and `seglens inspect` on each source of `sources` against their
    pandas references; returns how many files were checked."""
    checked = 0
    for name, reference in files.items():
        path = folder / name
        if not path.exists():
            sys.exit(f"{name}: missing from {folder}")
        everyone, left_out = reference(path)
        truth = everyone[everyone["frequency"] > 0]
        out = subprocess.run(
            [seglens, "rfm", "--orders", str(path), "--format", "csv"],
            capture_output=True, text=True, check=True,
        ).stdout
        got = pd.read_csv(StringIO(out), dtype={"customer_id": str}).set_index("customer_id")
        assert set(got.index) == set(truth.index), (
            name,
            sorted(set(got.index) ^ set(truth.index))[:10],
        )
        got = got.loc[truth.index]
        wrong_f = truth.index[got["frequency"].values != truth["frequency"].values]
        assert len(wrong_f) == 0, (name, "frequency", list(wrong_f[:5]))
        diff = (got["monetary"] - truth["monetary"]).abs()
        assert (diff < 0.006).all(), (name, "monetary", diff[diff >= 0.006].head().to_dict())
        inspect = json.loads(subprocess.run(
            [seglens, "inspect", str(path), "--format", "json"],
            capture_output=True, text=True, check=True,
        ).stdout)
        assert inspect["excluded_orders"] == left_out, (name, inspect["excluded_orders"], left_out)
        assert inspect["refunds"] == int(everyone["refunds"].sum()), name
        assert inspect["by_phone"] == by_phone.get(name, 0), (name, inspect["by_phone"], by_phone.get(name))
        assert inspect["orders"] == int(everyone["frequency"].sum() + everyone["refunds"].sum()), name
        print(
            f"{name}: {len(truth)} customers, {int(truth['frequency'].sum())} orders, "
            f"{left_out} left out for their status, {by_phone.get(name, 0)} known by their phone, "
            f"net {truth['monetary'].sum():,.2f}: as pandas"
        )
        checked += 1
    for name, reference in sources.items():
        path = folder / name
        truth = reference(path)
        inspect = json.loads(subprocess.run(
            [seglens, "inspect", str(path), "--format", "json"],
            capture_output=True, text=True, check=True,
        ).stdout)
        got = {k: inspect[k] for k in truth}
        assert got == truth, (name, got, truth)
        print(f"{name}: {truth['kinds'][0]} from {truth['platform']}, {truth['rows']} rows, "
              f"{truth['rejected_total']} rejected (no customer, or listed again), {truth['customers']} customers: as pandas")
        checked += 1
    return checked


# Exports refused with the reason, checked here to be right: pandas finds
# no column of e-mail addresses, and no column SegLens could take for the
# customer (a customer id or e-mail): survey answers without their
# respondent, and reports of counts per event or campaign.
REFUSED = {
    "typeform_answers_new_coder_survey_2016.csv": (
        "Typeform responses export has no column naming the respondent"
    ),
    "ga4_report_events.csv": (
        "Google Analytics 4 report counts per event or campaign, with no customer on its rows"
    ),
    "mailchimp_campaigns_newsletter.csv": (
        "Mailchimp campaigns list counts per event or campaign, with no customer on its rows"
    ),
}

# Lines above a report's table (Google Analytics writes its `#` preamble).
PREAMBLE = {"ga4_report_events.csv": 9}


def check_refused(seglens, folder):
    for name, reason in REFUSED.items():
        path = folder / name
        df = pd.read_csv(path, dtype=str, keep_default_na=False, skiprows=PREAMBLE.get(name, 0))
        emails = [c for c in df.columns if df[c].str.contains("@").any()]
        assert emails == [], (name, emails)
        named = [c for c in df.columns
                 if any(w in c.lower() for w in ("email", "e-mail", "customer", "client", "user id", "user_id"))]
        assert named == [], (name, named)
        got = subprocess.run([seglens, "inspect", str(path), "--format", "json"],
                             capture_output=True, text=True)
        assert got.returncode != 0, (name, got.stdout[:200])
        assert reason in got.stderr, (name, got.stderr)
        print(f"{name}: {len(df)} rows, no customer column, refused: \"{reason}\"")
    return len(REFUSED)


def main():
    seglens, folder = sys.argv[1], Path(sys.argv[2])
    checked = check_all(seglens, folder, FILES, SOURCES, BY_PHONE)
    checked += check_refused(seglens, folder)
    print(f"{checked} exports: every customer as pandas computes")


if __name__ == "__main__":
    main()
