"""Writes the measured figures into BENCHMARKS.md, between its
`<!-- bench:start -->` and `<!-- bench:end -->` markers: where SegLens
stands on each of its performance targets, the side-by-side runs with DuckDB
and pandas (natively) and DuckDB-WASM (in the same Chromium), the
criterion benchmarks, and the bundle.

Usage: python bench_report.py BENCHMARKS.md DIR
DIR holds what scripts/bench.sh measured: native.json (bench.py),
browser.json (tests/bench/browser.mjs), kmeans.json (bench_segments.py),
wasm-speed.txt (the in-browser model test's output), and the criterion
results under target/criterion.
"""

import datetime
import json
import os
import re
import sys

CRITERION = os.path.join(os.path.dirname(__file__), "..", "..", "target", "criterion")


def criterion(bench_id):
    """Mean time in seconds and throughput in bytes (if any) of a criterion benchmark."""
    folder = os.path.join(CRITERION, *bench_id.split("/"), "new")
    with open(os.path.join(folder, "estimates.json")) as f:
        mean = json.load(f)["mean"]["point_estimate"] / 1e9
    with open(os.path.join(folder, "benchmark.json")) as f:
        throughput = (json.load(f).get("throughput") or {}).get("Bytes")
    return mean, throughput


def ms(seconds):
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def mb(n):
    return f"{n / 1e6:.1f} MB"


def yes(ok):
    return "met" if ok else "**not met**"


def main():
    doc, folder = sys.argv[1:3]
    native = json.load(open(os.path.join(folder, "native.json")))
    browser = json.load(open(os.path.join(folder, "browser.json")))
    kmeans_py = json.load(open(os.path.join(folder, "kmeans.json")))
    speed = open(os.path.join(folder, "wasm-speed.txt")).read()
    fits_wasm = float(re.search(r"BG/NBD \+ Gamma-Gamma on \d+ customers in a worker: (\d+) ms best", speed).group(1))
    kmeans_wasm = float(re.search(r"k-means k = 8 on 100000 x 8 in a worker: (\d+) ms best", speed).group(1))

    one_m = min(native["sizes"], key=lambda r: abs(r["rows"] - 1_000_000))
    import_1, size_1 = criterion("import/orders_1m_one_thread")
    import_2, size_2 = criterion("import/orders_1m_two_threads")
    rfm_kpis, _ = criterion("analysis_1m/rfm_and_every_kpi")
    rfm_only, _ = criterion("analysis_1m/rfm")
    whole, _ = criterion("analysis_1m/whole_analysis_without_fits")
    funnel, _ = criterion("journeys_100k/funnel")
    paths, _ = criterion("journeys_100k/paths")
    kmeans_native, _ = criterion("segments/k-means 100k x 8, k = 8, one run")
    rule, _ = criterion("segments/rule over 100k customers")
    fits_native, _ = criterion("clv, 100k customers/BG_NBD + Gamma-Gamma fits")

    s = browser["summary"]
    seg = min(browser["seglens"], key=lambda r: r["read_ms"])
    duck = min(browser["duckdb"], key=lambda r: r["import_ms"])
    bytes_in = browser["bytes"]
    browser_mb_s = bytes_in / 1e6 / (s["seglens_read_ms"] / 1000)
    reopen = min(r["reopen_ms"] for r in browser["seglens"])
    heap_per_byte = seg["engine_memory_bytes"] / bytes_in
    bundle = browser["bundle_gzip_bytes"]["wasm"] + browser["bundle_gzip_bytes"]["js"]
    m = native["machine"]
    today = datetime.date.today().isoformat()

    out = [
        f"Measured {today} on {m['machine']}, {m['cores']} cores, Chromium {browser['chromium']}, "
        f"Python {m['python']}, DuckDB {m['duckdb']}, DuckDB-WASM 1.32.0, pandas {m['pandas']}, "
        "by `bash scripts/bench.sh`.",
        "",
        "### Where SegLens stands on its targets",
        "",
        "| target | measured | |",
        "| --- | --- | --- |",
        f"| `seglens rfm` on 1M orders, start-up included: under half of DuckDB's native time | "
        f"{one_m['seglens_s']:.3f} s against {one_m['duckdb_s']:.3f} s ({one_m['rows']:,} rows, {mb(one_m['bytes'])}): "
        f"{one_m['seglens_s'] / one_m['duckdb_s']:.2f} of DuckDB's time | {yes(one_m['seglens_s'] * 2 < one_m['duckdb_s'])} |",
        f"| import ≥ 300 MB/s natively | {size_2 / 1e6 / import_2:.0f} MB/s on two threads "
        f"({size_1 / 1e6 / import_1:.0f} MB/s on one) | {yes(size_2 / 1e6 / import_2 >= 300)} |",
        f"| import ≥ 50 MB/s in Chromium, 1M rows under 1 s, faster than DuckDB-WASM | "
        f"{browser_mb_s:.0f} MB/s: {ms(s['seglens_read_ms'] / 1000)} for {seg['rows']:,} rows ({mb(bytes_in)}); "
        f"DuckDB-WASM {ms(s['duckdb_import_ms'] / 1000)} | "
        f"{yes(browser_mb_s >= 50 and s['seglens_read_ms'] < 1000 and s['seglens_read_ms'] < s['duckdb_import_ms'])} |",
        f"| RFM + every KPI, 1M orders: < 100 ms | {ms(rfm_kpis)} (170,300 customers; RFM alone {ms(rfm_only)}) | "
        f"{yes(rfm_kpis < 0.1)} |",
        f"| k-means 100k × 8, k = 8: no slower than scikit-learn, < 150 ms in the browser | "
        f"{ms(kmeans_native)} natively against scikit-learn's {kmeans_py['best_ms']:.0f} ms; {kmeans_wasm:.0f} ms in a Web Worker | "
        f"{yes(kmeans_native * 1000 <= kmeans_py['best_ms'] and kmeans_wasm < 150)} |",
        f"| BG/NBD + Gamma-Gamma on 100k customers: < 300 ms in the browser | {fits_wasm:.0f} ms in a Web Worker "
        f"({ms(fits_native)} natively) | {yes(fits_wasm < 300)} |",
        f"| reload of a 1M-row workspace: < 1 s | {ms(reopen / 1000)} (page load, IndexedDB read, results on screen) | "
        f"{yes(reopen < 1000)} |",
        f"| memory: < 4 bytes of heap per input byte during import | {heap_per_byte:.1f} bytes: the engine's "
        f"WebAssembly memory (it only grows, so this is its peak) was {mb(seg['engine_memory_bytes'])} after reading "
        f"and analysing {mb(bytes_in)} | {yes(heap_per_byte < 4)} |",
        f"| first load (what the start screen fetches, wasm + JS, gzip): < 1 MB, interactive < 1 s | "
        f"{bundle / 1e3:,.0f} kB gzip (the page alone; the engine worker, "
        f"{sum(v for k, v in browser['bundle_gzip_bytes']['on_demand'].items() if k.startswith('worker')) / 1e3:,.0f} kB, "
        f"comes with the first file or the demo); start screen usable "
        f"after {s['interactive_ms_median']:.0f} ms (median of 5 cold loads on localhost) | "
        f"{yes(bundle < 1024 * 1024 and s['interactive_ms_median'] < 1000)} |",
        "",
        "### Side by side, natively: read the orders and compute RFM scores and segments",
        "",
        "SegLens is `seglens rfm` (a process, start-up included); DuckDB runs the query `seglens sql` writes "
        "(the same scores) from Python; pandas reads, groups and cuts at the same quantiles. Best of 3; "
        "the Python libraries' import is not counted. The files are the demo business "
        "(`seglens demo --customers N`).",
        "",
        "| rows | size | SegLens | DuckDB | pandas | DuckDB / SegLens | pandas / SegLens |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in native["sizes"]:
        out.append(
            f"| {r['rows']:,} | {mb(r['bytes'])} | {r['seglens_s']:.3f} s | {r['duckdb_s']:.3f} s | {r['pandas_s']:.3f} s | "
            f"{r['duckdb_s'] / r['seglens_s']:.2f} | {r['pandas_s'] / r['seglens_s']:.2f} |"
        )
    shapes_path = os.path.join(folder, "shapes", "shapes.json")
    if os.path.exists(shapes_path):
        shapes = json.load(open(shapes_path))
        out += [
            "",
            "### Side by side, natively: shapes SegLens was not tuned on",
            "",
            "1,000,000 rows each, drawn from a fixed seed by `tests/reference/bench_shapes.py`: skewed customers "
            "(unique order ids, a few customers with hundreds of orders), uniform customers, wide rows (fourteen "
            "more text columns), a quoted comment of 200 to 400 characters on every row, and order lines "
            "(quantity × unit price, about 2.5 lines per order). The same work as above; DuckDB sums the lines "
            f"into orders first for the last. Median of {shapes['runs']} paired runs. The target is under half of "
            "DuckDB's time on each.",
            "",
            "| shape | size | SegLens | DuckDB | pandas | SegLens / DuckDB | |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for r in shapes["shapes"]:
            ratio = r["seglens_s"] / r["duckdb_s"]
            out.append(
                f"| {r['shape']} | {mb(r['bytes'])} | {r['seglens_s']:.3f} s | {r['duckdb_s']:.3f} s | "
                f"{r['pandas_s']:.3f} s | {ratio:.2f} | {yes(ratio < 0.5)} |"
            )
    peak = lambda rows, key: max(x["peak_growth_bytes"] for x in rows)  # noqa: E731
    out += [
        "",
        f"### In the browser: {seg['rows']:,} order rows ({mb(bytes_in)}) from a `File`, headless Chromium",
        "",
        "SegLens is the release build under /seglens/, driven as a user would (file input, results on screen); "
        "its figures come from the worker. DuckDB-WASM (its exception-handling build, served from this machine) "
        "reads the same `File` into a table and runs the same RFM query. Best of "
        f"{len(browser['seglens'])}; memory is the growth of all Chromium processes' resident memory.",
        "",
        "| step | SegLens | DuckDB-WASM | DuckDB-WASM / SegLens |",
        "| --- | --- | --- | --- |",
        f"| start the engine | (in the page load) | {ms(duck['start_ms'] / 1000)} | |",
        f"| read the file into a table | {ms(s['seglens_read_ms'] / 1000)} | {ms(s['duckdb_import_ms'] / 1000)} | "
        f"{s['duckdb_import_ms'] / s['seglens_read_ms']:.2f} |",
        f"| analyse: SegLens RFM, every KPI, both models and their predictions, lifecycle, cohorts; DuckDB the RFM "
        f"query alone | {ms(s['seglens_analyse_ms'] / 1000)} | {ms(s['duckdb_rfm_ms'] / 1000)} | |",
        f"| save on the device (IndexedDB) | {ms(min(r['save_ms'] for r in browser['seglens']) / 1000)} | (not kept) | |",
        f"| from choosing the file to the results on screen | {ms(s['seglens_total_ms'] / 1000)} | | |",
        f"| reopen after a reload | {ms(reopen / 1000)} | | |",
        f"| browser memory growth, peak | {mb(peak(browser['seglens'], 0))} | {mb(peak(browser['duckdb'], 0))} | |",
        "",
        "### Engine (criterion, natively)",
        "",
        "| benchmark | mean |",
        "| --- | --- |",
        f"| import 1M order rows ({mb(size_1)}), one thread | {ms(import_1)} ({size_1 / 1e6 / import_1:.0f} MB/s) |",
        f"| the same, two threads (`parallel` feature, the command line) | {ms(import_2)} ({size_2 / 1e6 / import_2:.0f} MB/s) |",
        f"| RFM, 1M orders / 170,300 customers | {ms(rfm_only)} |",
        f"| RFM + every KPI per segment and for everyone (e-mail, surveys, tickets, predicted CLV) | {ms(rfm_kpis)} |",
        f"| the whole analysis the app shows after an import, the model fits aside | {ms(whole)} |",
        f"| BG/NBD + Gamma-Gamma fits, 100,000 customers | {ms(fits_native)} |",
        f"| a five-condition rule over 100,000 customers | {rule * 1000:.2f} ms |",
        f"| k-means 100k × 8, k = 8 (scikit-learn single-threaded: {kmeans_py['best_ms']:.0f} ms) | {ms(kmeans_native)} |",
        f"| funnel (5 steps, 7 days), 100,000 customers' events | {ms(funnel)} |",
        f"| paths (depth 4), the same events | {ms(paths)} |",
        "",
        f"Bundle: {browser['bundle_gzip_bytes']['wasm'] / 1e3:,.0f} kB of wasm "
        f"({browser['bundle_gzip_bytes']['wasm_raw'] / 1e3:,.0f} kB uncompressed: the page) and "
        f"{browser['bundle_gzip_bytes']['js'] / 1e3:.0f} kB of JavaScript, gzip -9.",
    ]
    text = open(doc).read()
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    before, rest = text.split(start)
    _, after = rest.split(end)
    open(doc, "w").write(before + start + "\n" + "\n".join(out) + "\n" + end + after)


if __name__ == "__main__":
    main()
