"""The build's last step (scripts/build.py, or Trunk's post-build hook):
seals the built site.

1. Adds a Content-Security-Policy to index.html that lets the page load and
   connect to nothing but its own files, with the hashes of the inline
   scripts the build writes (so no 'unsafe-inline' for scripts).
2. Writes the list of built files and a version into the service worker,
   so the app opens offline after the first visit and a new build is picked
   up on the next one.

Reads the folder from its argument, or TRUNK_STAGING_DIR as Trunk sets it
for hooks.
"""

import base64
import hashlib
import json
import os
import re
import sys

staging = sys.argv[1] if len(sys.argv) > 1 else os.environ["TRUNK_STAGING_DIR"]
index_path = os.path.join(staging, "index.html")
with open(index_path, encoding="utf-8") as f:
    html = f.read()

hashes = []
for body in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, flags=re.S):
    digest = hashlib.sha256(body.encode("utf-8")).digest()
    hashes.append("'sha256-" + base64.b64encode(digest).decode() + "'")

policy = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval' " + " ".join(hashes),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'none'",
])
meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}" />'
html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>\s*', "", html)
html = html.replace("<head>", "<head>\n    " + meta, 1)
with open(index_path, "w", encoding="utf-8") as f:
    f.write(html)

sw_path = os.path.join(staging, "sw.js")
if os.path.exists(sw_path):
    files = sorted(
        os.path.relpath(os.path.join(root, name), staging).replace(os.sep, "/")
        for root, _, names in os.walk(staging)
        for name in names
        if name != "sw.js"
    )
    version = hashlib.sha256()
    for name in files:
        with open(os.path.join(staging, name), "rb") as f:
            version.update(name.encode() + b"\0" + hashlib.sha256(f.read()).digest())
    with open(sw_path, encoding="utf-8") as f:
        sw = f.read()
    sw = sw.replace('"__VERSION__"', json.dumps(version.hexdigest()[:16]))
    sw = sw.replace("__PRECACHE__", json.dumps(["./"] + ["./" + n for n in files]))
    with open(sw_path, "w", encoding="utf-8") as f:
        f.write(sw)
