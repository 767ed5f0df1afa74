"""Check the licence of every runtime dependency, reading the licence files each wheel ships.

Runtime dependencies are the packages under "# Runtime" in requirements.txt and everything they
require, found through importlib.metadata in the project's environment. A package's licence is taken
from its licence files (LICENSE, COPYING, ... in its .dist-info), falling back to its metadata only
when it ships none: metadata can be wrong (yake 0.7.3 says LGPLv3, its LICENSE file is the AGPL).

Usage: .venv/bin/python bin/check_licences.py [--markdown]
Exit status 1 when a runtime dependency is under a licence outside the allow-list (GPL, AGPL, ...).
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = ("MIT", "BSD", "ISC", "Apache-2.0", "MPL-2.0", "PSF", "LGPL", "Unlicense", "HPND", "Zlib")
# Packages that offer a choice of licences, and the one we take.
CHOSEN = {
    "caldav": "Apache-2.0",  # "GPL-3.0 or Apache-2.0" (its COPYING.APACHE / COPYING.GPL)
    # caldav's own dependencies, dual-licensed like it (License-Expression "GPL-3.0-or-later OR Apache-2.0").
    "calendaring-config": "Apache-2.0",
    "icalendar-searcher": "Apache-2.0",
}
# Order matters: the AGPL and LGPL texts mention the GPL by name.
TEXT_PATTERNS = (
    ("AGPL", re.compile(r"GNU AFFERO GENERAL PUBLIC LICENSE", re.I)),
    ("LGPL", re.compile(r"GNU LESSER GENERAL PUBLIC LICENSE|GNU LIBRARY GENERAL PUBLIC LICENSE", re.I)),
    ("GPL", re.compile(r"GNU GENERAL PUBLIC LICENSE", re.I)),
    ("MPL-2.0", re.compile(r"Mozilla\s+Public\s+License,?\s+(?:Version|v\.?)\s?2\.0", re.I)),
    ("Apache-2.0", re.compile(r"Apache License,?\s+Version 2\.0|Licensed under the Apache License", re.I)),
    ("PSF", re.compile(r"PYTHON SOFTWARE FOUNDATION LICENSE", re.I)),
    (
        "ISC",
        re.compile(r"Permission to use, copy, modify, and(?:/or)? distribute this software for any", re.I),
    ),
    ("MIT", re.compile(r"Permission is hereby granted, free of charge, to any person", re.I)),
    ("BSD", re.compile(r"Redistribution and use in source and binary forms", re.I)),
    (
        "Unlicense",
        re.compile(r"This is free and unencumbered software released into the public domain", re.I),
    ),
    ("HPND", re.compile(r"Historical Permission Notice and Disclaimer", re.I)),
)
METADATA_PATTERNS = (
    ("AGPL", re.compile(r"\bAGPL|Affero", re.I)),
    ("LGPL", re.compile(r"\bLGPL|Lesser General Public", re.I)),
    ("GPL", re.compile(r"\bGPL|General Public License", re.I)),
    ("MPL-2.0", re.compile(r"\bMPL|Mozilla", re.I)),
    ("Apache-2.0", re.compile(r"Apache", re.I)),
    ("PSF", re.compile(r"\bPSF|Python Software Foundation", re.I)),
    ("ISC", re.compile(r"\bISC\b", re.I)),
    ("MIT", re.compile(r"\bMIT\b", re.I)),
    ("BSD", re.compile(r"\bBSD", re.I)),
    ("Unlicense", re.compile(r"Unlicense|Public Domain", re.I)),
    ("HPND", re.compile(r"\bHPND\b", re.I)),
)
LICENCE_FILE = re.compile(r"(?:^|/)(?:LICEN[CS]E|COPYING|NOTICE|COPYRIGHT)[^/]*$", re.I)


def runtime_requirements(path: Path) -> list[Requirement]:
    """The requirements listed under "# Runtime" in requirements.txt (up to the next "# " section)."""
    found, in_runtime = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("# "):
            header = stripped[2:].strip().lower()
            if header.startswith("runtime"):
                in_runtime = True
            elif header.startswith(("tests", "development", "tools")):
                in_runtime = False
            continue
        if in_runtime and stripped and not stripped.startswith("#"):
            found.append(Requirement(stripped))
    return found


def closure(requirements: list[Requirement]) -> dict[str, metadata.Distribution]:
    """Every installed distribution the requirements need, with their extras, by canonical name."""
    environment = default_environment()
    seen: dict[str, metadata.Distribution] = {}
    queue = [(r, frozenset(r.extras)) for r in requirements]
    done: set[tuple[str, frozenset]] = set()
    while queue:
        requirement, extras = queue.pop()
        name = canonicalize_name(requirement.name)
        if (name, extras) in done:
            continue
        done.add((name, extras))
        try:
            dist = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            sys.exit(f"{requirement.name} is required but not installed: run ./bin/setup first.")
        seen[name] = dist
        for spec in dist.requires or []:
            child = Requirement(spec)
            wanted = not child.marker or any(
                child.marker.evaluate({**environment, "extra": extra}) for extra in ("", *extras)
            )
            if wanted:
                queue.append((child, frozenset(child.extras)))
    return seen


def licence_files(dist: metadata.Distribution) -> list[tuple[str, str]]:
    files = []
    for entry in dist.files or []:
        text_path = str(entry)
        if ".dist-info/" in text_path and LICENCE_FILE.search(text_path):
            try:
                files.append(
                    (
                        text_path.split("/")[-1],
                        Path(entry.locate()).read_text(encoding="utf-8", errors="replace"),
                    )
                )
            except (FileNotFoundError, OSError):
                continue
    return files


def families(text: str, patterns) -> list[str]:
    """The licence families a metadata string names (AGPL and LGPL before the GPL they mention)."""
    found = []
    for family, pattern in patterns:
        if pattern.search(text) and not (family == "GPL" and ("LGPL" in found or "AGPL" in found)):
            found.append(family)
    return found


def file_family(text: str) -> str | None:
    """The licence a licence file grants: the one it names first. Later mentions are bundled code's
    notices or history ("GPL-compatible" in the PSF licence), not the package's own licence."""
    first = None
    for family, pattern in TEXT_PATTERNS:
        match = pattern.search(text)
        if match and (first is None or match.start() < first[0]):
            first = (match.start(), family)
    return first[1] if first else None


def classify(dist: metadata.Distribution) -> tuple[str, str, str]:
    """(licence, where it was read, verdict) for one distribution."""
    name = canonicalize_name(dist.metadata["Name"])
    files = licence_files(dist)
    if name in CHOSEN:
        return CHOSEN[name], "choice among its licences", "ok"
    if files:
        found = []
        for _, text in files:
            family = file_family(text)
            if family and family not in found:
                found.append(family)
        source = "file " + ", ".join(sorted({f for f, _ in files}))
        if found:
            copyleft = [f for f in found if f in ("AGPL", "GPL")]
            licence = " AND ".join(found)
            return licence, source, "REFUSED" if copyleft else "ok"
    meta = dist.metadata
    text = " ".join(
        filter(
            None,
            [
                meta.get("License-Expression"),
                meta.get("License") if meta.get("License") and len(meta.get("License")) < 200 else None,
                *(c for c in meta.get_all("Classifier") or [] if c.startswith("License ::")),
            ],
        )
    )
    found = families(text, METADATA_PATTERNS)
    if not found:
        return text or "unknown", "metadata", "UNKNOWN"
    copyleft = [f for f in found if f in ("AGPL", "GPL")]
    source = "metadata" + (" (no licence file shipped)" if not files else " (licence file not recognised)")
    licence = copyleft[0] if copyleft and "LGPL" not in found else " / ".join(found)
    ok = not copyleft or "LGPL" in found
    return licence, source, "ok" if ok else "REFUSED"


def main(argv: list[str]) -> int:
    dists = closure(runtime_requirements(ROOT / "requirements.txt"))
    rows = []
    for name in sorted(dists):
        dist = dists[name]
        licence, source, verdict = classify(dist)
        rows.append((dist.metadata["Name"], dist.version, licence, source, verdict))
    if "--markdown" in argv:
        print("| package | version | licence | read from | verdict |\n|---|---|---|---|---|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
    else:
        width = max(len(r[0]) for r in rows)
        for package, version, licence, source, verdict in rows:
            print(f"{verdict:8} {package:<{width}} {version:<14} {licence:<24} {source}")
    refused = [r for r in rows if r[4] != "ok"]
    print(
        f"\n{len(rows)} runtime dependencies checked; allowed: {', '.join(ALLOWED)}.",
        file=sys.stderr,
    )
    for package, version, licence, _, verdict in refused:
        print(
            f"{verdict}: {package} {version} is under {licence}. A runtime dependency must be permissive "
            "or LGPL: replace it, or move it to the '# Tests' section if only tests use it.",
            file=sys.stderr,
        )
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
