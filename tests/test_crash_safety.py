"""Crash safety: the real server (`qyzmet serve`) is killed with SIGKILL again and again while clients submit
applications with Idempotency-Keys; after every retry, each acknowledged case is there with its events, no
retry made a second case, the database passes its integrity check and the audit chain verifies.

Runs on a temporary SQLite file, or on a fresh PostgreSQL database next to the one DATABASE_URL names.  The
server loads a catalog of one act (QYZMET_CATALOG), so a restart takes seconds, not the whole catalog's load.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from qyzmet.core.iin import make_iin
from qyzmet.core.loader import CATALOG_ROOT

KILLS = 3
CLIENTS = 4
REG = "aktogay-2013/prosthetic-docs"
CONSULTANT = "aktogay-2013-psc.psc-consultant"

SETUP = f"""
from qyzmet.cli import django_setup
django_setup.setup()
django_setup.migrate()
from django.conf import settings
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
from django.contrib.auth import get_user_model
from qyzmet.api.tokens import create_token
from qyzmet.cases.services import sync_catalog
from qyzmet.core.loader import shipped_catalog
from qyzmet.demo import build_directory
sync_catalog()
build_directory(list(shipped_catalog().regulations))
print(create_token(get_user_model().objects.get(username="{CONSULTANT}"), "crash test")[1])
"""

CHECK = """
import json
from django.db import connection
from qyzmet.cli import django_setup
django_setup.setup()
from qyzmet.api.models import IdempotencyRecord
from qyzmet.cases.models import Case
out = {"cases": {c.number: {"iin": c.applicant_iin, "seq": c.seq, "events": c.events.count(),
                            "event_seqs": list(c.events.order_by("seq").values_list("seq", flat=True))}
                 for c in Case.objects.all()},
       "records": [[r.key, r.status_code, r.response_body.get("number")] for r in IdempotencyRecord.objects.all()]}
if connection.vendor == "sqlite":
    with connection.cursor() as cursor:
        out["integrity"] = [row[0] for row in cursor.execute("PRAGMA integrity_check").fetchall()]
        out["foreign_keys"] = cursor.execute("PRAGMA foreign_key_check").fetchall()
print(json.dumps(out))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Tally:
    acknowledged: dict[str, str] = field(default_factory=dict)  # key -> case number of the first 201
    lost: int = 0  # requests sent whose answer never came (the server died under them)
    refused: int = 0  # connections refused while the server was down
    replays: int = 0  # retries answered from the idempotency record
    server_errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Server:
    def __init__(self, env: dict[str, str], port: int, log: Path):
        self.env, self.port, self.log = env, port, log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "qyzmet", "serve", "--port", str(self.port), "--threads", "8"],
                env=self.env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        pytest.fail(f"the server did not answer /healthz in 90 s:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


def application(n: int) -> dict:
    iin = make_iin(dt.date(1960, 1, 1) + dt.timedelta(days=n), "female", 100 + n % 800)
    return {"regulation": REG, "channel": "psc", "category": "general-disease",
            "applicant": {"iin": iin, "name": "Әлия Серікқызы", "phone": "+7 701 234 56 78"},
            "documents": ["application", "id-copy", "irp-extract"]}


def post(port: int, token: str, key: str, body: dict) -> tuple[int, dict, bool] | str:
    """One POST /cases: (status, body, replayed), or "refused" / "lost" when no answer came."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.connect()
    except OSError:
        return "refused"
    try:
        conn.request("POST", "/api/v1/cases", body=json.dumps(body).encode(),
                     headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key,
                              "Content-Type": "application/json"})
        response = conn.getresponse()
        data = response.read()
        return response.status, json.loads(data), response.getheader("Idempotent-Replayed") == "true"
    except (OSError, http.client.HTTPException, json.JSONDecodeError):
        return "lost"
    finally:
        conn.close()


def submit_until_answered(port: int, token: str, key: str, body: dict, tally: Tally) -> None:
    """Send the request, and again with the same key whenever the answer is lost, until one comes."""
    for _ in range(2000):
        answer = post(port, token, key, body)
        if isinstance(answer, str):
            with tally.lock:
                if answer == "lost":
                    tally.lost += 1
                else:
                    tally.refused += 1
            time.sleep(0.05)
            continue
        status, data, replayed = answer
        with tally.lock:
            if status >= 500:
                tally.server_errors.append(f"{status} {data}")
                continue
            assert status == 201, (status, data)
            tally.replays += replayed
            tally.acknowledged.setdefault(key, data["number"])
            assert tally.acknowledged[key] == data["number"], "a retry answered another case"
        return
    raise AssertionError(f"no answer for {key} after 2000 tries")


def run_python(code: str, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture
def server_env(tmp_path):
    """The environment of the server and its helpers: a fresh database, a one-act catalog, a private home."""
    catalog = tmp_path / "catalog"
    shutil.copytree(CATALOG_ROOT / "aktogay-2013", catalog / "aktogay-2013")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QYZMET_", "DJANGO_"))}
    env.update(QYZMET_HOME=str(tmp_path / "home"), QYZMET_CATALOG=str(catalog), QYZMET_SECRET_KEY="crash-test",
               QYZMET_SMS_FILE=str(tmp_path / "sms.jsonl"))
    base = os.environ.get("DATABASE_URL")
    if not base:
        env["QYZMET_DB"] = str(tmp_path / "crash.sqlite3")
        yield env
        return
    import psycopg

    parts = urlsplit(base)
    name = f"{parts.path.lstrip('/') or 'qyzmet'}_crash"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    yield env
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_killed_servers_lose_no_acknowledged_case_and_retries_duplicate_none(server_env, tmp_path):
    began = time.monotonic()
    token = run_python(SETUP, server_env).strip().splitlines()[-1]
    print(f"setup {time.monotonic() - began:.1f} s")
    server = Server(server_env, free_port(), tmp_path / "server.log")
    server.start()
    print(f"first start {time.monotonic() - began:.1f} s")
    tally, stop, counter = Tally(), threading.Event(), iter(range(1, 100_000))
    counter_lock = threading.Lock()

    def client() -> None:
        while not stop.is_set():
            with counter_lock:
                n = next(counter)
            submit_until_answered(server.port, token, f"crash-{n}-{uuid.uuid4()}", application(n), tally)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    rng = random.Random(14)
    for _ in range(KILLS):
        time.sleep(rng.uniform(0.8, 1.6))  # the clients are mid-request: submissions take tens of ms each
        server.kill()
        down = time.monotonic()
        server.start()
        print(f"restart {time.monotonic() - down:.1f} s")
    time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join(timeout=120)
        assert not t.is_alive(), "a client never got its answer"

    # Every key asked once more: the first answer again, from the record, never a new case.
    for n, (key, number) in enumerate(sorted(tally.acknowledged.items())):
        body = application(int(key.split("-")[1]))
        status, data, replayed = post(server.port, token, key, body)  # type: ignore[misc]
        assert (status, data["number"], replayed) == (201, number, True), (n, key)
    server.kill()

    assert tally.server_errors == []
    assert tally.lost > 0, "no request was in flight when the server died: the test proved nothing"
    stored = json.loads(run_python(CHECK, server_env).strip().splitlines()[-1])
    cases, records = stored["cases"], stored["records"]
    acknowledged = set(tally.acknowledged.values())
    assert len(acknowledged) == len(tally.acknowledged) >= 20, "two keys were answered with one case"
    # Every acknowledged case exists with its whole log (submit at least, seqs 1..n without a gap) ...
    for number in acknowledged:
        assert number in cases, f"{number} was acknowledged and is gone"
        case = cases[number]
        assert case["events"] >= 1 and case["event_seqs"] == list(range(1, case["seq"] + 1))
    # ... and nothing else was made: one case per key (and so per applicant), one record per key.
    assert set(cases) == acknowledged
    assert len({c["iin"] for c in cases.values()}) == len(cases)
    assert sorted((key, number) for key, _status, number in records) == sorted(tally.acknowledged.items())
    if "integrity" in stored:
        assert stored["integrity"] == ["ok"] and stored["foreign_keys"] == []
    audit = subprocess.run([sys.executable, "-m", "qyzmet", "audit", "verify"], env=server_env, capture_output=True,
                           text=True, timeout=120)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert f"of {len(cases)} case(s) checked, every chain intact" in audit.stdout
    print(f"{KILLS} kills, {len(cases)} cases, {tally.lost} answers lost and retried, {tally.replays} replayed, "
          f"{tally.refused} refused while down")


COUNT_FAILURES = """
import os, sys, time
from pathlib import Path
from qyzmet.cli import django_setup
django_setup.setup()
from django.core.cache import cache
from django.core.management import call_command
from django.test import RequestFactory
from qyzmet.web import throttle
if sys.argv[1] == "setup":
    call_command("createcachetable", verbosity=0)
    sys.exit(0)
address, failures, go = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
tries = throttle.lookup(RequestFactory().post("/my-application", REMOTE_ADDR=address), "Q2025-0000001")
while not go.exists():
    time.sleep(0.01)
for _ in range(failures):
    throttle.record_failure(tries)
limit = throttle.blocked(tries)
print(limit.name if limit else "-", cache.get(throttle._key(throttle.LOOKUP_PER_NUMBER, "Q2025-0000001")))
"""


def test_failed_lookups_are_counted_across_server_processes(server_env, tmp_path):
    """The throttle's counters live in the database cache: processes that fail on one application number at
    the same time add up, none of their failures lost, and a fresh process sees the block."""
    run_python(COUNT_FAILURES.replace("sys.argv[1]", "'setup'", 1), server_env)
    go = tmp_path / "go"
    each = int(os.environ.get("EACH", "15"))
    workers = [subprocess.Popen([sys.executable, "-c", COUNT_FAILURES, f"10.0.0.{i}", str(each), str(go)],
                                env=server_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for i in (1, 2)]
    time.sleep(3)  # both processes set up and waiting
    go.touch()
    answers = [w.communicate(timeout=120) for w in workers]
    assert all(w.returncode == 0 for w in workers), answers
    later = subprocess.run([sys.executable, "-c", COUNT_FAILURES, "10.0.0.3", "0", str(go)], env=server_env,
                           capture_output=True, text=True, timeout=120)
    assert later.returncode == 0, later.stderr
    # Each process alone stayed under the per-client limit (20); the number's limit (5) counts them all.
    assert later.stdout.split() == ["lookup-number", str(2 * each)], (later.stdout, answers)
