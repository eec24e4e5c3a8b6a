"""Builds the site into dist/ from index.html, as Trunk would, without Trunk.

Trunk takes about seven minutes to compile on a fresh two-core machine; this
script does the same few steps with tools that are already there or install
in seconds:

1. each `<link data-trunk rel="rust">` of index.html: `cargo build` of its
   binary for wasm32 (its profile and features), `wasm-bindgen` (the page as
   an ES module, the workers as classic scripts with a loader beside them),
   then `wasm-opt` at the level the link names;
2. the style sheet and the icon copied under a name with their hash, and
   `copy-file` links copied as they are;
3. index.html written with the page's script, the preloads and the sub-path
   the site is served under, then sealed by scripts/postbuild.py
   (Content-Security-Policy, the service worker's file list).

File names are Trunk's: `seglens-app-<hash>.js` and `_bg.wasm` for the page,
`worker.js`, `worker_bg.wasm` and `worker_loader.js` for a worker (a worker
names its files at run time, so they carry no hash).

`--quick` builds the same app for this machine alone, as `scripts/serve.sh`
does: every binary with Cargo.toml's `serve` profile (optimised, but without
link-time optimisation and in many parallel units) and no wasm-opt. It
compiles in a fraction of the time; its files are larger, which a local
server does not feel. The tests and the published site use the full build.

    python3 scripts/build.py [--public-url /seglens/] [--dist dist] [--quick] [--serve PORT]
"""

import argparse
import base64
import hashlib
import html
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
WASM = "wasm32-unknown-unknown"


def step(text):
    print(f"build: {text}", flush=True)


def run(args):
    started = time.monotonic()
    subprocess.run(args, cwd=ROOT, check=True)
    return time.monotonic() - started


def attributes(tag):
    """The attributes of one `<link ...>` tag, flags as empty strings."""
    return {
        m.group(1): html.unescape(m.group(3) or "")
        for m in re.finditer(r'([\w-]+)(=(?:"([^"]*)"))?', tag[len("<link"):])
    }


def short_hash(data):
    return hashlib.sha256(data).hexdigest()[:16]


def integrity(data):
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def rust_app(link, dist, quick):
    """Builds one Rust binary of index.html into `dist` (its release
    profile, or the `serve` profile when `quick`); returns the page's
    JavaScript and wasm, names and bytes, for the main app, None for a
    worker."""
    name = link["data-bin"]
    kind = link.get("data-type", "main")
    profile = "serve" if quick else link.get("data-cargo-profile-release", "release")
    cargo = ["cargo", "build", "--locked", "--target", WASM, "--bin", name, "--profile", profile]
    if link.get("data-cargo-features"):
        cargo += ["--features", link["data-cargo-features"]]
    step(f"{name}: cargo build ({profile})")
    run(cargo)
    built = os.path.join(TARGET, WASM, profile, f"{name}.wasm")

    out = os.path.join(TARGET, "wasm-bindgen", profile)
    os.makedirs(out, exist_ok=True)
    target = "web" if kind == "main" else "no-modules"
    step(f"{name}: wasm-bindgen --target {target}")
    run(["wasm-bindgen", f"--target={target}", f"--out-dir={out}", f"--out-name={name}",
         "--no-typescript", built])
    js_path = os.path.join(out, f"{name}.js")
    wasm_path = os.path.join(out, f"{name}_bg.wasm")

    level = link.get("data-wasm-opt")
    if level and level != "0" and not quick:
        optimised = os.path.join(out, f"{name}_opt.wasm")
        step(f"{name}: wasm-opt -O{level}")
        seconds = run(["wasm-opt", f"--output={optimised}", f"-O{level}", wasm_path])
        step(f"{name}: wasm-opt took {seconds:.0f} s")
        wasm_path = optimised

    with open(js_path, "rb") as f:
        js = f.read()
    with open(wasm_path, "rb") as f:
        wasm = f.read()
    if kind == "main":
        base = f"{name}-{short_hash(js + wasm)}"
    else:
        base = name
    js_name, wasm_name = f"{base}.js", f"{base}_bg.wasm"
    with open(os.path.join(dist, js_name), "wb") as f:
        f.write(js)
    with open(os.path.join(dist, wasm_name), "wb") as f:
        f.write(wasm)
    if kind == "main":
        return js_name, wasm_name, js, wasm
    if "data-loader-shim" in link:
        with open(os.path.join(dist, f"{base}_loader.js"), "w", encoding="utf-8") as f:
            f.write(f'importScripts("./{js_name}");wasm_bindgen("./{wasm_name}");')
    return None


def build(public_url, dist, quick=False):
    started = time.monotonic()
    with open(os.path.join(ROOT, "index.html"), encoding="utf-8") as f:
        page = f.read()
    staging = dist + ".staging"
    shutil.rmtree(staging, ignore_errors=True)
    os.makedirs(staging)

    main = None
    for tag in re.findall(r"<link data-trunk[^>]*/?>", page):
        link = attributes(tag)
        rel, href = link.get("rel"), link.get("href")
        replacement = ""
        if rel == "rust":
            built = rust_app(link, staging, quick)
            if built:
                main = built
                replacement = "<!-- the page's script -->"
        elif rel in ("css", "icon"):
            with open(os.path.join(ROOT, href), "rb") as f:
                data = f.read()
            stem, ext = os.path.splitext(os.path.basename(href))
            name = f"{stem}-{short_hash(data)}{ext}"
            with open(os.path.join(staging, name), "wb") as f:
                f.write(data)
            kind = "stylesheet" if rel == "css" else "icon"
            replacement = (f'<link rel="{kind}" href="{public_url}{name}" '
                           f'integrity="{integrity(data)}"/>')
        elif rel == "copy-file":
            shutil.copy(os.path.join(ROOT, href), os.path.join(staging, os.path.basename(href)))
        else:
            sys.exit(f"build: index.html: no rule for <link data-trunk rel=\"{rel}\">")
        page = page.replace(tag, replacement, 1)
    if main is None:
        sys.exit("build: index.html names no main Rust app")

    js_name, wasm_name, js, wasm = main
    preload = (
        f'<link rel="modulepreload" href="{public_url}{js_name}" crossorigin="anonymous" '
        f'integrity="{integrity(js)}">'
        f'<link rel="preload" href="{public_url}{wasm_name}" crossorigin="anonymous" '
        f'integrity="{integrity(wasm)}" as="fetch" type="application/wasm">'
    )
    script = (
        '<script type="module">\n'
        f"import init, * as bindings from '{public_url}{js_name}';\n"
        f"const wasm = await init({{ module_or_path: '{public_url}{wasm_name}' }});\n"
        "window.wasmBindings = bindings;\n"
        'dispatchEvent(new CustomEvent("TrunkApplicationStarted", {detail: {wasm}}));\n'
        "</script>"
    )
    page = page.replace("<!-- the page's script -->", script)
    page = page.replace("</head>", preload + "</head>", 1)
    # Lines left empty by the links that were taken out.
    page = re.sub(r"\n\s*\n", "\n", page)
    with open(os.path.join(staging, "index.html"), "w", encoding="utf-8") as f:
        f.write(page)

    run([sys.executable, os.path.join(ROOT, "scripts", "postbuild.py"), staging])
    shutil.rmtree(dist, ignore_errors=True)
    os.rename(staging, dist)
    step(f"done in {time.monotonic() - started:.0f} s: {os.path.relpath(dist, ROOT)}/ for {public_url}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--public-url", default="/seglens/")
    parser.add_argument("--dist", default=os.path.join(ROOT, "dist"))
    parser.add_argument("--quick", action="store_true",
                        help="the serve profile, no wasm-opt: minutes less to compile, larger files")
    parser.add_argument("--serve", type=int, metavar="PORT",
                        help="then serve the site at http://127.0.0.1:PORT/<public-url>")
    args = parser.parse_args()
    url = "/" + args.public_url.strip("/") + "/" if args.public_url.strip("/") else "/"
    build(url, os.path.abspath(args.dist), args.quick)
    if args.serve is not None:
        print(f"SegLens: http://127.0.0.1:{args.serve}{url}", flush=True)
        server = os.path.join(ROOT, "tests", "e2e", "server.mjs")
        os.execvp("node", ["node", "--input-type=module", "-e",
                           f"import {{ serve }} from {server!r}; "
                           f"await serve({os.path.abspath(args.dist)!r}, {url!r}, {args.serve});"])


if __name__ == "__main__":
    main()
