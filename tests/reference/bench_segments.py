"""Times scikit-learn's KMeans on the rows the segments benchmark wrote
(target/bench/kmeans-100k.csv: 100,000 x 8, standardised), single-threaded,
one k-means++ seeding and Lloyd iterations, as the engine's benchmark runs
it; prints the best of five and the inertia.

Usage: python bench_segments.py target/bench/kmeans-100k.csv [OUT.json]
"""

import json
import sys
import time

import numpy
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits


def main():
    x = numpy.loadtxt(sys.argv[1], delimiter=",")
    times, inertia = [], None
    with threadpool_limits(limits=1):
        for seed in range(5):
            t = time.perf_counter()
            km = KMeans(n_clusters=8, n_init=1, init="k-means++", algorithm="lloyd", random_state=seed).fit(x)
            times.append(time.perf_counter() - t)
            inertia = km.inertia_ if inertia is None else min(inertia, km.inertia_)
    print(f"scikit-learn KMeans k=8 on {x.shape[0]} x {x.shape[1]}: best of 5 {min(times) * 1000:.1f} ms, "
          f"median {sorted(times)[2] * 1000:.1f} ms, lowest inertia {inertia:.1f}")
    if len(sys.argv) > 2:
        with open(sys.argv[2], "w") as f:
            json.dump({"best_ms": min(times) * 1000, "median_ms": sorted(times)[2] * 1000}, f)


if __name__ == "__main__":
    main()
