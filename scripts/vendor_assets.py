"""Vendor the Leaflet assets that offline maps inline, from the npm registry at pinned versions.

Run from the repository root (needs ``npm`` on the PATH and access to the npm registry)::

    python scripts/vendor_assets.py

For each pinned package the script runs ``npm pack <name>@<version>``, checks the tarball
against the pinned ``sha512`` integrity of the registry, and copies the few files the maps
use (plus the package's licence) into ``kamtibmas_geo/data/vendor/<name>/``. It then writes
``kamtibmas_geo/data/vendor/README.md`` listing package, version, licence and the SHA-256 of
every vendored file. The versions are the ones folium 0.20 references from its CDNs, so the
inlined maps behave exactly like folium's online ones. Re-running it is idempotent.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "kamtibmas_geo" / "data" / "vendor"

#: name, version, licence, npm integrity (sha512), files to keep (paths inside the tarball).
PACKAGES: list[tuple[str, str, str, str, list[str]]] = [
    (
        "leaflet",
        "1.9.3",
        "BSD-2-Clause",
        "sha512-iB2cR9vAkDOu5l3HAay2obcUHZ7xwUBBjph8+PGtmW/2lYhbLizWtG7nTeYht36WfOslixQF9D/uSIzhZgGMfQ==",
        [
            "LICENSE",
            "dist/leaflet.js",
            "dist/leaflet.css",
            "dist/images/layers.png",
            "dist/images/layers-2x.png",
            "dist/images/marker-icon.png",
            "dist/images/marker-icon-2x.png",
            "dist/images/marker-shadow.png",
        ],
    ),
    (
        "leaflet.markercluster",
        "1.1.0",
        "MIT",
        "sha512-eI+XkCiLiHwCC3uZ4/n4+Vq3rXcqEHN2lhHRVG1WVziy/3Q0TTipWkzEa1zO0dKZI2AnI5ppFDWrOjnQ7MJLKQ==",
        [
            "MIT-LICENCE.txt",
            "dist/leaflet.markercluster.js",
            "dist/MarkerCluster.css",
            "dist/MarkerCluster.Default.css",
        ],
    ),
    (
        "leaflet.heat",
        "0.2.0",
        "BSD-2-Clause",
        "sha512-Cd5PbAA/rX3X3XKxfDoUGi9qp78FyhWYurFg3nsfhntcM/MCNK08pRkf4iEenO1KNqwVPKCmkyktjW3UD+h9bQ==",
        ["LICENSE", "dist/leaflet-heat.js"],
    ),
    (
        "leaflet.fullscreen",
        "3.0.0",
        "MIT",
        "sha512-81wWSUXz1ZtdneR0v5eJDWXUSx+Zo5J50WXWeydG/UcILfIEAgz/iOjZSi3p00Z9MJ/FC/P5i3CgdYuEAos0yQ==",
        ["LICENSE", "Control.FullScreen.js", "Control.FullScreen.css", "icon-fullscreen.svg"],
    ),
    (
        "h3-js",
        "4.4.0",
        "Apache-2.0",
        "sha512-DvJh07MhGgY2KcC4OeZc8SSyA+ZXpdvoh6uCzGpoKvWtZxJB+g6VXXC1+eWYkaMIsLz7J/ErhOalHCpcs1KYog==",
        ["LICENSE", "NOTICE", "dist/h3-js.umd.js"],
    ),
]


def _integrity(path: Path) -> str:
    digest = hashlib.sha512(path.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode()


def _pack(name: str, version: str, workdir: Path) -> Path:
    out = subprocess.run(
        ["npm", "pack", f"{name}@{version}", "--json", "--pack-destination", str(workdir)],
        check=True,
        capture_output=True,
        text=True,
    )
    info = json.loads(out.stdout)[0]
    return workdir / info["filename"]


def main() -> int:
    """Download, verify and copy the pinned assets; write the vendor README."""
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, version, licence, integrity, files in PACKAGES:
            tarball = _pack(name, version, work)
            got = _integrity(tarball)
            if got != integrity:
                print(f"{name}@{version}: integrity {got} != pinned {integrity}", file=sys.stderr)
                return 1
            dest = VENDOR / name
            if dest.exists():
                shutil.rmtree(dest)
            dest.mkdir(parents=True)
            with tarfile.open(tarball) as tar:
                for rel in files:
                    member = tar.extractfile(f"package/{rel}")
                    if member is None:
                        print(f"{name}@{version}: {rel} missing", file=sys.stderr)
                        return 1
                    target = dest / Path(rel).name
                    target.write_bytes(member.read())
                    sha = hashlib.sha256(target.read_bytes()).hexdigest()
                    rows.append(f"| {name} | {version} | {licence} | `{target.name}` | `{sha}` |")
    readme = [
        "# Vendored web assets",
        "",
        "Inlined into offline maps by `kamtibmas_geo/_assets.py`. Written by",
        "`python scripts/vendor_assets.py` from the npm registry (`npm pack`), each tarball",
        "checked against its pinned sha512 integrity. Do not edit these files by hand: change",
        "the pins in the script and run it again. Each package keeps its licence file next to",
        "its assets.",
        "",
        "| package | version | licence | file | sha256 |",
        "|---|---|---|---|---|",
        *rows,
        "",
    ]
    (VENDOR / "README.md").write_text("\n".join(readme), encoding="utf-8")
    print(f"vendored {len(PACKAGES)} packages into {VENDOR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
