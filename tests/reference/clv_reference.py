"""Checks `seglens clv` against the `lifetimes` package on the demo data.

`lifetimes` (0.11.3) fits BG/NBD and Gamma-Gamma with scipy; SegLens fits
them with its own optimiser. Both read the same orders with the same
conventions: refunds left out, purchases on the same day merged, time in
weeks of seven days. Parameters must agree within 0.01% (both optimisers
reach the same maximum; they differ by about 1e-7 on the demo data), and
each customer's probability of being alive, expected purchases, lifetime
value, chances of ordering within 7 and 30 days and likely days to the next
order within 1% (or 1e-3 absolute for tiny values).

Past 20,000 customers SegLens tries its starting points on a sample and
polishes the best on every customer; run it on a larger demo business
(`seglens demo --customers 30000`) to check that path too.

Usage: python clv_reference.py SEGLENS_BINARY ORDERS_CSV CALIBRATION_END
"""

import json
import subprocess
import sys

import numpy
import pandas
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import summary_data_from_transaction_data


# Relative agreement of the fitted parameters.
PARAMS = 1e-4


def close(a, b, rel=0.01, abs_=1e-4):
    return abs(a - b) <= max(abs_, rel * max(abs(a), abs(b)))


def main():
    binary, path, cal_end = sys.argv[1:4]
    out = subprocess.run(
        [binary, "clv", "--orders", path, "--calibration-end", cal_end, "--unit", "weeks",
         "--horizon", "52", "--discount-rate", "0.01", "--format", "json"],
        check=True, capture_output=True, text=True).stdout
    ours = json.loads(out)

    orders = pandas.read_csv(path, dtype={"customer_id": str})
    orders = orders[orders["amount"] >= 0]
    orders["order_date"] = pandas.to_datetime(orders["order_date"])
    s = summary_data_from_transaction_data(
        orders, "customer_id", "order_date", "amount",
        observation_period_end=cal_end, freq="D")
    s["recency"] /= 7.0
    s["T"] /= 7.0

    bgf = BetaGeoFitter(penalizer_coef=0.0)
    bgf.fit(s["frequency"], s["recency"], s["T"])
    repeat = s[(s["frequency"] > 0) & (s["monetary_value"] > 0)]
    ggf = GammaGammaFitter(penalizer_coef=0.0)
    ggf.fit(repeat["frequency"], repeat["monetary_value"])

    problems = []
    for name in ["r", "alpha", "a", "b"]:
        if not close(ours["bgnbd"][name], bgf.params_[name], rel=PARAMS, abs_=0):
            problems.append(f"BG/NBD {name}: seglens {ours['bgnbd'][name]}, lifetimes {bgf.params_[name]}")
    for name in ["p", "q"]:
        if not close(ours["gamma_gamma"][name], ggf.params_[name], rel=PARAMS, abs_=0):
            problems.append(f"Gamma-Gamma {name}: seglens {ours['gamma_gamma'][name]}, lifetimes {ggf.params_[name]}")
    if not close(ours["gamma_gamma"]["gamma"], ggf.params_["v"], rel=PARAMS, abs_=0):
        problems.append(f"Gamma-Gamma gamma: seglens {ours['gamma_gamma']['gamma']}, lifetimes {ggf.params_['v']}")

    # Per customer, with lifetimes' own parameters, so that the formulas are
    # compared and not the optimisers.
    p_alive = pandas.Series(
        bgf.conditional_probability_alive(s["frequency"], s["recency"], s["T"]), index=s.index)
    expected = pandas.Series(
        bgf.conditional_expected_number_of_purchases_up_to_time(52, s["frequency"], s["recency"], s["T"]),
        index=s.index)
    clv = ggf.customer_lifetime_value(bgf, s["frequency"], s["recency"], s["T"], s["monetary_value"],
                                      time=12, discount_rate=0.01, freq="W")
    clv = pandas.Series(clv.values, index=s.index)
    # The chance of an order within 7 and 30 days, from lifetimes' own
    # customer likelihood at lifetimes' parameters: no order in the next t
    # weeks is the history observed t weeks longer with no purchase, so
    # P(order within t) = 1 - L(x, t_x, T + t) / L(x, t_x, T). The median
    # wait of an active customer is the median of scipy's Lomax with shape
    # r + x and scale alpha + T (an exponential wait with a Gamma rate).
    from scipy.stats import lomax
    log_params = numpy.log(bgf.params_[["r", "alpha", "a", "b"]].values)
    ones = numpy.ones(1)

    def loglik(x, tx, T):
        return -BetaGeoFitter._negative_log_likelihood(
            log_params, numpy.array([x]), numpy.array([tx]), numpy.array([T]), ones, 0.0)

    within = {}
    for cid, row in s.iterrows():
        now = loglik(row["frequency"], row["recency"], row["T"])
        within[cid] = tuple(
            1.0 - numpy.exp(loglik(row["frequency"], row["recency"], row["T"] + days / 7.0) - now)
            for days in (7, 30))
    r, alpha = bgf.params_["r"], bgf.params_["alpha"]
    wait = {cid: 7.0 * lomax(c=r + row["frequency"], scale=alpha + row["T"]).median()
            for cid, row in s.iterrows()}
    # Our figures at our parameters; the parameters agree within the
    # optimisers' tolerance, so the predictions agree within 1% too.
    by_id = {c["customer_id"]: c for c in ours["customers"]}
    if len(by_id) != len(s):
        problems.append(f"{len(by_id)} customers in seglens, {len(s)} in lifetimes")
    worst = 0
    for cid in s.index:
        c = by_id[cid]
        for field, theirs in (("p_alive", p_alive[cid]), ("expected_purchases", expected[cid]), ("clv", clv[cid]),
                              ("order_within_7_days", within[cid][0]), ("order_within_30_days", within[cid][1]),
                              ("days_to_next_order", wait[cid])):
            if not close(c[field], theirs, rel=0.01, abs_=1e-3):
                worst += 1
                if worst <= 5:
                    problems.append(f"customer {cid} {field}: seglens {c[field]}, lifetimes {theirs}")
    problems += cumulative_check(binary, path, cal_end, orders)
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print(f"{path}: {len(s)} customers; BG/NBD, Gamma-Gamma, per-customer predictions (the timing of the next order too) and the "
          "cumulative repeat purchases of a holdout check agree with lifetimes")


def cumulative_check(binary, path, cal_end, orders):
    """The holdout's week-by-week cumulative repeat purchases, actual and
    predicted, against lifetimes' expected_cumulative_transactions at
    SegLens's own parameters (so the formulas are compared)."""
    from lifetimes.utils import expected_cumulative_transactions
    holdout_end = (pandas.Timestamp(cal_end) + pandas.Timedelta(days=180)).strftime("%Y-%m-%d")
    out = subprocess.run(
        [binary, "clv", "--orders", path, "--calibration-end", cal_end, "--holdout-end", holdout_end,
         "--unit", "weeks", "--format", "json"], check=True, capture_output=True, text=True).stdout
    ours = json.loads(out)
    points = ours["holdout"]["cumulative"]
    bgf = BetaGeoFitter()
    bgf.params_ = pandas.Series({k: ours["bgnbd"][k] for k in ["r", "alpha", "a", "b"]})
    kept = orders[orders["order_date"] <= holdout_end]
    days = (pandas.Timestamp(holdout_end) - kept["order_date"].min()).days
    theirs = expected_cumulative_transactions(
        bgf, kept, "order_date", "customer_id", days, freq="D", freq_multiplier=7)
    problems = []
    if len(points) != len(theirs) or len(points) < 20:
        return [f"cumulative: {len(points)} points from seglens, {len(theirs)} from lifetimes"]
    for k, (p, (_, row)) in enumerate(zip(points, theirs.iterrows())):
        if p["actual"] != row["actual"] or not close(p["predicted"], row["predicted"], rel=1e-6, abs_=1e-6):
            problems.append(f"cumulative week {k + 1} (before {p['before']}): seglens {p}, lifetimes {dict(row)}")
    return problems[:5]


if __name__ == "__main__":
    main()
