#!/usr/bin/env python3
"""Vendor NHS.UK frontend: fetch a pinned `nhsuk-frontend` from the npm registry and copy
its compiled CSS, JS and assets into static/vendor/nhsuk-frontend/ (committed).

    python scripts/vendor_nhsuk.py            # the pinned version below
    python scripts/vendor_nhsuk.py 10.6.2     # another version (then update VERSION here)

Only the standard library: the tarball comes from the registry's own URL and is checked
against the registry's sha512 integrity before anything is unpacked. Nothing here runs
when the site runs; `make run` and `make test` serve the committed copy.

Two changes are made to the stylesheet so that every asset is served by the app:
- the `@font-face` rules that load Frutiger from assets.nhs.uk are removed (the font is
  licensed to NHS England; the design system falls back to Arial, as it does offline);
- `url(/assets/...)` becomes `url(assets/...)`, relative to the stylesheet, so the icons
  resolve to the vendored copies wherever STATIC_URL points.
Source-map comments are dropped (the maps are not vendored).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import shutil
import sys
import tarfile
import urllib.request
from pathlib import Path

PACKAGE = "nhsuk-frontend"
VERSION = "10.6.1"
# From `npm view nhsuk-frontend@10.6.1 dist.integrity`.
INTEGRITY = (
    "sha512-PZorqQZjZx/A26yJoskCL9z0ib6AtkAyF0o4K"
    "/RHr8zRrJyXrUOCnMbjy0VNXsGO4tfTNMwqlkwATKs4a0xayw=="
)
REGISTRY = "https://registry.npmjs.org"
DEST = Path(__file__).resolve().parent.parent / "static" / "vendor" / PACKAGE

# MIT, as the package.json says; the text is the upstream repository's LICENSE.
LICENCE = """MIT License

Copyright (c) 2019 NHS.UK

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""

FONT_FACE = re.compile(r"@font-face\{[^}]*https?://[^}]*\}")
ABSOLUTE_ASSET = re.compile(r"url\((['\"]?)/assets/")
SOURCE_MAP = re.compile(r"\n?/[/*]# sourceMappingURL=[^\n]*?(\*/)?\s*$")
EXTERNAL_URL = re.compile(r"url\((['\"]?)(https?:)?//")


def fetch(version: str, integrity: str | None) -> bytes:
    meta_url = f"{REGISTRY}/{PACKAGE}/{version}"
    with urllib.request.urlopen(meta_url, timeout=60) as response:
        meta = json.load(response)
    expected = integrity or meta["dist"]["integrity"]
    if meta["dist"]["integrity"] != expected:
        raise SystemExit(f"The registry's integrity for {version} is not the pinned one.")
    with urllib.request.urlopen(meta["dist"]["tarball"], timeout=120) as response:
        data = response.read()
    algorithm, _, digest = expected.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != digest:
        raise SystemExit(f"The tarball for {version} does not match its integrity.")
    return data


def clean_css(css: str) -> str:
    css = FONT_FACE.sub("", css)
    css = ABSOLUTE_ASSET.sub(r"url(\1assets/", css)
    css = SOURCE_MAP.sub("", css)
    if EXTERNAL_URL.search(css):
        raise SystemExit("The stylesheet still loads something from another site.")
    return css


def vendor(data: bytes, version: str) -> list[str]:
    dist = "package/dist/nhsuk/"
    wanted = {
        dist + "nhsuk-frontend.min.css": "nhsuk-frontend.min.css",
        dist + "nhsuk-frontend.min.js": "nhsuk-frontend.min.js",
    }
    if DEST.exists():
        shutil.rmtree(DEST)
    (DEST / "assets").mkdir(parents=True)
    written = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            name = member.name
            if name in wanted:
                target = DEST / wanted[name]
            elif name.startswith(dist + "assets/") and ".." not in name:
                target = DEST / name[len(dist) :]
            else:
                continue
            content = tar.extractfile(member).read()
            if target.suffix == ".css":
                content = clean_css(content.decode()).encode()
            elif target.suffix == ".js":
                content = SOURCE_MAP.sub("", content.decode()).encode() + b"\n"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            written.append(str(target.relative_to(DEST)))
    missing = set(wanted.values()) - set(written)
    if missing:
        raise SystemExit(f"Not in the package: {', '.join(sorted(missing))}")
    (DEST / "LICENSE").write_text(LICENCE)
    (DEST / "VERSION").write_text(f"{PACKAGE} {version}\n")
    return sorted(written)


def main(argv: list[str]) -> int:
    version = argv[1] if len(argv) > 1 else VERSION
    data = fetch(version, INTEGRITY if version == VERSION else None)
    files = vendor(data, version)
    print(f"Vendored {PACKAGE} {version}: {len(files)} files in {DEST}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
