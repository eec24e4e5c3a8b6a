"""Writes a synthetic web log for the journeys benchmark: 5,000,000 events
of 100,000 customers in sessions of 3 to 12 events (mostly the funnel steps
in order, some searches and wish lists), and one order per customer, into
the current folder (events-5m.csv, orders-100k.csv). Deterministic (seed 7).

Usage: python gen_events_5m.py  # then time `seglens funnel` and `seglens paths`
"""
import datetime
import random
random.seed(7)
n_customers, n_events = 100_000, 5_000_000
steps = ["page_view", "view_product", "add_to_cart", "begin_checkout", "purchase"]
with open("events-5m.csv", "w") as f, open("orders-100k.csv", "w") as o:
    f.write("session_id,customer_id,timestamp,event\n")
    o.write("order_id,customer_id,order_date,amount\n")
    written, s = 0, 0
    base = 1_735_689_600  # 2025-01-01
    while written < n_events:
        c = random.randrange(n_customers)
        t = base + random.randrange(300 * 86400)
        s += 1
        depth = 1 + min(4, int(random.expovariate(0.6)))
        k = random.randint(3, 12)
        for i in range(k):
            e = steps[min(i * depth // k, 4)] if random.random() < 0.85 else random.choice(["search", "wishlist", "page_view"])
            t += random.randint(5, 120)
            secs = t
            f.write(f"S{s},C{c:06d},{datetime.datetime.utcfromtimestamp(secs).strftime('%Y-%m-%dT%H:%M:%SZ')},{e}\n")
            written += 1
    for c in range(n_customers):
        o.write(f"O{c},C{c:06d},2025-0{1 + c % 9}-1{c % 10},{10 + c % 90}.50\n")
