#!/usr/bin/env python3
"""The ltops lab: real local peers for tests and demos.

    lab.py up   --dir DIR [--owner-pid PID] [--venv PATH] [--no-aws] [--no-db]
    lab.py down --dir DIR
    lab.py psql --dir DIR [psql args...]

`up` brings up, each on 127.0.0.1 on a free port: a throw-away PostgreSQL
cluster with the reference platform loaded into the template database
`platform_template`, moto in server mode (seeded by seed_moto.py), and the SSO
fake. It writes DIR/lab.json and DIR/lab.env and prints the path of lab.json
on stdout once everything is ready; progress goes to stderr.

Every process the lab starts runs in its own session, so a Ctrl-C in the
terminal cannot kill it half-way: `down` (or the watchdog left behind by
`up --owner-pid`, once that process is gone) is the only way they go.

Exit codes: 0 ok, 2 usage, 3 the lab could not be brought up (everything
started so far has been torn down again), 130 interrupted.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
FIXTURES = REPO / "tests" / "fixtures"

PG_SUPERUSER = "postgres"
PG_PASSWORD = "lab-secret"
TEMPLATE_DB = "platform_template"
OPERATOR_USER = "ltops_operator"
OPERATOR_PASSWORD = "lab-operator"
DEFAULT_REGION = "eu-central-1"  # TOM: processing only within the EEA
DEFAULT_ACCOUNT = "123456789012"  # moto's default account
DEFAULT_START_URL = "https://leadtributor.awsapps.com/start"

EXIT_USAGE = 2
EXIT_FAILED = 3
EXIT_INTERRUPTED = 130

HINT_PG = ("install the PostgreSQL server with `apt-get install postgresql` "
           "(or run scripts/test), or point LTOPS_PG_BIN at a directory holding initdb and postgres")
HINT_VENV = ("scripts/test creates .venv with `pip install 'moto[server]'`; "
             "or pass --venv PATH, or --no-aws to run without AWS")

T0 = time.monotonic()


class LabError(Exception):
    """A failure that is reported as one clear message (exit 3)."""


class Interrupted(BaseException):
    pass


def log(msg: str) -> None:
    sys.stderr.write(f"[lab {time.monotonic() - T0:6.2f}s] {msg}\n")
    sys.stderr.flush()


# ---------------------------------------------------------------------------
# processes

def proc_stat(pid: int):
    """(state, ppid, session, starttime) of pid from /proc, or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read().decode("ascii", "replace")
    except (FileNotFoundError, ProcessLookupError, PermissionError, OSError):
        return None
    rest = data[data.rfind(")") + 2:].split()
    # fields after comm: state(3) ppid(4) pgrp(5) session(6) ... starttime(22)
    return rest[0], int(rest[1]), int(rest[3]), int(rest[19])


def proc_start(pid: int):
    st = proc_stat(pid)
    return st[3] if st else None


def alive(pid: int, start) -> bool:
    """True while pid exists, is not a zombie, and is the same process (start time)."""
    st = proc_stat(pid)
    if st is None or st[0] in ("Z", "X"):
        return False
    return start is None or st[3] == start


def all_procs():
    out = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = proc_stat(int(entry))
            if st and st[0] not in ("Z", "X"):
                out[int(entry)] = st
    return out


def family(pid: int, start: int):
    """{pid: starttime} of pid's session and all its descendants, started no earlier
    than pid itself (guards against pid reuse). Postgres backends call setsid()
    themselves, so the session alone does not find them; once the postmaster is
    gone they are re-parented, so take this snapshot before signalling."""
    procs = all_procs()
    found = {p: st[3] for p, st in procs.items() if st[2] == pid and st[3] >= start}
    if pid in procs and procs[pid][3] == start:
        found[pid] = start
    changed = True
    while changed:
        changed = False
        for p, st in procs.items():
            if p not in found and st[1] in found and st[3] >= start:
                found[p] = st[3]
                changed = True
    return found


def signal_pid(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


# ---------------------------------------------------------------------------
# state: DIR/state.json lists every long-lived process, updated as they start,
# so `down` can clean up a half-started lab too.

class State:
    def __init__(self, lab_dir: Path):
        self.path = lab_dir / "state.json"
        self.lock = threading.RLock()
        self.data = {"dir": str(lab_dir), "procs": {}, "extra_dirs": []}
        self.aborting = False
        self.popens: dict[str, subprocess.Popen] = {}
        self.transient: set[subprocess.Popen] = set()

    def save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=2))
        os.replace(tmp, self.path)

    def add_proc(self, name: str, popen: subprocess.Popen, kind: str) -> None:
        with self.lock:
            start = proc_start(popen.pid)
            self.data["procs"][name] = {"pid": popen.pid, "start": start, "kind": kind}
            self.popens[name] = popen
            self.save()
            if self.aborting:
                raise Interrupted()

    def add_extra_dir(self, path: str) -> None:
        with self.lock:
            self.data["extra_dirs"].append(path)
            self.save()


def read_state(lab_dir: Path):
    try:
        return json.loads((lab_dir / "state.json").read_text())
    except (FileNotFoundError, ValueError, OSError):
        return None


def spawn(state: State, name: str, kind: str, argv, *, log_path: Path, env=None, cwd=None,
          run_as=None) -> subprocess.Popen:
    """Start a long-lived process in its own session, stdout+stderr to log_path."""
    with state.lock:
        if state.aborting:
            raise Interrupted()
        with open(log_path, "ab") as out:
            kwargs = dict(stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                          env=env, cwd=cwd, start_new_session=True, close_fds=True)
            if run_as is not None:
                kwargs.update(user=run_as[0], group=run_as[1], extra_groups=[])
            try:
                p = subprocess.Popen([str(a) for a in argv], **kwargs)
            except OSError as e:
                raise LabError(f"cannot start {argv[0]}: {e}") from e
        state.add_proc(name, p, kind)
    return p


def run(state: State, argv, *, what: str, log_path: Path, env=None, cwd=None, run_as=None,
        capture=False, timeout=300) -> str:
    """Run a short-lived helper in its own session; raise LabError with the log tail on failure."""
    with state.lock:
        if state.aborting:
            raise Interrupted()
        out = open(log_path, "ab")
        kwargs = dict(stdin=subprocess.DEVNULL, stdout=subprocess.PIPE if capture else out,
                      stderr=out, env=env, cwd=cwd, start_new_session=True, close_fds=True)
        if run_as is not None:
            kwargs.update(user=run_as[0], group=run_as[1], extra_groups=[])
        try:
            p = subprocess.Popen([str(a) for a in argv], **kwargs)
        except OSError as e:
            out.close()
            raise LabError(f"{what}: cannot start {argv[0]}: {e}") from e
        state.transient.add(p)
    try:
        stdout, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        raise LabError(f"{what}: timed out after {timeout}s; see {log_path}")
    finally:
        out.close()
        with state.lock:
            state.transient.discard(p)
    if state.aborting:
        raise Interrupted()
    if p.returncode != 0:
        raise LabError(f"{what} failed (exit {p.returncode}):\n{tail(log_path)}")
    return stdout.decode() if capture else ""


def tail(path: Path, n: int = 15) -> str:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return f"  (no log at {path})"
    return "\n".join("  | " + l for l in lines[-n:]) + f"\n  (full log: {path})"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------
# PostgreSQL

def find_pg_bin() -> Path:
    def usable(d) -> bool:
        return bool(d) and os.access(os.path.join(d, "initdb"), os.X_OK) \
            and os.access(os.path.join(d, "postgres"), os.X_OK)

    env = os.environ.get("LTOPS_PG_BIN")
    if env:
        if not usable(env):
            raise LabError(f"LTOPS_PG_BIN={env} holds no initdb/postgres; {HINT_PG}")
        return Path(env)
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            d = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True,
                               timeout=10).stdout.strip()
            if usable(d):
                return Path(d)
        except (OSError, subprocess.SubprocessError):
            pass

    def version_key(d):
        m = re.search(r"/postgresql/([0-9.]+)/bin$", d)
        return [int(x) for x in m.group(1).split(".") if x] if m else [0]

    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version_key, reverse=True):
        if usable(d):
            return Path(d)
    initdb = shutil.which("initdb")
    if initdb and usable(os.path.dirname(initdb)):
        return Path(os.path.dirname(initdb))
    raise LabError(f"PostgreSQL server binaries (initdb, postgres) not found: {HINT_PG}")


def pg_major(bin_dir: Path) -> int:
    try:
        out = subprocess.run([str(bin_dir / "postgres"), "--version"], capture_output=True,
                             text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError) as e:
        raise LabError(f"cannot run {bin_dir}/postgres: {e}; {HINT_PG}") from e
    m = re.search(r"(\d+)(?:\.\d+)?", out)
    if not m:
        raise LabError(f"cannot tell the version of {bin_dir}/postgres ({out.strip()!r})")
    return int(m.group(1))


def server_identity():
    """(uid, gid) to run the server as: postgres refuses to run as root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pw = pwd.getpwnam(name)
            return pw.pw_uid, pw.pw_gid
        except KeyError:
            continue
    raise LabError("running as root, and there is no `postgres` or `nobody` user to run the "
                   "PostgreSQL server as (it refuses to run as root)")


def can_traverse(path: Path, uid: int, gid: int) -> bool:
    """Whether uid/gid can reach path (x permission on it and every ancestor)."""
    p = path.resolve()
    for d in [p, *p.parents]:
        try:
            st = os.stat(d)
        except OSError:
            return False
        if st.st_uid == uid:
            ok = st.st_mode & stat.S_IXUSR
        elif st.st_gid == gid:
            ok = st.st_mode & stat.S_IXGRP
        else:
            ok = st.st_mode & stat.S_IXOTH
        if not ok:
            return False
    return True


def pg_env() -> dict:
    """The environment for psql: no stray PG* settings of the caller."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["PGPASSWORD"] = PG_PASSWORD
    env["PGCONNECT_TIMEOUT"] = "10"
    return env


def start_postgres(state: State, lab_dir: Path, bin_dir: Path, info: dict) -> None:
    ident = server_identity()
    pg_root = lab_dir / "pg"
    if ident is not None:
        lab_dir.chmod(lab_dir.stat().st_mode | 0o111)
        if not can_traverse(lab_dir, *ident):
            # DIR sits below a directory the server user cannot enter (say a 0700
            # temp dir of the test); keep the cluster in a directory of its own.
            base = "/tmp" if can_traverse(Path("/tmp"), *ident) else None
            pg_root = Path(tempfile.mkdtemp(prefix="ltops-lab-pg-", dir=base))
            state.add_extra_dir(str(pg_root))
            os.chmod(pg_root, 0o755)
            if not can_traverse(pg_root, *ident):
                raise LabError(f"the PostgreSQL server user (uid {ident[0]}) cannot reach "
                               f"{lab_dir} nor {pg_root}")
    pg_root.mkdir(exist_ok=True)
    data_dir = pg_root / "data"
    sock_dir = pg_root / "sock"
    sock_dir.mkdir(exist_ok=True)
    pwfile = pg_root / "pwfile"
    pwfile.write_text(PG_PASSWORD + "\n")
    if ident is not None:
        for p in (pg_root, sock_dir, pwfile):
            os.chown(p, *ident)
    pwfile.chmod(0o600)

    initdb_log = lab_dir / "initdb.log"
    run(state, [bin_dir / "initdb", "-D", data_dir, "-U", PG_SUPERUSER,
                "--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={pwfile}",
                "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions"],
        what="initdb", log_path=initdb_log, run_as=ident, cwd=pg_root,
        env={k: v for k, v in os.environ.items() if not k.startswith("PG")})
    pwfile.unlink()
    log("postgres: initdb done")

    pg_log = lab_dir / "postgres.log"
    for attempt in range(5):
        port = free_port()
        p = spawn(state, "postgres", "postgres",
                  [bin_dir / "postgres", "-D", data_dir, "-p", port, "-k", sock_dir,
                   "-c", "listen_addresses=127.0.0.1",
                   "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                   "-c", "max_connections=200", "-c", "timezone=UTC", "-c", "lc_messages=C",
                   "-c", "jit=off"],
                  log_path=pg_log, run_as=ident, cwd=pg_root,
                  env={k: v for k, v in os.environ.items() if not k.startswith("PG")})
        if wait_postgres_ready(state, p, data_dir, pg_log):
            break
        if "could not bind" not in pg_log.read_text(errors="replace") or attempt == 4:
            raise LabError(f"postgres did not start:\n{tail(pg_log)}")
        log(f"postgres: port {port} taken, retrying")
    log(f"postgres: ready on 127.0.0.1:{port}")
    info.update(host="127.0.0.1", port=port, user=PG_SUPERUSER, password=PG_PASSWORD,
                socket_dir=str(sock_dir), bin_dir=str(bin_dir), data_dir=str(data_dir),
                log=str(pg_log), template_db=TEMPLATE_DB,
                operator_user=OPERATOR_USER, operator_password=OPERATOR_PASSWORD)


def wait_postgres_ready(state: State, p: subprocess.Popen, data_dir: Path, pg_log: Path,
                        timeout: float = 60) -> bool:
    """Wait for the postmaster to report 'ready' in postmaster.pid; False if it exited."""
    deadline = time.monotonic() + timeout
    pidfile = data_dir / "postmaster.pid"
    while time.monotonic() < deadline:
        if state.aborting:
            raise Interrupted()
        if p.poll() is not None:
            return False
        try:
            lines = pidfile.read_text().splitlines()
            if len(lines) >= 8 and lines[7].strip() == "ready":
                return True
        except (FileNotFoundError, OSError):
            pass
        time.sleep(0.02)
    raise LabError(f"postgres not ready after {timeout:.0f}s:\n{tail(pg_log)}")


def psql_argv(info: dict, db: str):
    return [Path(info["bin_dir"]) / "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
            "-h", info["socket_dir"], "-p", str(info["port"]), "-U", PG_SUPERUSER, "-d", db]


def load_template(state: State, lab_dir: Path, info: dict, timings: dict) -> None:
    t = time.monotonic()
    psql_log = lab_dir / "psql.log"
    run(state, psql_argv(info, "postgres") + ["-c", f"CREATE DATABASE {TEMPLATE_DB}"],
        what="create template database", log_path=psql_log, env=pg_env())
    # One transaction: either the whole reference platform is there or nothing.
    run(state, psql_argv(info, TEMPLATE_DB) + ["-1", "-f", FIXTURES / "platform.sql",
                                               "-f", FIXTURES / "seed.sql"],
        what="load tests/fixtures/platform.sql + seed.sql", log_path=psql_log, env=pg_env())
    timings["schema_and_seed"] = round(time.monotonic() - t, 2)
    t_vacuum = time.monotonic()
    # Frozen, analysed pages: copies start without hint-bit writes or autovacuum work.
    run(state, psql_argv(info, TEMPLATE_DB) + ["-c", "VACUUM (FREEZE, ANALYZE)"],
        what="vacuum template", log_path=psql_log, env=pg_env())
    timings["vacuum"] = round(time.monotonic() - t_vacuum, 2)
    # No connections to the template: one stray session would make every
    # CREATE DATABASE ... TEMPLATE fail ("being accessed by other users").
    run(state, psql_argv(info, "postgres") + [
        "-c", f"ALTER DATABASE {TEMPLATE_DB} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"],
        what="mark template", log_path=psql_log, env=pg_env())
    timings["load_template"] = round(time.monotonic() - t, 2)
    log(f"postgres: {TEMPLATE_DB} loaded and marked as template")


# ---------------------------------------------------------------------------
# AWS side: moto + SSO fake

def check_venv(venv: Path) -> None:
    missing = [str(venv / "bin" / n) for n in ("python", "moto_server")
               if not os.access(venv / "bin" / n, os.X_OK)]
    if missing:
        raise LabError(f"moto is not installed (missing {', '.join(missing)}): {HINT_VENV}")
    for f in ("seed_moto.py", "sso_fake.py", "sso_directory.json"):
        if not (HERE / f).exists():
            raise LabError(f"{HERE / f} is missing (part of the lab); or pass --no-aws")


def aws_env() -> dict:
    """For seed_moto.py: dummy credentials so nothing could ever reach real AWS."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and not k.startswith("PG")}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_REGION=DEFAULT_REGION, AWS_DEFAULT_REGION=DEFAULT_REGION,
               AWS_EC2_METADATA_DISABLED="true", PYTHONUNBUFFERED="1")
    return env


def wait_http(state: State, p: subprocess.Popen, url: str, what: str, log_path: Path,
              timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if state.aborting:
            raise Interrupted()
        if p.poll() is not None:
            raise LabError(f"{what} exited (code {p.returncode}) before it was ready:\n{tail(log_path)}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return  # any HTTP answer means it is serving
        except (urllib.error.URLError, OSError):
            time.sleep(0.05)
    raise LabError(f"{what} not ready after {timeout:.0f}s:\n{tail(log_path)}")


def start_moto(state: State, lab_dir: Path, venv: Path, info: dict) -> None:
    env = aws_env()
    env["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    log_path = lab_dir / "moto.log"
    for attempt in range(3):
        port = free_port()
        p = spawn(state, "moto", "moto", [venv / "bin" / "moto_server", "-H", "127.0.0.1", "-p", port],
                  log_path=log_path, env=env, cwd=lab_dir)
        try:
            wait_http(state, p, f"http://127.0.0.1:{port}/moto-api/", "moto_server", log_path)
            break
        except LabError:
            text = log_path.read_text(errors="replace")
            if "in use" not in text or attempt == 2:
                raise
            log(f"moto: port {port} taken, retrying")
    info["endpoint"] = f"http://127.0.0.1:{port}"
    log(f"moto: ready on {info['endpoint']}")


def seed_moto(state: State, lab_dir: Path, venv: Path, endpoint: str) -> dict:
    out = run(state, [venv / "bin" / "python", HERE / "seed_moto.py", "--endpoint", endpoint],
              what="tests/lab/seed_moto.py", log_path=lab_dir / "seed_moto.log", env=aws_env(),
              cwd=REPO, capture=True, timeout=300)
    try:
        seed = json.loads(out)
    except ValueError:
        lines = [l for l in out.splitlines() if l.strip()]
        try:
            seed = json.loads(lines[-1]) if lines else None
        except ValueError:
            seed = None
    if seed is None:
        raise LabError(f"tests/lab/seed_moto.py printed no JSON:\n{out[-2000:]}")
    log("moto: seeded")
    return seed


def start_sso(state: State, lab_dir: Path, venv: Path, moto_endpoint: str, info: dict) -> None:
    out_path = lab_dir / "sso.out"
    log_path = lab_dir / "sso.log"
    directory = HERE / "sso_directory.json"
    env = aws_env()
    with state.lock:
        if state.aborting:
            raise Interrupted()
        with open(out_path, "wb") as out, open(log_path, "ab") as err:
            try:
                p = subprocess.Popen(
                    [str(venv / "bin" / "python"), str(HERE / "sso_fake.py"), "--host", "127.0.0.1",
                     "--port", "0", "--moto-endpoint", moto_endpoint, "--directory", str(directory)],
                    stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env, cwd=REPO,
                    start_new_session=True, close_fds=True)
            except OSError as e:
                raise LabError(f"cannot start sso_fake.py: {e}") from e
        state.add_proc("sso", p, "sso")
    deadline = time.monotonic() + 30
    endpoint = None
    while endpoint is None:
        if state.aborting:
            raise Interrupted()
        for line in out_path.read_text(errors="replace").splitlines():
            try:
                endpoint = json.loads(line).get("endpoint")
                if endpoint:
                    break
            except (ValueError, AttributeError):
                continue
        if endpoint:
            break
        if p.poll() is not None:
            raise LabError(f"sso_fake.py exited (code {p.returncode}) before it was ready:\n{tail(log_path)}")
        if time.monotonic() > deadline:
            raise LabError(f"sso_fake.py printed no endpoint within 30s:\n{tail(log_path)}")
        time.sleep(0.05)
    try:
        d = json.loads(directory.read_text())
    except (OSError, ValueError):
        d = {}
    d = d if isinstance(d, dict) else {}
    info.update(endpoint=endpoint, start_url=d.get("start_url", DEFAULT_START_URL),
                region=d.get("region", d.get("sso_region", DEFAULT_REGION)),
                directory=str(directory))
    log(f"sso: ready on {endpoint}")


# ---------------------------------------------------------------------------
# teardown

def teardown(lab_dir: Path, *, state: State | None = None, quiet=False, me: int | None = None) -> None:
    """Stop everything recorded for lab_dir and remove it. Idempotent, never raises."""
    me = os.getpid() if me is None else me
    if state is not None:
        with state.lock:
            state.aborting = True
            data = json.loads(json.dumps(state.data))
            for p in list(state.transient):
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
    else:
        data = read_state(lab_dir)
    procs = {}
    if data:
        procs = {n: p for n, p in data.get("procs", {}).items()
                 if p.get("pid") != me and alive(p["pid"], p.get("start"))}
    leftovers = {}
    for p in procs.values():
        if p.get("start") is not None:
            leftovers.update(family(p["pid"], p["start"]))
    leftovers.pop(me, None)
    up = procs.pop("up", None)
    if up:
        # still in progress (its owner died while it ran): stop it first, so it
        # starts nothing new; its helpers (initdb, psql, seeding) are in leftovers
        signal_pid(up["pid"], signal.SIGKILL)
    for name, p in procs.items():
        if not quiet:
            log(f"down: stopping {name} (pid {p['pid']})")
        # postgres: SIGINT is "fast shutdown"; the others get SIGTERM.
        signal_pid(p["pid"], signal.SIGINT if p.get("kind") == "postgres" else signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(p["pid"], p.get("start")) for p in procs.values()):
        if state is not None:
            for pp in state.popens.values():
                pp.poll()  # reap our own children so they do not linger as zombies
        time.sleep(0.05)
    # Whatever is left, and anything they started (postgres backends, workers):
    # SIGKILL, then wait until it is really gone.
    for name, p in procs.items():
        if p.get("start") is not None:
            leftovers.update(family(p["pid"], p["start"]))
    leftovers.pop(me, None)
    for pid, start in leftovers.items():
        if alive(pid, start):
            signal_pid(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(alive(p, s) for p, s in leftovers.items()):
        if state is not None:
            for pp in state.popens.values():
                pp.poll()
        time.sleep(0.02)
    if state is not None:
        for pp in state.popens.values():
            try:
                pp.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
    for d in (data or {}).get("extra_dirs", []):
        shutil.rmtree(d, ignore_errors=True)
    shutil.rmtree(lab_dir, ignore_errors=True)


# ---------------------------------------------------------------------------
# commands

def cmd_up(args) -> int:
    lab_dir = Path(args.dir).resolve()
    venv = Path(args.venv).resolve() if args.venv else REPO / ".venv"
    want_db, want_aws = not args.no_db, not args.no_aws

    owner_start = None
    if args.owner_pid is not None:
        owner_start = proc_start(args.owner_pid)
        if owner_start is None or not alive(args.owner_pid, owner_start):
            log(f"error: --owner-pid {args.owner_pid}: no such process")
            return EXIT_USAGE

    old = read_state(lab_dir)
    if old and any(alive(p["pid"], p.get("start")) for p in old.get("procs", {}).values()):
        log(f"error: a lab is already running in {lab_dir}; run `lab.py down --dir {lab_dir}` first")
        return EXIT_FAILED
    if old:
        teardown(lab_dir, quiet=True)  # remains of a dead lab: a stale lab.json must not linger
    lab_dir.mkdir(parents=True, exist_ok=True)
    state = State(lab_dir)
    state.data["procs"]["up"] = {"pid": os.getpid(), "start": proc_start(os.getpid()), "kind": "up"}
    state.save()

    def on_signal(signum, _frame):
        raise Interrupted()

    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)

    errors: list[BaseException] = []
    pg, moto, sso, seed, timings = {}, {}, {}, None, {}

    def guarded(fn):
        def body():
            try:
                fn()
            except BaseException as e:  # reported by the main thread
                errors.append(e)
        t = threading.Thread(target=body, daemon=True)
        t.start()
        return t

    def db_chain():
        t = time.monotonic()
        bin_dir = find_pg_bin()
        major = pg_major(bin_dir)
        if major < 15:
            raise LabError(f"{bin_dir}/postgres is version {major}; the lab needs PostgreSQL >= 15: {HINT_PG}")
        start_postgres(state, lab_dir, bin_dir, pg)
        timings["postgres_ready"] = round(time.monotonic() - t, 2)
        load_template(state, lab_dir, pg, timings)

    def aws_chain():
        nonlocal seed
        t = time.monotonic()
        start_moto(state, lab_dir, venv, moto)
        timings["moto_ready"] = round(time.monotonic() - t, 2)
        # The fake only talks to moto when asked for role credentials, so it can
        # come up while moto is being seeded.
        th = guarded(lambda: start_sso(state, lab_dir, venv, moto["endpoint"], sso))
        seed = seed_moto(state, lab_dir, venv, moto["endpoint"])
        timings["moto_seeded"] = round(time.monotonic() - t, 2)
        th.join()

    try:
        if args.owner_pid is not None:
            start_watchdog(state, lab_dir, args.owner_pid, owner_start)
        if want_aws:
            check_venv(venv)  # fail before starting anything slow
        threads = []
        if want_db:
            threads.append(guarded(db_chain))
        if want_aws:
            threads.append(guarded(aws_chain))
        while any(t.is_alive() for t in threads) and not errors:
            time.sleep(0.02)
        if errors:
            raise errors[0]

        region = DEFAULT_REGION
        account = DEFAULT_ACCOUNT
        if isinstance(seed, dict):
            account = str(seed.get("account_id", account))
            region = seed.get("region", region)
        timings["total"] = round(time.monotonic() - T0, 2)
        doc = {
            "dir": str(lab_dir),
            "pids": {n: p["pid"] for n, p in state.data["procs"].items() if n != "up"},
            "postgres": pg or None,
            "moto": moto or None,
            "sso": sso or None,
            "aws": {"account_id": account, "region": region} if want_aws else None,
            "seed": seed,
            "timings_s": timings,
        }
        write_outputs(lab_dir, doc)
        with state.lock:
            del state.data["procs"]["up"]
            state.save()
        log(f"ready in {timings['total']:.2f}s")
        print(lab_dir / "lab.json", flush=True)
        return 0
    except Interrupted:
        quiet_signals()
        log("interrupted: tearing the lab down")
        teardown(lab_dir, state=state, quiet=True)
        return EXIT_INTERRUPTED
    except BaseException as e:
        quiet_signals()
        msg = str(e) if isinstance(e, LabError) else f"{type(e).__name__}: {e}"
        log(f"error: {msg}")
        log("tearing down what was started")
        teardown(lab_dir, state=state, quiet=True)
        return EXIT_FAILED


def quiet_signals() -> None:
    """A second Ctrl-C must not interrupt the teardown itself."""
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, signal.SIG_IGN)


def write_outputs(lab_dir: Path, doc: dict) -> None:
    tmp = lab_dir / "lab.json.tmp"
    tmp.write_text(json.dumps(doc, indent=2) + "\n")
    env = [("LTOPS_LAB_DIR", str(lab_dir))]
    if doc["postgres"]:
        pg = doc["postgres"]
        env += [("PGHOST", pg["host"]), ("PGPORT", str(pg["port"])), ("PGUSER", pg["user"]),
                ("PGPASSWORD", pg["password"])]
    if doc["moto"]:
        env += [("AWS_ENDPOINT_URL", doc["moto"]["endpoint"])]
    if doc["sso"]:
        env += [("AWS_ENDPOINT_URL_SSO", doc["sso"]["endpoint"]),
                ("AWS_ENDPOINT_URL_SSO_OIDC", doc["sso"]["endpoint"])]
    if doc["aws"]:
        env += [("AWS_REGION", doc["aws"]["region"]), ("AWS_DEFAULT_REGION", doc["aws"]["region"])]
    (lab_dir / "lab.env").write_text(
        "# source this: the lab's endpoints (AWS credentials are left alone)\n"
        + "".join(f"export {k}={shlex.quote(v)}\n" for k, v in env))
    os.replace(tmp, lab_dir / "lab.json")  # last: lab.json means "ready"


def start_watchdog(state: State, lab_dir: Path, owner_pid: int, owner_start: int) -> None:
    """A detached process that tears the lab down once the owner is gone (even after kill -9)."""
    spawn(state, "watchdog", "watchdog",
          [sys.executable, Path(__file__).resolve(), "_watchdog", "--dir", lab_dir,
           "--owner-pid", owner_pid, "--owner-start", owner_start],
          log_path=lab_dir / "watchdog.log", cwd="/")


def cmd_watchdog(args) -> int:
    lab_dir = Path(args.dir)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))  # `down` stops us
    last = read_state(lab_dir)
    while True:
        if not alive(args.owner_pid, args.owner_start):
            break
        cur = read_state(lab_dir)
        if cur is not None:
            last = cur
        elif not lab_dir.exists():
            # removed under our feet (not by down, which would have stopped us):
            # clean up what we last knew of
            break
        time.sleep(1)
    # Do not be stopped half-way by the `down` we might race with.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if last is not None and not (lab_dir / "state.json").exists():
        lab_dir.mkdir(parents=True, exist_ok=True)
        (lab_dir / "state.json").write_text(json.dumps(last))
    log(f"watchdog: owner {args.owner_pid} is gone, tearing the lab down")
    teardown(lab_dir, quiet=True)
    return 0


def cmd_down(args) -> int:
    lab_dir = Path(args.dir).resolve()
    teardown(lab_dir)
    return 0


def cmd_psql(args, rest) -> int:
    lab_dir = Path(args.dir).resolve()
    try:
        doc = json.loads((lab_dir / "lab.json").read_text())
    except (OSError, ValueError):
        log(f"error: no lab in {lab_dir} (no lab.json); start one with `lab.py up --dir {lab_dir}`")
        return EXIT_FAILED
    pg = doc.get("postgres")
    if not pg:
        log("error: this lab runs without PostgreSQL (--no-db)")
        return EXIT_FAILED
    psql = str(Path(pg["bin_dir"]) / "psql")
    if not os.access(psql, os.X_OK):
        psql = shutil.which("psql") or "psql"
    env = pg_env()
    env.update(PGHOST=pg["host"], PGPORT=str(pg["port"]), PGUSER=pg["user"])
    os.execvpe(psql, [psql, *rest], env)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="lab.py", description=__doc__.split("\n\n")[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 allow_abbrev=False)
    sub = ap.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("up", help="bring the lab up")
    up.add_argument("--dir", required=True)
    up.add_argument("--owner-pid", type=int)
    up.add_argument("--venv", help="virtualenv with moto[server] (default: <repo>/.venv)")
    up.add_argument("--no-aws", action="store_true", help="no moto, no SSO fake")
    up.add_argument("--no-db", action="store_true", help="no PostgreSQL")
    down = sub.add_parser("down", help="stop everything and remove DIR")
    down.add_argument("--dir", required=True)
    # no -h/--help here: -h is psql's; everything but --dir goes to psql
    ps = sub.add_parser("psql", help="psql against the lab as superuser", add_help=False,
                        allow_abbrev=False)
    ps.add_argument("--dir", required=True)
    wd = sub.add_parser("_watchdog")
    wd.add_argument("--dir", required=True)
    wd.add_argument("--owner-pid", type=int, required=True)
    wd.add_argument("--owner-start", type=int, required=True)
    args, rest = ap.parse_known_args(argv)
    if args.cmd == "psql" and rest[:1] == ["--"]:
        rest = rest[1:]
    if rest and args.cmd != "psql":
        ap.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.cmd == "up":
        return cmd_up(args)
    if args.cmd == "down":
        return cmd_down(args)
    if args.cmd == "psql":
        return cmd_psql(args, rest)
    return cmd_watchdog(args)


if __name__ == "__main__":
    sys.exit(main())
