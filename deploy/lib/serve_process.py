"""One `ninja-orders serve` process of the local cluster: its listening address is read from the log
line it writes once bound (`listening on http://HOST:PORT`, it is started on port 0), its readiness
from GET /readyz."""
import re
import urllib.error
import urllib.request

from child_process import ChildProcess

LISTEN_RE = re.compile(r"listening on http://(\S+?):(\d+)")
# No proxy: an http_proxy of the developer's must not see (or break) loopback requests.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_status(url, timeout=1.0):
    """The status of GET url, or None when nothing answered."""
    try:
        with _OPENER.open(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (OSError, ValueError):
        return None


class ServeProcess(ChildProcess):
    def __init__(self, name, binary, roles, args, log_path, env):
        super().__init__(name, [binary, "serve", "--roles", roles, "--listen", "127.0.0.1:0", *args],
                         log_path, env=env)
        self.roles = roles
        self.host = None
        self.port = None

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def listening(self):
        """True once the process has logged its address (then host and port are set)."""
        if self.port is None:
            try:
                with open(self.log_path, "rb") as log:
                    head = log.read(1 << 16).decode("utf-8", "replace")   # the line comes early
            except OSError:
                return False
            match = LISTEN_RE.search(head)
            if match:
                self.host, self.port = match.group(1).strip("[]"), int(match.group(2))
        return self.port is not None

    def ready(self):
        return self.listening() and http_status(self.url + "/readyz") == 200
