"""The deployment package: the zip build_package.py makes for python3.12 on arm64, zipped and unzipped."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from common import LAMBDA, Figure, judged

RUNTIME, ARCHITECTURE = "python3.12", "arm64"


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "jit-access.zip"
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                str(LAMBDA / "build_package.py"),
                "--runtime",
                RUNTIME,
                "--architecture",
                ARCHITECTURE,
                "--out",
                str(out),
            ],
            check=True,
            capture_output=True,
        )
        built = time.perf_counter() - start
        zipped = out.stat().st_size / 1e6
        with zipfile.ZipFile(out) as archive:
            entries = archive.infolist()
            unzipped = sum(e.file_size for e in entries) / 1e6
    note = f"{RUNTIME}/{ARCHITECTURE}, {len(entries):,} files, built in {built:.0f} s"
    return [
        judged("zip_mb", zipped, "MB", "<=", 8, note),
        judged("unzipped_mb", unzipped, "MB", "<=", 250, "Lambda's limit for an unzipped function"),
    ]
