"""Which python runs the image's moto_server: the one that has moto and boto3.

moto is a Python program from pip, not a Debian package; the build image installs it under pyenv,
and Debian's /usr/bin/python3 (which runs the test suites) has neither moto nor boto3. The
interpreter is read from the moto_server script's shebang (through a pyenv shim, /usr/bin/env or
pip's launcher for long paths), or taken from $NINJA_MOTO_PYTHON.
"""
import os
import re
import shlex
import shutil
import subprocess


def moto_python(moto_server=None):
    """(path of the python that runs moto_server and imports moto, None), or (None, why none was found)."""
    tried = []
    for python in _candidate_pythons(moto_server):
        if python in tried:
            continue
        tried.append(python)
        try:
            if subprocess.run([python, "-c", "import moto.server, boto3"], capture_output=True, timeout=30).returncode == 0:
                return python, None
        except (OSError, subprocess.TimeoutExpired):
            pass
    where = ", ".join(tried) if tried else "no moto_server on the PATH and NINJA_MOTO_SERVER unset"
    return None, f"no python with moto and boto3 (tried: {where}); set NINJA_MOTO_PYTHON"


def _candidate_pythons(moto_server):
    """NINJA_MOTO_PYTHON, then the interpreter(s) of the moto_server script (moto depends on boto3:
    the interpreter that has one has both)."""
    if os.environ.get("NINJA_MOTO_PYTHON"):
        yield os.environ["NINJA_MOTO_PYTHON"]
    for found in (moto_server, os.environ.get("NINJA_MOTO_SERVER"), shutil.which("moto_server")):
        if not (found and os.access(found, os.X_OK)):
            continue
        script = os.path.realpath(found)
        pyenv = _pyenv_of_shim(script)
        if pyenv:
            # A pyenv shim is a bash script that picks a version at run time; ask pyenv what it runs.
            script = _run_for_line([pyenv, "which", "moto_server"]) or script
            yield from filter(None, [_interpreter_of(script), _run_for_line([pyenv, "which", "python3"])])
        else:
            interpreter = _interpreter_of(script)
            if interpreter:
                yield interpreter
        # A virtualenv's or pyenv version's bin dir holds its python next to its scripts.
        for name in ("python3", "python"):
            beside = os.path.join(os.path.dirname(script), name)
            if os.access(beside, os.X_OK):
                yield beside


def _head(path, size=4096):
    try:
        with open(path, "rb") as f:
            return f.read(size).decode("utf-8", "replace")
    except OSError:
        return ""


def _pyenv_of_shim(path):
    """The pyenv program a pyenv shim execs, or None when `path` is not a shim."""
    m = re.search(r'exec "([^"]*pyenv)" exec', _head(path))
    if m:
        return m.group(1)
    if os.sep + "shims" + os.sep in path:
        return shutil.which("pyenv")
    return None


def _interpreter_of(script):
    """The interpreter a script's shebang names (through /usr/bin/env too), or None."""
    lines = _head(script).splitlines()
    if not lines or not lines[0].startswith("#!"):
        return None
    words = shlex.split(lines[0][2:])
    if not words:
        return None
    if os.path.basename(words[0]) == "env":
        names = [w for w in words[1:] if not w.startswith("-") and "=" not in w]
        return shutil.which(names[0]) if names else None
    if os.path.basename(words[0]) in ("sh", "bash") and len(lines) > 1:
        # pip's launcher for interpreter paths too long for a shebang: '''exec' "/path/python" "$0" "$@"
        m = re.search(r"""exec' "?([^"' ]+)""", lines[1])
        return m.group(1) if m else None
    return words[0]


def _run_for_line(argv):
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    line = done.stdout.strip().splitlines()
    return line[0] if done.returncode == 0 and line else None
