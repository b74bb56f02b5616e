"""The Lambda zip of deploy/aws/package/ (PLAN.md §5.6): it runs through its own loader with nothing of the
machine it was built on, from an empty directory and an empty environment, and it is reproducible.

The binary is NINJA_ORDERS_BIN (default build/ninja-orders). The empty-root tests need root (CI runs
as root) or user namespaces; the trace tests need strace. Without them they skip locally and fail
under CI=true.
"""
import os
import shutil
import signal
import socket
import stat
import subprocess
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from package_checks import (REPO, Trace, build_package, child_of, empty_root_prefix, is_inside, listed_libraries,
                            packaged_loader, serve_one_order, shared_objects_outside, skip_or_fail, strace_prefix)

BIN = Path(os.environ.get("NINJA_ORDERS_BIN", REPO / "build" / "ninja-orders"))
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
MIB = 1 << 20
EXECUTABLE_ENTRIES = {"bootstrap", "bin/ninja-orders"}


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    if not BIN.is_file():
        skip_or_fail(f"no binary at {BIN} (make binary, or set NINJA_ORDERS_BIN)")
    done, out, unpacked = build_package(BIN, tmp_path_factory.mktemp("package"), "--report")
    assert done.returncode == 0, done.stderr
    return SimpleNamespace(zip=out, root=unpacked, stdout=done.stdout, loader=packaged_loader(unpacked))


@pytest.fixture
def empty_dir(tmp_path):
    path = tmp_path / "cwd"
    path.mkdir()
    return path


def run(command, **options):
    return subprocess.run(command, capture_output=True, text=True, timeout=60, **options)


def closed_port():
    """A loopback address nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{probe.getsockname()[1]}"


def empty_root(tmp_path, package):
    """A directory holding nothing but the unpacked package at /var/task (and an empty /tmp)."""
    root = tmp_path / "root"
    shutil.copytree(package.root, root / "var" / "task", symlinks=True)
    (root / "tmp").mkdir()
    return root


# --- layout --------------------------------------------------------------------------------------------

def test_the_packager_reports_architecture_libraries_and_sizes(package):
    summary = package.stdout.splitlines()[-1]
    assert "x86_64" in summary or "arm64" in summary
    assert f"loader {package.loader.name}" in summary
    assert f"{len(list((package.root / 'lib').iterdir())) - 1} libraries" in summary
    assert "zipped " in summary and "unzipped " in summary and "newest glibc needed GLIBC_" in summary


def test_the_layout_is_bootstrap_binary_closure_loader_and_ca_bundle(package):
    assert sorted(entry.name for entry in package.root.iterdir()) == ["bin", "bootstrap", "lib", "share"]
    assert [entry.name for entry in (package.root / "bin").iterdir()] == ["ninja-orders"]
    # lib/ is exactly what ldd finds for the original binary on this machine, plus the loader.
    ldd = run(["ldd", str(BIN)], env={})
    closure = {name for name, _ in listed_libraries(ldd.stdout)} | {package.loader.name}
    assert sorted(entry.name for entry in (package.root / "lib").iterdir()) == sorted(closure)
    bundle = package.root / "share" / "ca-certificates.crt"
    assert bundle.read_bytes() == CA_BUNDLE.read_bytes()
    assert bundle.read_text().count("BEGIN CERTIFICATE") > 100


def test_libraries_are_real_files_named_by_their_soname(package):
    for path in (package.root / "lib").iterdir():
        assert stat.S_ISREG(path.lstat().st_mode), f"{path} is not a regular file"
        if path == package.loader:
            continue
        dynamic = run(["readelf", "-dW", str(path)]).stdout
        assert f"Library soname: [{path.name}]" in dynamic, f"{path.name}: SONAME differs"
    interpreter = run(["readelf", "-lW", str(BIN)]).stdout.split("program interpreter: ")[1].split("]")[0]
    assert package.loader.read_bytes() == Path(interpreter).resolve().read_bytes()


def test_the_binary_is_stripped_and_keeps_its_build_id(package):
    packaged = package.root / "bin" / "ninja-orders"
    assert ".symtab" not in run(["readelf", "-SW", str(packaged)]).stdout
    build_id = [line for line in run(["readelf", "-nW", str(BIN)]).stdout.splitlines() if "Build ID" in line]
    assert build_id and build_id[0] in run(["readelf", "-nW", str(packaged)]).stdout


# --- the closure resolves inside the package -------------------------------------------------------------

def test_the_bundled_loader_resolves_every_library_inside_the_package(package, empty_dir):
    binary, lib = package.root / "bin" / "ninja-orders", package.root / "lib"
    listed = run([str(package.loader), "--library-path", str(lib), "--list", str(binary)], env={}, cwd=empty_dir)
    assert listed.returncode == 0, listed.stderr
    libraries = listed_libraries(listed.stdout)
    assert libraries, listed.stdout
    assert [name for name, where in libraries if not is_inside(where, package.root)] == []
    # Every file of lib/, the loader included (listed as PT_INTERP's path => the file it runs as).
    assert len(libraries) == len(list(lib.iterdir()))
    verify = run([str(package.loader), "--library-path", str(lib), "--verify", str(binary)], env={}, cwd=empty_dir)
    assert verify.returncode == 0, verify.stderr


def test_the_closure_resolves_in_an_empty_root(package, tmp_path):
    prefix = empty_root_prefix(root := empty_root(tmp_path, package))
    listed = run([*prefix, f"/var/task/lib/{package.loader.name}", "--library-path", "/var/task/lib",
                  "--list", "/var/task/bin/ninja-orders"], env={})
    assert listed.returncode == 0, listed.stderr
    libraries = listed_libraries(listed.stdout)
    assert len(libraries) == len(list((root / "var/task/lib").iterdir()))
    assert [(name, where) for name, where in libraries if not is_inside(where, "/var/task")] == []


# --- it runs from an empty root, an empty directory and an empty environment --------------------------------

def test_version_and_help_run_in_an_empty_root(package, tmp_path):
    prefix = empty_root_prefix(empty_root(tmp_path, package))
    loader = [f"/var/task/lib/{package.loader.name}", "--library-path", "/var/task/lib", "/var/task/bin/ninja-orders"]
    version = run([*prefix, *loader, "--version"], env={})
    assert version.returncode == 0, version.stderr
    assert version.stdout == run([str(BIN), "--version"]).stdout
    helped = run([*prefix, *loader, "--help"], env={})
    assert helped.returncode == 0 and "serve" in helped.stdout, helped.stderr


def test_the_service_serves_and_signs_a_webhook_in_an_empty_root(package, tmp_path):
    """HTTP, SQLite, the outbox relay, HMAC through libcrypto and a POST through libcurl, all with
    nothing but the package: no /etc, no /usr, no /lib."""
    prefix = empty_root_prefix(empty_root(tmp_path, package))
    command = [*prefix, f"/var/task/lib/{package.loader.name}", "--library-path", "/var/task/lib",
               "--argv0", "bootstrap", "/var/task/bin/ninja-orders"]
    serve_one_order(command, env={"LAMBDA_TASK_ROOT": "/var/task"}, cwd=None, store_file="/tmp/orders.db")


def test_host_names_resolve_in_an_empty_root_without_loading_an_nss_module(package, tmp_path):
    """With /etc/hosts and an nsswitch.conf like a Lambda host's, the webhook's host name resolves
    through the bundled glibc (files and dns are inside libc since 2.34): no libnss_*.so is looked for."""
    root = empty_root(tmp_path, package)
    (root / "etc").mkdir()
    (root / "etc" / "hosts").write_text("127.0.0.1 localhost\n127.0.0.1 receiver.test\n")
    (root / "etc" / "nsswitch.conf").write_text("hosts: files dns\n")
    log = tmp_path / "resolve.strace"
    command = [*strace_prefix(log), *empty_root_prefix(root), f"/var/task/lib/{package.loader.name}",
               "--library-path", "/var/task/lib", "/var/task/bin/ninja-orders"]
    serve_one_order(command, env={}, cwd=None, store_file="/tmp/orders.db", webhook_host="receiver.test",
                    server_pid=lambda process: child_of(process.pid))
    opened = [path for _, syscall, path, rest in Trace(log).events if syscall in ("open", "openat")]
    assert "/etc/hosts" in opened, "the name was not resolved through NSS"
    assert [path for path in opened if "libnss_" in path] == []


def test_bootstrap_without_task_root_runs_from_its_own_directory(package, empty_dir):
    bootstrap = package.root / "bootstrap"
    by_path = run([str(bootstrap), "--version"], env={}, cwd=empty_dir)
    assert by_path.returncode == 0 and by_path.stdout.startswith("ninja-orders "), by_path.stderr
    relative = run(["./bootstrap", "--version"], env={}, cwd=package.root)
    assert relative.returncode == 0 and relative.stdout == by_path.stdout, relative.stderr
    # A copy of the script alone finds the package only through LAMBDA_TASK_ROOT, which wins.
    shutil.copy2(bootstrap, empty_dir / "bootstrap")
    alone = run(["./bootstrap", "--version"], env={}, cwd=empty_dir)
    assert alone.returncode != 0
    rooted = run(["./bootstrap", "--version"], env={"LAMBDA_TASK_ROOT": str(package.root)}, cwd=empty_dir)
    assert rooted.returncode == 0 and rooted.stdout == by_path.stdout, rooted.stderr


def test_bootstrap_starts_the_handler_through_the_bundled_loader(package, empty_dir):
    """As Lambda starts it: no arguments, only the Lambda variables. The trace shows the exact command
    the bootstrap executes and that the binary and all its libraries came from the package."""
    log = empty_dir.parent / "bootstrap.strace"
    env = {"LAMBDA_TASK_ROOT": str(package.root), "_HANDLER": "notifier", "AWS_LAMBDA_RUNTIME_API": closed_port()}
    started = subprocess.Popen([*strace_prefix(log), str(package.root / "bootstrap")], env=env, cwd=empty_dir,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        # Nothing answers at AWS_LAMBDA_RUNTIME_API: the handler exits, or keeps retrying until stopped.
        _, errors = started.communicate(timeout=10)
        assert 0 <= started.returncode < 128, f"killed by a signal: {started.returncode}\n{errors}"
    except subprocess.TimeoutExpired:
        os.kill(child_of(started.pid), signal.SIGKILL)
        started.communicate()
    trace = Trace(log)
    index, argv = trace.first_execution_of(package.loader)
    assert index is not None, "the bootstrap never executed the bundled loader"
    binary = str(package.root / "bin" / "ninja-orders")
    assert argv == [str(package.loader), "--library-path", str(package.root / "lib"), "--argv0", "bootstrap",
                    binary, "lambda", "--handler", "notifier"]
    opens = trace.opens_from(index)
    assert (binary, True) in opens, "the loader did not open the packaged binary"
    assert shared_objects_outside(opens, package.root) == []
    assert len([path for path, found in opens if found and path.startswith(str(package.root / "lib"))]) == \
        len(list((package.root / "lib").iterdir())) - 1


# --- what a run opens -------------------------------------------------------------------------------------

def test_a_run_opens_no_shared_object_outside_the_package(package, empty_dir):
    """On this machine, where every library also exists in /lib, a search that fell through to the
    system would succeed silently; the trace catches it (also dlopen, which the loader list cannot see)."""
    log = empty_dir.parent / "version.strace"
    env = {"LAMBDA_TASK_ROOT": str(package.root)}
    strace = strace_prefix(log)
    done = run([*strace, str(package.root / "bootstrap"), "--version"], env=env, cwd=empty_dir)
    assert done.returncode == 0, done.stderr
    trace = Trace(log)
    index, _ = trace.first_execution_of(package.loader)
    assert index is not None
    assert shared_objects_outside(trace.opens_from(index), package.root) == []
    assert "/etc/ld.so.cache" not in {path for path, _ in trace.opens_from(index)}

    log = empty_dir.parent / "serve.strace"
    strace = strace_prefix(log)
    serve_one_order([*strace, str(package.root / "bootstrap")], env=env, cwd=empty_dir,
                    store_file=empty_dir / "orders.db", server_pid=lambda process: child_of(process.pid))
    trace = Trace(log)
    index, _ = trace.first_execution_of(package.loader)
    opens = trace.opens_from(index)
    assert shared_objects_outside(opens, package.root) == []
    assert "/etc/ld.so.cache" not in {path for path, _ in opens}


def test_the_checks_catch_a_package_missing_a_library(package, tmp_path, empty_dir):
    """Each check above fails on a broken package: the list, the empty root and the trace."""
    broken = tmp_path / "broken"
    shutil.copytree(package.root, broken)
    (broken / "lib" / "libz.so.1").unlink()
    listed = run([str(broken / "lib" / package.loader.name), "--library-path", str(broken / "lib"),
                  "--list", str(broken / "bin" / "ninja-orders")], env={}, cwd=empty_dir)
    outside = [name for name, where in listed_libraries(listed.stdout) if not is_inside(where, broken)]
    assert outside == ["libz.so.1"]
    log = tmp_path / "broken.strace"
    run([*strace_prefix(log), str(broken / "bootstrap"), "--version"], env={},
        cwd=empty_dir)
    trace = Trace(log)
    index, _ = trace.first_execution_of(broken / "lib" / package.loader.name)
    assert any(path.endswith("/libz.so.1") for path in shared_objects_outside(trace.opens_from(index), broken))
    root = tmp_path / "root"
    shutil.copytree(broken, root / "var" / "task")
    prefix = empty_root_prefix(root)
    version = run([*prefix, f"/var/task/lib/{package.loader.name}", "--library-path", "/var/task/lib",
                   "/var/task/bin/ninja-orders", "--version"], env={})
    assert version.returncode != 0 and "libz.so.1" in version.stderr


# --- the zip ------------------------------------------------------------------------------------------------

def expected_mode(name, loader):
    if name.endswith("/"):
        return 0o755
    return 0o755 if name in EXECUTABLE_ENTRIES or name == f"lib/{loader.name}" else 0o644


def test_the_zip_holds_the_tree_with_unix_modes_and_fixed_times(package):
    with zipfile.ZipFile(package.zip) as archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        assert names == sorted(names)
        files = sorted(path.relative_to(package.root).as_posix() for path in package.root.rglob("*") if path.is_file())
        assert [name for name in names if not name.endswith("/")] == files
        for info in infos:
            mode = info.external_attr >> 16
            assert info.create_system == 3 and info.date_time == (1980, 1, 1, 0, 0, 0), info
            assert stat.S_IMODE(mode) == expected_mode(info.filename, package.loader), (info.filename, oct(mode))
            if info.filename.endswith("/"):
                assert stat.S_ISDIR(mode)
                continue
            assert stat.S_ISREG(mode) and info.compress_type == zipfile.ZIP_DEFLATED, info
            assert archive.read(info) == (package.root / info.filename).read_bytes(), info.filename
    assert stat.S_IMODE((package.root / "bootstrap").stat().st_mode) == 0o755


def test_the_same_binary_gives_a_byte_identical_zip(package, tmp_path):
    """Another path, another mtime, other permissions of the input, another umask: the same bytes."""
    copy = tmp_path / "elsewhere" / "ninja-orders"
    copy.parent.mkdir()
    shutil.copyfile(BIN, copy)
    os.chmod(copy, 0o700)
    os.utime(copy, (1_000_000_000, 1_000_000_000))
    previous = os.umask(0o077)
    try:
        done, out, _ = build_package(copy, tmp_path / "again")
    finally:
        os.umask(previous)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == package.zip.read_bytes()


def test_the_zip_is_within_lambdas_limits(package):
    with zipfile.ZipFile(package.zip) as archive:
        unzipped = sum(info.file_size for info in archive.infolist())
    assert package.zip.stat().st_size <= 50 * MIB
    assert unzipped <= 250 * MIB


@pytest.mark.parametrize("limit", ["--zipped-limit", "--unzipped-limit"])
def test_a_package_over_a_limit_fails_and_leaves_no_zip_at_all(tmp_path, limit):
    if not BIN.is_file():
        skip_or_fail(f"no binary at {BIN}")
    (tmp_path / "ninja-orders.zip").write_bytes(b"a zip of an earlier build")
    done, out, _ = build_package(BIN, tmp_path, limit, str(MIB))
    assert done.returncode == 1 and "exceeds Lambda's 1.0 MiB" in done.stderr, done.stderr
    assert not out.exists(), "a zip of an earlier build stayed where the failed one would be"


def test_unpacked_never_replaces_a_directory_of_other_files(tmp_path):
    if not BIN.is_file():
        skip_or_fail(f"no binary at {BIN}")
    (tmp_path / "unpacked").mkdir()
    (tmp_path / "unpacked" / "notes.txt").write_text("mine")
    done, out, _ = build_package(BIN, tmp_path)
    assert done.returncode == 1 and "refusing" in done.stderr, done.stderr
    assert (tmp_path / "unpacked" / "notes.txt").read_text() == "mine" and not out.exists()


def test_a_file_that_is_not_a_dynamic_program_is_refused(tmp_path):
    text = tmp_path / "ninja-orders"
    text.write_text("#!/bin/sh\n")
    done, out, _ = build_package(text, tmp_path)
    assert done.returncode == 1 and "package_lambda:" in done.stderr and not out.exists(), done.stderr


# --- the glibc report ---------------------------------------------------------------------------------------

def glibc_versions(objdump_section):
    return [tuple(int(part) for part in word[len("GLIBC_"):].split("."))
            for word in objdump_section.split() if word.startswith("GLIBC_") and word[6:7].isdigit()]


def test_the_glibc_report_names_the_newest_version_each_file_needs(package):
    """Checked against objdump's "Version References" (the packager reads readelf's)."""
    rows = dict(line.split() for line in package.stdout.splitlines() if line.startswith(("bin/", "lib/")))
    files = sorted(path.relative_to(package.root).as_posix()
                   for path in package.root.rglob("*") if path.parent.name in ("bin", "lib"))
    assert sorted(rows) == files
    libc = run(["objdump", "-p", str(package.root / "lib" / "libc.so.6")]).stdout
    provided = max(glibc_versions(libc.partition("Version definitions:")[2].partition("Version References:")[0]))
    for name in files:
        references = run(["objdump", "-p", str(package.root / name)]).stdout.partition("Version References:")[2]
        needed = glibc_versions(references)
        shown = "GLIBC_" + ".".join(map(str, max(needed))) if needed else "-"
        assert rows[name] == shown, name
        assert not needed or max(needed) <= provided, f"{name} needs more than the bundled libc has"
