"""What a dynamically linked ELF program needs at run time: its loader, its shared-library closure and
the glibc symbol versions each file asks for.

The closure comes from the program's own dynamic loader in list mode (what `ldd` prints), run with an
empty environment: the loader is the authority on what it would map (RUNPATH, ld.so.cache, default
directories), and a hand-written DT_NEEDED walk could disagree with it. The other facts come from
binutils' readelf. Both are Debian tools, so nothing here parses ELF by hand.
"""
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

# readelf's "Machine:" line → the name AWS Lambda gives the architecture (CDK's Architecture.X86_64
# and Architecture.ARM_64).
LAMBDA_ARCHITECTURES = {
    "Advanced Micro Devices X86-64": "x86_64",
    "AArch64": "arm64",
}

_INTERPRETER_RE = re.compile(r"\[Requesting program interpreter: (\S+)\]")
_MACHINE_RE = re.compile(r"^\s*Machine:\s+(.+?)\s*$", re.MULTILINE)
_SONAME_RE = re.compile(r"\(SONAME\)\s+Library soname: \[(\S+)\]")
# One line of the loader's list mode: "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x7f…)".
_RESOLVED_RE = re.compile(r"^\s*(\S+) => (.+?)(?: \(0x[0-9a-f]+\))?\s*$")
# readelf -V: "0x0010:   Name: GLIBC_2.34  Flags: none  Version: 5" inside the version *needs* section.
_NEEDED_VERSION_RE = re.compile(r"Name: (GLIBC_[0-9][0-9.]*)\s")
_DEFINED_VERSION_RE = re.compile(r"Name: (GLIBC_[0-9][0-9.]*)\s*$", re.MULTILINE)


class ClosureError(RuntimeError):
    """The program cannot be packaged: a library is missing, or the program is not dynamic ELF."""


@dataclass(frozen=True)
class Library:
    needed_name: str  # the name the loader searches for (DT_NEEDED), so the name it must have in lib/
    resolved: Path    # the file the loader found on this machine (symlinks not yet followed)


def _readelf(*args):
    done = subprocess.run(["readelf", "-W", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ClosureError(f"readelf {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def program_interpreter(binary):
    """The loader path from PT_INTERP (/lib64/ld-linux-x86-64.so.2, /lib/ld-linux-aarch64.so.1, …)."""
    found = _INTERPRETER_RE.search(_readelf("--program-headers", str(binary)))
    if not found:
        raise ClosureError(f"{binary} has no PT_INTERP: not a dynamically linked program")
    return Path(found.group(1))


def lambda_architecture(binary):
    machine = _MACHINE_RE.search(_readelf("--file-header", str(binary)))
    name = machine.group(1) if machine else "unknown"
    if name not in LAMBDA_ARCHITECTURES:
        raise ClosureError(f"{binary}: machine {name!r} is not one Lambda runs (x86-64 or AArch64)")
    return LAMBDA_ARCHITECTURES[name]


def soname(library):
    found = _SONAME_RE.search(_readelf("--dynamic", str(library)))
    return found.group(1) if found else None


def shared_library_closure(binary, interpreter, library_path=None):
    """Every shared library the loader maps for `binary`, loader and vDSO excluded, in its order.

    `library_path` (a directory) is searched first, as `--library-path` does for the packaged program.
    Raises ClosureError when the loader reports a library as "not found".
    """
    command = [str(interpreter)]
    if library_path is not None:
        command += ["--library-path", str(library_path)]
    command += ["--list", str(binary)]
    # env -i: LD_LIBRARY_PATH or LD_PRELOAD of the caller must not change the answer; cwd /: nor a
    # relative entry in a search path.
    done = subprocess.run(command, env={}, cwd="/", capture_output=True, text=True, check=False)
    libraries, missing = [], []
    for line in done.stdout.splitlines():
        resolved = _RESOLVED_RE.match(line)
        if not resolved:
            continue  # the vDSO and the loader itself print without "=>"
        name, where = resolved.groups()
        if where == "not found":
            missing.append(name)
        else:
            libraries.append(Library(name, Path(where)))
    if missing:
        raise ClosureError(f"{binary}: the loader finds no {', '.join(missing)}")
    if done.returncode != 0:
        raise ClosureError(f"{' '.join(command)} exited {done.returncode}: {done.stderr.strip()}")
    return libraries


def version_key(version):
    """GLIBC_2.3.4 → (2, 3, 4), so versions sort as numbers (2.9 < 2.34)."""
    return tuple(int(part) for part in version.removeprefix("GLIBC_").split("."))


def highest_glibc_needed(path):
    """The newest GLIBC_x.y symbol version `path` requires (from its .gnu.version_r), or None."""
    text = _readelf("--version-info", str(path))
    needs = text.partition("Version needs section")[2]
    versions = _NEEDED_VERSION_RE.findall(needs)
    return max(versions, key=version_key) if versions else None


def highest_glibc_defined(libc):
    """The newest GLIBC_x.y version a C library provides (from its .gnu.version_d)."""
    text = _readelf("--version-info", str(libc))
    definitions = text.partition("Version definition section")[2].partition("Version needs section")[0]
    versions = _DEFINED_VERSION_RE.findall(definitions)
    if not versions:
        raise ClosureError(f"{libc} defines no GLIBC_ version: not glibc")
    return max(versions, key=version_key)
