"""A throwaway PostgreSQL server for tests and local runs. Standard library only.

As root the server runs as the `postgres` user (PostgreSQL refuses to run as root): the
folder it lives in is chowned to that user and every PostgreSQL program is started with
subprocess's user=/group= (the same as `runuser -u postgres --`). As any other user it runs
as that user.

Layout of the folder D (created here; must not exist, or be empty):
    D/pgserver.json   what `stop` needs (bin dir, port, pid): its presence marks D as ours
    D/data/           the cluster (initdb: trust auth for local and 127.0.0.1, UTF8, locale C)
    D/s/              the unix socket directory
    D/postgres.log    the server's log

CLI:
    python pgserver.py start --dir D [--port P] [--dbname xz] [--xz]
        prints one line, the libpq connection string
        (with --xz: prefixed `postgres:`, the form --db / XZ_DB takes)
    python pgserver.py stop --dir D       stops the server and removes D
    python pgserver.py status --dir D     prints the connection string, exit 1 when not running

Python:
    with PgServer(dbname="xz") as pg:      # temp folder, free port
        pg.conninfo   # 'host=127.0.0.1 port=54xx dbname=xz user=postgres'
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

STATE = "pgserver.json"
PG_USER = "postgres"
# libpq / server variables that would redirect initdb, pg_ctl or pg_isready elsewhere
_PG_ENV = re.compile(r"^PG[A-Z_]*$")


class PgServerError(RuntimeError):
    pass


def find_bindir() -> str:
    """$PG_BINDIR, else `pg_config --bindir` (when it holds pg_ctl), else the newest
    /usr/lib/postgresql/N/bin (Debian), else the folder of a pg_ctl on PATH."""
    cands = []
    if os.environ.get("PG_BINDIR"):
        cands.append(os.environ["PG_BINDIR"])
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], check=False, capture_output=True, text=True, timeout=10
            )
            if out.returncode == 0:
                cands.append(out.stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass

    def version(path):
        m = re.search(r"/postgresql/(\d+)(?:\.(\d+))?/bin$", path)
        return (int(m.group(1)), int(m.group(2) or 0)) if m else (0, 0)

    cands += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl:
        cands.append(os.path.dirname(os.path.realpath(pg_ctl)))
    for d in cands:
        if all(os.access(os.path.join(d, p), os.X_OK) for p in ("initdb", "pg_ctl", "postgres")):
            return d
    raise PgServerError(
        "no PostgreSQL server binaries found (set PG_BINDIR, or apt-get install postgresql)"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(
            socket.SOL_SOCKET, socket.SO_REUSEADDR, 1
        )  # as the postmaster binds: TIME_WAIT is no clash
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _as_root() -> bool:
    return os.geteuid() == 0


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if not _PG_ENV.match(k)}
    env.update(LC_ALL="C", LANG="C", TZ=os.environ.get("TZ", "UTC"))
    if _as_root():
        pw = pwd.getpwnam(PG_USER)
        env.update(HOME=pw.pw_dir, USER=PG_USER, LOGNAME=PG_USER)
    return env


def _run(cmd, *, cwd, timeout=120, check=True):
    """Run a PostgreSQL program, as `postgres` when we are root."""
    kw = {}
    if _as_root():
        kw = {"user": PG_USER, "group": pwd.getpwnam(PG_USER).pw_gid, "extra_groups": []}
    proc = subprocess.run(
        cmd,
        cwd=cwd,
        env=_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        **kw,
    )
    if check and proc.returncode != 0:
        raise PgServerError(
            f"{' '.join(map(str, cmd))} exited {proc.returncode}:\n{proc.stdout}{proc.stderr}"
        )
    return proc


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie (our own child) counts as gone
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class PgServer:
    def __init__(
        self,
        base_dir: str | None = None,
        port: int | None = None,
        dbname: str = "xz",
        timeout: float = 60,
    ):
        self.base_dir = os.path.abspath(base_dir) if base_dir else None
        self.port = port
        self.dbname = dbname
        self.timeout = timeout
        self.bindir = None
        self.pid = None
        self._made_dir = False

    # paths
    @property
    def data_dir(self):
        return os.path.join(self.base_dir, "data")

    @property
    def sock_dir(self):
        return os.path.join(self.base_dir, "s")

    @property
    def log_file(self):
        return os.path.join(self.base_dir, "postgres.log")

    @property
    def conninfo(self) -> str:
        return f"host=127.0.0.1 port={self.port} dbname={self.dbname} user={PG_USER}"

    def _bin(self, name):
        return os.path.join(self.bindir, name)

    def _log_tail(self, n=30):
        try:
            with open(self.log_file, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return "(no log)"

    # start
    def start(self) -> PgServer:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _prepare_dir(self):
        if self.base_dir is None:
            self.base_dir = tempfile.mkdtemp(prefix="pgserver-")
        elif os.path.exists(self.base_dir):
            if os.listdir(self.base_dir):
                raise PgServerError(f"{self.base_dir} exists and is not empty")
        else:
            os.makedirs(self.base_dir)
        self._made_dir = True
        os.chmod(self.base_dir, 0o700)
        if len(os.path.join(self.sock_dir, ".s.PGSQL.65535")) > 100:
            raise PgServerError(f"{self.base_dir} is too long a path for a unix socket directory")
        os.mkdir(self.sock_dir, 0o700)
        open(self.log_file, "a").close()
        if _as_root():
            pw = pwd.getpwnam(PG_USER)
            for p in (self.base_dir, self.sock_dir, self.log_file):
                os.chown(p, pw.pw_uid, pw.pw_gid)
            # every folder above must let postgres through
            probe = _run(
                ["test", "-w", self.base_dir, "-a", "-x", self.base_dir], cwd="/", check=False
            )
            if probe.returncode != 0:
                raise PgServerError(
                    f"user {PG_USER} cannot reach {self.base_dir}: a folder above it is closed"
                )
        self._save()  # from now on `stop --dir` can clean up even a half-made server

    def _start(self):
        self.bindir = find_bindir()
        self._prepare_dir()
        _run(
            [
                self._bin("initdb"),
                "-D", self.data_dir,
                "-U", PG_USER,
                "--auth=trust",  # local, host 127.0.0.1/32 and ::1/128 lines of pg_hba.conf
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
                "--no-instructions",
            ],
            cwd=self.base_dir,
            timeout=self.timeout,
        )  # fmt: skip
        fixed_port = self.port is not None
        if fixed_port and not port_free(self.port):
            raise PgServerError(f"port {self.port} on 127.0.0.1 is taken")
        for _attempt in range(1 if fixed_port else 5):
            if not fixed_port:
                self.port = free_port()
            if self._pg_ctl_start():
                break
            log = self._log_tail()
            if fixed_port or "Address already in use" not in log:
                raise PgServerError(f"PostgreSQL did not start on port {self.port}:\n{log}")
        else:
            raise PgServerError(f"PostgreSQL found no free port:\n{self._log_tail()}")
        self._wait_ready()
        self.pid = self._postmaster_pid()
        self._save()
        if self.dbname != "postgres":
            _run(
                [
                    self._bin("createdb"),
                    "-h",
                    self.sock_dir,
                    "-p",
                    str(self.port),
                    "-U",
                    PG_USER,
                    self.dbname,
                ],
                cwd=self.base_dir,
                timeout=self.timeout,
            )

    def _pg_ctl_start(self) -> bool:
        open(self.log_file, "w").close()  # a failed try's FATAL must not end the next try's wait
        opts = " ".join(
            [
                f"-p {self.port}",
                "-c listen_addresses=127.0.0.1",
                f"-c unix_socket_directories='{self.sock_dir}'",
                "-c fsync=off",  # throwaway data: no need to survive a power cut
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=100",
            ]
        )
        # -W: pg_ctl does not wait; readiness is polled below
        proc = _run(
            [
                self._bin("pg_ctl"),
                "-D",
                self.data_dir,
                "-l",
                self.log_file,
                "-o",
                opts,
                "-W",
                "start",
            ],
            cwd=self.base_dir,
            timeout=self.timeout,
            check=False,
        )
        if proc.returncode != 0:
            return False
        # poll until the server accepts connections, or the postmaster is gone
        deadline = time.monotonic() + self.timeout
        delay = 0.02
        while time.monotonic() < deadline:
            # through our own socket folder: over TCP another server on a taken port could answer
            rc = _run(
                [self._bin("pg_isready"), "-q", "-h", self.sock_dir, "-p", str(self.port),
                 "-U", PG_USER, "-d", "postgres", "-t", "2"],
                cwd=self.base_dir,
                check=False,
            ).returncode  # fmt: skip
            if rc == 0:
                return True
            pid = self._postmaster_pid()
            if (pid is None and self._startup_failed()) or (pid and not _pid_alive(pid)):
                return False
            time.sleep(delay)
            delay = min(delay * 1.5, 0.25)
        raise PgServerError(f"PostgreSQL not ready after {self.timeout}s:\n{self._log_tail()}")

    def _startup_failed(self) -> bool:
        # the postmaster has written its failure (e.g. port taken) and left no pid file
        tail = self._log_tail()
        return "FATAL" in tail or "database system is shut down" in tail

    def _wait_ready(self):
        # the server is up on its socket; now it must answer on 127.0.0.1 as well
        _run(
            [
                self._bin("pg_isready"),
                "-q",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-t",
                str(int(self.timeout)),
            ],
            cwd=self.base_dir,
            timeout=self.timeout + 5,
        )

    def _postmaster_pid(self):
        try:
            with open(os.path.join(self.data_dir, "postmaster.pid")) as f:
                return int(f.readline().strip())
        except (OSError, ValueError):
            return None

    def _save(self):
        with open(os.path.join(self.base_dir, STATE), "w") as f:
            json.dump(
                {
                    "bindir": self.bindir,
                    "port": self.port,
                    "dbname": self.dbname,
                    "pid": self.pid,
                    "pgserver": 1,
                },
                f,
            )

    @classmethod
    def load(cls, base_dir: str) -> PgServer:
        base_dir = os.path.abspath(base_dir)
        with open(os.path.join(base_dir, STATE)) as f:
            st = json.load(f)
        srv = cls(base_dir, st["port"], st["dbname"])
        srv.bindir = st["bindir"] or find_bindir()
        srv.pid = st["pid"]
        srv._made_dir = True
        return srv

    def pause(self) -> None:
        """Shut the server down (fast: its clients are cut off), keeping its data."""
        _run([self._bin("pg_ctl"), "-D", self.data_dir, "-m", "fast", "-w", "stop"],
             cwd=self.base_dir, timeout=self.timeout)  # fmt: skip

    def resume(self) -> None:
        """Start a paused server again on its port and wait until it answers."""
        if not self._pg_ctl_start():
            raise PgServerError(f"PostgreSQL did not start again:\n{self._log_tail()}")
        self._wait_ready()
        self.pid = self._postmaster_pid()
        self._save()

    # stop
    def running(self) -> bool:
        pid = self._postmaster_pid() or self.pid
        return bool(pid) and _pid_alive(pid)

    def stop(self, remove: bool = True):
        """Stop the server (fast, then immediate, then SIGKILL) and remove the folder."""
        try:
            if self._made_dir and self.bindir and os.path.isdir(self.data_dir):
                pid = self._postmaster_pid() or self.pid
                for mode in ("fast", "immediate"):
                    if not (pid and _pid_alive(pid)):
                        break
                    _run(
                        [
                            self._bin("pg_ctl"),
                            "-D",
                            self.data_dir,
                            "-m",
                            mode,
                            "-w",
                            "-t",
                            "30",
                            "stop",
                        ],
                        cwd=self.base_dir,
                        timeout=40,
                        check=False,
                    )
                if pid and _pid_alive(pid):
                    os.kill(pid, signal.SIGKILL)
                    deadline = time.monotonic() + 10
                    while _pid_alive(pid) and time.monotonic() < deadline:
                        time.sleep(0.05)
        finally:
            if remove and self._made_dir and self.base_dir and os.path.isdir(self.base_dir):
                shutil.rmtree(self.base_dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main(argv=None):
    ap = argparse.ArgumentParser(description="Start or stop a throwaway PostgreSQL server.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    st = sub.add_parser("start")
    st.add_argument(
        "--dir", required=True, help="folder for the cluster; created; must not exist or be empty"
    )
    st.add_argument("--port", type=int, help="TCP port on 127.0.0.1 (default: a free one)")
    st.add_argument("--dbname", default="xz")
    st.add_argument(
        "--xz", action="store_true", help="print as --db/XZ_DB takes it: postgres:<libpq string>"
    )
    st.add_argument("--timeout", type=float, default=60)
    for name in ("stop", "status"):
        sub.add_parser(name).add_argument("--dir", required=True)
    a = ap.parse_args(argv)
    try:
        if a.cmd == "start":
            srv = PgServer(a.dir, a.port, a.dbname, a.timeout).start()
            print(("postgres:" if a.xz else "") + srv.conninfo)
            return 0
        state = os.path.join(a.dir, STATE)
        if not os.path.exists(state):
            print(f"pgserver: no server in {a.dir} ({STATE} missing)", file=sys.stderr)
            return 1
        srv = PgServer.load(a.dir)
        if a.cmd == "status":
            up = srv.running()
            print(srv.conninfo if up else "not running")
            return 0 if up else 1
        srv.stop()
        return 0
    except PgServerError as e:
        print(f"pgserver: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
