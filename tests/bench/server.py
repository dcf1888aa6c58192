"""Start a real Odoo server (with workers) on free loopback ports, and talk to it over HTTP."""

import contextlib
import os
import re
import socket
import subprocess
import time

import requests

from .odoo_env import CONF, ROOT, WORK

ODOO_SRC = os.environ.get("ODOO_SRC", "/opt/odoo-19.0")
VENV_PY = os.path.join(os.environ.get("CMR_VENV", os.path.expanduser("~/.cache/crm-cmr/venv")), "bin/python")
# werkzeug's access line as Odoo logs it: "... "GET /my/orders HTTP/1.1" 200 - <queries> <sql s> <other s>"
ACCESS = re.compile(r'"(GET|POST) (\S+) HTTP/[\d.]+" (\d{3}) \S+ (\d+) ([\d.]+) ([\d.]+)')


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OdooServer:
    def __init__(self, db, workers=2, extra=(), logfile=None):
        self.db = db
        self.port = free_port()
        self.gevent_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.logfile = logfile or WORK / "bench" / f"server-{db}-{self.port}.log"
        self.cmd = [
            VENV_PY,
            os.path.join(ODOO_SRC, "odoo-bin"),
            "-c",
            str(CONF),
            "-d",
            db,
            f"--db-filter=^{db}$",
            f"--http-port={self.port}",
            f"--gevent-port={self.gevent_port}",
            f"--workers={workers}",
            "--max-cron-threads=0",
            "--limit-time-real=600",
            "--limit-time-cpu=600",
            "--log-level=info",
            f"--logfile={self.logfile}",
            *extra,
        ]
        self.proc = None

    def start(self, timeout=120):
        self.logfile.parent.mkdir(parents=True, exist_ok=True)
        self.logfile.write_text("")
        self.proc = subprocess.Popen(self.cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Odoo exited early; see {self.logfile}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.url + "/web/health", timeout=2).status_code == 200:
                    return self
            time.sleep(0.5)
        raise RuntimeError(f"Odoo did not answer on {self.url} within {timeout}s; see {self.logfile}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def access_lines(self):
        """(method, path, status, queries, sql_seconds, other_seconds) of every request logged so far."""
        text = self.logfile.read_text(encoding="utf-8", errors="replace")
        return [
            (m[1], m[2], int(m[3]), int(m[4]), float(m[5]), float(m[6]))
            for m in (ACCESS.search(line) for line in text.splitlines())
            if m
        ]

    def session(self, login, password):
        """A requests.Session logged in through /web/session/authenticate."""
        http = requests.Session()
        resp = http.post(
            self.url + "/web/session/authenticate",
            json={"jsonrpc": "2.0", "method": "call", "params": {"db": self.db, "login": login, "password": password}},
            timeout=60,
        )
        resp.raise_for_status()
        body = resp.json()
        if body.get("error") or not body.get("result", {}).get("uid"):
            raise RuntimeError(f"login of {login} failed: {body.get('error')}")
        return http

    def jsonrpc(self, service, method, *args, http=None, timeout=300):
        """Call the /jsonrpc endpoint; return (result, error)."""
        payload = {"jsonrpc": "2.0", "method": "call", "params": {"service": service, "method": method, "args": args}}
        resp = (http or requests).post(self.url + "/jsonrpc", json=payload, timeout=timeout)
        body = resp.json()
        return body.get("result"), body.get("error")
