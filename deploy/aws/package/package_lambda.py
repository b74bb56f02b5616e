#!/usr/bin/env python3
"""Packages ninja-orders as one AWS Lambda zip (provided.al2023) that serves the api, relay and
notifier functions.

    package_lambda.py --binary build/ninja-orders --out build/lambda/ninja-orders.zip
                      [--unpacked DIR] [--report]

Layout (README.md beside this file says why):
    bootstrap                  /bin/sh: exec lib/<loader> --library-path lib bin/ninja-orders lambda …
    bin/ninja-orders           stripped
    lib/                       the loader and exactly the binary's shared-library closure, under their SONAMEs
    share/ca-certificates.crt  this machine's CA bundle (AL2023 keeps its own elsewhere)

The zip is reproducible (deterministic_zip.py) and checked against Lambda's size limits. Exit status 1
with a one-line reason when the binary cannot be packaged or the package is too large.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from deterministic_zip import write_zip
from elf_inspect import (ClosureError, highest_glibc_defined, highest_glibc_needed, lambda_architecture,
                         program_interpreter, shared_library_closure, soname, version_key)

HERE = Path(__file__).resolve().parent
MIB = 1 << 20
# Lambda's quotas (gettingstarted-limits.html): a zip uploaded directly, and a function's code
# unzipped, layers included.
ZIPPED_LIMIT = 50 * MIB
UNZIPPED_LIMIT = 250 * MIB
DEFAULT_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
# What --unpacked may replace: a directory holding nothing but a previous package.
PACKAGE_TOP_LEVEL = {"bootstrap", "bin", "lib", "share"}
EXECUTABLE, READABLE, DIRECTORY = 0o755, 0o644, 0o755


class PackagingError(RuntimeError):
    pass


def copy_file(source, target, mode):
    """Copies the file behind `source` (symlinks followed) to `target` with exactly `mode`: modes are
    set, not inherited, so the zip is the same whatever umask or source permissions this machine has."""
    shutil.copyfile(Path(source).resolve(), target)
    os.chmod(target, mode)


def add_libraries(binary, lib_dir):
    """The loader and the closure into lib_dir; returns (loader name, [library names])."""
    interpreter = program_interpreter(binary)
    # The real file: the PT_INTERP path is a symlink to an absolute path on Debian.
    copy_file(interpreter, lib_dir / interpreter.name, EXECUTABLE)
    names = []
    for library in shared_library_closure(binary, interpreter):
        if library.resolved.name == interpreter.name:
            continue  # the loader again, as libc's dependency (it prints "=>" on some systems)
        # Named as the loader will search for it (DT_NEEDED), which must be the file's SONAME.
        declared = soname(library.resolved)
        if declared is not None and declared != library.needed_name:
            raise PackagingError(f"{library.resolved}: SONAME {declared} but needed as {library.needed_name}")
        copy_file(library.resolved, lib_dir / library.needed_name, READABLE)
        names.append(library.needed_name)
    return interpreter.name, names


def add_binary(binary, bin_dir):
    target = bin_dir / binary.name
    # strip writes a new file and keeps the allocated .note.gnu.build-id, so a crash address can
    # still be matched with the unstripped build/ninja-orders.
    done = subprocess.run(["strip", "--strip-all", "-o", str(target), str(binary)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise PackagingError(f"strip {binary}: {done.stderr.strip()}")
    os.chmod(target, EXECUTABLE)


def add_bootstrap(root, loader, binary_name):
    template = (HERE / "bootstrap.sh.in").read_text()
    script = template.replace("@LOADER@", loader).replace("@BINARY@", binary_name)
    (root / "bootstrap").write_text(script)
    os.chmod(root / "bootstrap", EXECUTABLE)


def prepare_directory(unpacked):
    """An empty directory to build the tree in: `unpacked` (emptied only if it holds a package)."""
    if unpacked.exists():
        present = {entry.name for entry in unpacked.iterdir()}
        if not present <= PACKAGE_TOP_LEVEL:
            raise PackagingError(f"--unpacked {unpacked}: holds {sorted(present - PACKAGE_TOP_LEVEL)}, "
                                 "not only a package; refusing to replace it")
        shutil.rmtree(unpacked)
    unpacked.mkdir(parents=True)
    return unpacked


def build_tree(binary, root, ca_bundle):
    """The package layout under root; returns (loader name, library names)."""
    for sub in ("bin", "lib", "share"):
        (root / sub).mkdir(mode=DIRECTORY)
        os.chmod(root / sub, DIRECTORY)
    os.chmod(root, DIRECTORY)
    loader, libraries = add_libraries(binary, root / "lib")
    add_binary(binary, root / "bin")
    add_bootstrap(root, loader, binary.name)
    if not ca_bundle.is_file():
        raise PackagingError(f"no CA bundle at {ca_bundle} (Debian package ca-certificates)")
    copy_file(ca_bundle, root / "share" / "ca-certificates.crt", READABLE)
    return loader, libraries


def glibc_report(root):
    """[(package path, highest GLIBC_ needed or None)] for every ELF file, and the bundled libc's newest."""
    rows = [("bin/" + path.name, highest_glibc_needed(path)) for path in sorted((root / "bin").iterdir())]
    rows += [("lib/" + path.name, highest_glibc_needed(path)) for path in sorted((root / "lib").iterdir())]
    return rows, highest_glibc_defined(root / "lib" / "libc.so.6")


def print_report(rows, defined):
    width = max(len(name) for name, _ in rows)
    print(f"{'file':<{width}}  highest GLIBC version needed")
    for name, needed in rows:
        print(f"{name:<{width}}  {needed or '-'}")
    print(f"{'(bundled libc.so.6 defines up to)':<{width}}  {defined}")


def megabytes(size):
    return f"{size / MIB:.1f} MiB"


def package(binary, out, unpacked=None, ca_bundle=DEFAULT_CA_BUNDLE, report=False,
            zipped_limit=ZIPPED_LIMIT, unzipped_limit=UNZIPPED_LIMIT):
    started = time.monotonic()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # A failed build leaves no zip at all, so no later step (cdk deploy) can take an old one for it.
    out.unlink(missing_ok=True)
    binary = Path(binary).resolve()
    if not binary.is_file():
        raise PackagingError(f"no binary at {binary}")
    architecture = lambda_architecture(binary)
    with tempfile.TemporaryDirectory(prefix="lambda-package-", dir=out.parent) as scratch:
        root = prepare_directory(Path(unpacked)) if unpacked else Path(scratch, "tree")
        if not unpacked:
            root.mkdir()
        loader, libraries = build_tree(binary, root, Path(ca_bundle))
        rows, defined = glibc_report(root)
        unzipped = sum(path.stat().st_size for path in root.rglob("*") if path.is_file())
        if unzipped > unzipped_limit:
            raise PackagingError(f"unzipped {megabytes(unzipped)} exceeds Lambda's {megabytes(unzipped_limit)}")
        partial = Path(scratch, out.name)
        write_zip(root, partial)
        zipped = partial.stat().st_size
        if zipped > zipped_limit:
            raise PackagingError(f"zipped {megabytes(zipped)} exceeds Lambda's {megabytes(zipped_limit)}")
        os.replace(partial, out)  # only a zip that passed the checks ever appears at --out
    newest = max((row for row in rows if row[1]), key=lambda row: version_key(row[1]))
    if report:
        print_report(rows, defined)
    print(f"{out}: {architecture}, loader {loader}, {len(libraries)} libraries; "
          f"zipped {megabytes(zipped)} (limit {megabytes(zipped_limit)}), "
          f"unzipped {megabytes(unzipped)} (limit {megabytes(unzipped_limit)}); "
          f"newest glibc needed {newest[1]} by {newest[0]}; {time.monotonic() - started:.1f} s")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True, help="the ninja-orders executable to package")
    parser.add_argument("--out", required=True, help="the zip to write")
    parser.add_argument("--unpacked", help="also leave the unpacked tree here (replaced if it holds a package)")
    parser.add_argument("--ca-bundle", default=str(DEFAULT_CA_BUNDLE), help="PEM bundle for share/")
    parser.add_argument("--report", action="store_true",
                        help="print the newest GLIBC_ symbol version each packaged file needs")
    # Lower limits let a test prove that the checks fail a package; the defaults are Lambda's.
    parser.add_argument("--zipped-limit", type=int, default=ZIPPED_LIMIT, help=argparse.SUPPRESS)
    parser.add_argument("--unzipped-limit", type=int, default=UNZIPPED_LIMIT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        package(args.binary, args.out, args.unpacked, args.ca_bundle, args.report,
                args.zipped_limit, args.unzipped_limit)
    except (PackagingError, ClosureError, OSError, ValueError) as error:
        print(f"package_lambda: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
