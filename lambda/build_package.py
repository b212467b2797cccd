#!/usr/bin/env python3
"""Build the Lambda deployment zip of jit-access: the `jit_access` package and its runtime dependencies.

    python3 lambda/build_package.py --runtime python3.13 --architecture arm64 --out build/jit-access.zip

Run by `terraform apply` (see package.tf); runnable by hand to prebuild a zip for `lambda_package_path`.

- Dependencies come from the `dependencies` of lambda/pyproject.toml, minus what the Lambda Python runtime
  already provides (boto3 and its dependencies). They are installed as binary wheels for the Lambda
  runtime and architecture (`pip --platform manylinux2014_<arch> --python-version 3.x --only-binary`), so
  the build needs neither Docker nor the target interpreter, and works from any Linux or macOS machine.
- Wheels are kept in a wheelhouse under ~/.cache/jit-access (or $JIT_ACCESS_CACHE_DIR): a repeated build
  is fast, and builds without network access use what is there.
- The zip is reproducible: dependency versions pinned by package-constraints.txt, entries sorted,
  timestamps fixed to 1980-01-01, permissions fixed, no bytecode, so the same commit gives the same bytes.

Which files of `jit_access` are packaged is decided by `package_file()`; package.tf hashes the same set
(keep the two in step).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE = "jit_access"
RUNTIMES = ("python3.11", "python3.12", "python3.13")
ARCHITECTURES = {"x86_64": "x86_64", "arm64": "aarch64"}
# Provided by every Lambda Python runtime: never bundled (the runtime's copies are the ones AWS patches).
CONSTRAINTS = HERE / "package-constraints.txt"  # exact versions: the same commit builds the same bytes
PROVIDED = {"boto3", "botocore", "s3transfer", "jmespath", "urllib3", "python-dateutil", "six"}
# Sub-packages that never run in Lambda: the local stack is a development tool with its own dependencies.
EXCLUDED_SUBPACKAGES = ("local/",)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
FILE_MODE = (stat.S_IFREG | 0o644) << 16
ZIP_LEVEL = 9


def package_file(relative: str) -> bool:
    """Whether a file under lambda/jit_access (path relative to it, with '/') goes into the zip."""
    parts = relative.split("/")
    return (
        "__pycache__" not in parts
        and not relative.endswith((".pyc", ".pyo"))
        and not relative.startswith(EXCLUDED_SUBPACKAGES)
    )


def requirement_name(requirement: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    if not match:
        raise SystemExit(f"cannot read the requirement {requirement!r} in pyproject.toml")
    return re.sub(r"[-_.]+", "-", match[1]).lower()


def runtime_requirements(pyproject: Path) -> list[str]:
    dependencies = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    return sorted(r for r in dependencies if requirement_name(r) not in PROVIDED)


def pip(*args: str) -> None:
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", *args]
    # Root in a container is the usual case for a build; pip's warning about it is noise here.
    env = {**os.environ, "PIP_ROOT_USER_ACTION": "ignore"}
    subprocess.run(command, check=True, stdout=sys.stderr, env=env)


def install_dependencies(requirements: list[str], *, runtime: str, architecture: str, target: Path) -> None:
    version = runtime.removeprefix("python")
    platform = f"manylinux2014_{ARCHITECTURES[architecture]}"
    cache = Path(os.environ.get("JIT_ACCESS_CACHE_DIR", Path.home() / ".cache" / "jit-access"))
    wheelhouse = cache / "wheels" / f"cp{version.replace('.', '')}-{platform}"
    wheelhouse.mkdir(parents=True, exist_ok=True)
    wheel_options = [
        f"--constraint={CONSTRAINTS}",
        "--only-binary=:all:",
        f"--platform={platform}",
        "--implementation=cp",
        f"--python-version={version}",
    ]
    download = ["download", "--quiet", "--cache-dir", str(cache / "pip"), "--dest", str(wheelhouse)]
    try:
        pip(*download, *wheel_options, *requirements)
    except subprocess.CalledProcessError:
        if not any(wheelhouse.glob("*.whl")):
            raise SystemExit(
                f"could not download wheels for {runtime}/{architecture}, and none are cached"
            ) from None
        print(f"download failed; building from the cached wheels in {wheelhouse}", file=sys.stderr)
    # Install from the wheelhouse only: what was just downloaded (or cached) is exactly what gets zipped.
    install = ["install", "--quiet", "--no-index", "--find-links", str(wheelhouse), "--target", str(target)]
    pip(*install, "--no-compile", "--no-cache-dir", "--no-warn-conflicts", *wheel_options, *requirements)
    remove_provided(target)
    shutil.rmtree(target / "bin", ignore_errors=True)


def remove_provided(target: Path) -> None:
    """Drop any distribution the Lambda runtime provides, should a dependency ever pull one in."""
    for dist_info in target.glob("*.dist-info"):
        name = requirement_name(dist_info.name.split("-")[0])
        if name not in PROVIDED:
            continue
        for line in (dist_info / "RECORD").read_text().splitlines():
            path = target / line.split(",")[0]
            if path.is_file():
                path.unlink()
        shutil.rmtree(dist_info, ignore_errors=True)
        print(f"left out {name}: the Lambda runtime provides it", file=sys.stderr)


def zip_entries(root: Path, sources: Path) -> dict[str, Path]:
    entries: dict[str, Path] = {}
    for path in root.rglob("*"):
        relative = path.relative_to(root).as_posix()
        if path.is_file() and "__pycache__" not in relative.split("/") and not relative.endswith(".pyc"):
            entries[relative] = path
    for path in sources.rglob("*"):
        relative = path.relative_to(sources).as_posix()
        if path.is_file() and package_file(relative):
            entries[f"{PACKAGE}/{relative}"] = path
    return entries


def write_zip(entries: dict[str, Path], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    # Written next to the target, then renamed: a reader (or a parallel build of the same sources) never
    # sees a half-written zip.
    handle, partial = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".partial")
    os.close(handle)
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as zf:
            for name in sorted(entries):
                info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
                info.external_attr = FILE_MODE
                info.create_system = 3  # unix, whatever the building machine
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, entries[name].read_bytes(), compresslevel=ZIP_LEVEL)
        os.replace(partial, out)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)


def ignore_build_dir(out: Path) -> None:
    """Keep build output out of the caller's git repository, whatever their .gitignore says."""
    marker = out.parent / ".gitignore"
    if out.parent.name == ".jit-access-build" and not marker.exists():
        marker.write_text("*\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runtime", required=True, choices=RUNTIMES, help="Lambda runtime")
    parser.add_argument("--architecture", required=True, choices=sorted(ARCHITECTURES))
    parser.add_argument("--out", required=True, type=Path, help="path of the zip to write")
    parser.add_argument("--sources", type=Path, default=HERE / PACKAGE, help=argparse.SUPPRESS)
    parser.add_argument("--pyproject", type=Path, default=HERE / "pyproject.toml", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    requirements = runtime_requirements(args.pyproject)
    with tempfile.TemporaryDirectory(prefix="jit-access-build-") as tmp:
        target = Path(tmp) / "site"
        install_dependencies(
            requirements, runtime=args.runtime, architecture=args.architecture, target=target
        )
        entries = zip_entries(target, args.sources)
        write_zip(entries, args.out)
    ignore_build_dir(args.out)

    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()
    size = args.out.stat().st_size
    print(
        f"built {args.out} for {args.runtime}/{args.architecture}: {len(entries)} files, "
        f"{size / 1024 / 1024:.1f} MiB ({size} bytes), sha256 {digest}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
