"""manage.py benchmark_pages: how fast the Backstory pages answer under load.

Builds (once) a benchmark account with 10,000 activities and 50 people, computes its summary with
the insights engine (the cached summary the page reads), starts gunicorn in another process and
drives it with 16 concurrent clients (``wrk`` when installed: Debian `apt-get install wrk`; a threaded
Python driver otherwise). Prints p50/p95/p99 per URL and the database queries per request.

Run it against PostgreSQL, in a database of its own:

    createdb -h 127.0.0.1 -U postgres backstory_pages_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/backstory_pages_bench manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/backstory_pages_bench manage.py benchmark_pages

The figures are printed; copy them to BENCHMARKS.md.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from accounts.models import Account, AccountDomain, AccountTeamMember
from activities.models import Activity, Participant
from backstory import clock
from contacts.models import Contact
from demo.ids import crm_id
from insights.models import PersonEngagement, Summary
from users.models import User

BENCH_ACCOUNT_CRM_ID = crm_id("001", 7_700_001)
BENCH_USERNAME = "bench.rep"
BENCH_PASSWORD = "backstory-bench-password"
P95_TARGET_MS = 150
BUSIEST_P95_TARGET_MS = 60  # the busiest account of the 1,000,000-activity org (issue 19)
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout
  io.write(string.format('BENCH {"requests": %d, "errors": %d, "duration_us": %d, "p50": %d, "p95": %d, "p99": %d, "max": %d}\\n',
    summary.requests, errors, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""
SENIORITIES = ["c_level", "vp", "director", "manager", "individual_contributor"]
DEPARTMENTS = ["executive", "engineering", "it", "security", "finance", "procurement", "operations", "sales"]
SUBJECTS = [
    "Security review questionnaire",
    "MSA redlines",
    "Pricing proposal for {n} seats",
    "Implementation timeline",
    "Quarterly business review",
    "Renewal planning",
    "SSO rollout",
    "Data residency questions",
]
BODIES = [
    "Thanks for the call. I'll send the revised order form by Friday once you confirm the seat count.",
    "Attached are the answers to the security questionnaire; our CISO will review them next week.",
    "Can we move the QBR to Thursday? The VP of Finance wants to join to discuss budget.",
    "Following up on pricing: we can hold the discount until the end of the quarter.",
]


@dataclass
class Run:
    name: str
    url: str
    htmx: bool = False
    cold: bool = False
    queries: int | None = None
    figures: dict = field(default_factory=dict)


class Command(BaseCommand):
    help = "Load-test the account Backstory page (10,000 activities, 16 clients) and print p50/p95/p99 and queries per request."

    def add_arguments(self, parser):
        parser.add_argument(
            "--activities", type=int, default=10_000, help="Activities on the benchmark account."
        )
        parser.add_argument("--people", type=int, default=50, help="People (contacts and colleagues) on it.")
        parser.add_argument("--clients", type=int, default=16, help="Concurrent clients.")
        parser.add_argument("--duration", type=int, default=20, help="Seconds of load per URL.")
        parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes.")
        parser.add_argument("--driver", choices=["auto", "wrk", "python"], default="auto")
        parser.add_argument(
            "--conn-max-age",
            type=int,
            default=600,
            help="Persistent database connections in the server (seconds; 0 opens one per request), set through DATABASE_URL.",
        )
        parser.add_argument(
            "--session-engine",
            default="django.contrib.sessions.backends.cached_db",
            help="The server's SESSION_ENGINE: production's cached_db by default (a signed-in page load "
            "then reads its session from the cache); django.contrib.sessions.backends.db reads it from the database.",
        )
        parser.add_argument(
            "--priority",
            type=int,
            default=-10,
            help="Nice value for the server, its database sessions and wrk when run as root (0 leaves them alone): "
            "on a shared box, other processes then take less of the cores being measured.",
        )
        parser.add_argument(
            "--only", default="", help="Comma-separated runs: page, metrics, people, bullet, person."
        )
        parser.add_argument(
            "--prepare-only",
            action="store_true",
            help="Build the benchmark account and its summary, then stop.",
        )
        parser.add_argument("--rebuild", action="store_true", help="Delete the benchmark account first.")
        parser.add_argument(
            "--busiest",
            action="store_true",
            help="Load the account with the most activities already in the org (e.g. the 1,000,000-activity "
            "benchmark org) instead of building one; a bare Django view (/healthz) is loaded in the same "
            "run as the floor.",
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            self.stdout.write(
                self.style.WARNING("Not PostgreSQL: the target is set for PostgreSQL (set DATABASE_URL).")
            )
        self.priority = options["priority"] if os.geteuid() == 0 else 0
        account, user = self.busiest(options) if options["busiest"] else self.prepare(options)
        if options["prepare_only"]:
            return
        runs = self.runs(account, user)
        if options["only"]:
            wanted = {name.strip() for name in options["only"].split(",")}
            runs = [run for run in runs if run.name in wanted]
        with override_settings(SESSION_ENGINE=options["session_engine"]):  # as the server runs
            self.count_queries(runs, user)
        driver = self.driver(options["driver"])
        # "cold" runs use a server without a cache: every section is rendered for every request.
        for cold in (False, True):
            batch = [run for run in runs if run.cold is cold]
            if not batch:
                continue
            port = _free_port()
            server = self.start_server(
                port,
                options["workers"],
                cache_url="dummycache://" if cold else None,
                conn_max_age=options["conn_max_age"],
                session_engine=options["session_engine"],
            )
            try:
                base = f"http://127.0.0.1:{port}"
                cookie = self.sign_in(base)
                for run in batch:
                    self.load(
                        run,
                        base=base,
                        cookie=cookie,
                        driver=driver,
                        clients=options["clients"],
                        duration=options["duration"],
                        server=server,
                    )
            finally:
                server.send_signal(signal.SIGTERM)
                try:
                    server.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    server.kill()
        self.report(runs, options, driver)

    # --- The data ----------------------------------------------------------------------------

    def prepare(self, options) -> tuple[Account, User]:
        """The benchmark account, its people and activities, and its summary from the engine."""
        from insights.services import summaries_refresh

        if options["rebuild"]:
            Account.objects.filter(crm_id=BENCH_ACCOUNT_CRM_ID).delete()
        account = Account.objects.filter(crm_id=BENCH_ACCOUNT_CRM_ID).first()
        user = User.objects.filter(username=BENCH_USERNAME).first()
        if account is not None and user is not None and Summary.objects.filter(account=account).exists():
            count = Activity.objects.filter(account=account).count()
            self.stdout.write(f"Benchmark account ready: {account.name} ({count:,} activities).")
            return account, user
        started = time.perf_counter()
        self.stdout.write(
            f"Building the benchmark account: {options['activities']:,} activities, {options['people']} people ..."
        )
        account, user = self._build(options["activities"], options["people"])
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # fresh planner statistics, as autovacuum would keep them
                cursor.execute("ANALYZE")
        built = time.perf_counter()
        summaries_refresh(account_ids=[account.pk], opportunity_ids=[])
        self.stdout.write(
            f"  built in {built - started:.1f} s; summary and people computed by the engine in {time.perf_counter() - built:.1f} s"
        )
        return account, user

    @transaction.atomic
    def busiest(self, options) -> tuple[Account, User]:
        """The org's account with the most activities, its summary from the insights engine, and
        the bench user (staff, so it may read every account) to sign in with."""
        from django.db.models import Count

        from insights.services import summaries_refresh

        account = (
            Account.objects.annotate(n=Count("activities")).order_by("-n", "pk").first()
            if Account.objects.exists()
            else None
        )
        if account is None:
            raise CommandError("No accounts here: seed the benchmark org first (see BENCHMARKS.md).")
        internal_domain = settings.BACKSTORY_INTERNAL_DOMAINS[0]
        user, _ = User.objects.get_or_create(
            username=BENCH_USERNAME,
            defaults={
                "first_name": "Bench",
                "last_name": "Rep",
                "email": f"{BENCH_USERNAME}@{internal_domain}",
            },
        )
        user.set_password(BENCH_PASSWORD)
        user.is_active = user.is_staff = True
        user.save()
        started = time.perf_counter()
        summaries_refresh(account_ids=[account.pk], opportunity_ids=[])
        self.stdout.write(
            f"Busiest account: {account.name} ({account.n:,} activities); summary by the engine in "
            f"{time.perf_counter() - started:.1f} s."
        )
        self.floor = True
        return account, user

    def _build(self, activities: int, people: int) -> tuple[Account, User]:
        rng = random.Random(20261123)
        now = clock.now()
        internal_domain = settings.BACKSTORY_INTERNAL_DOMAINS[0]
        user, _ = User.objects.get_or_create(
            username=BENCH_USERNAME,
            defaults={
                "first_name": "Bench",
                "last_name": "Rep",
                "email": f"{BENCH_USERNAME}@{internal_domain}",
                "title": "Account Executive",
            },
        )
        user.set_password(BENCH_PASSWORD)
        user.is_active = True
        user.save()
        account = Account.objects.create(
            name="Benchmark Logistics",
            crm_id=BENCH_ACCOUNT_CRM_ID,
            industry="Logistics",
            tier=Account.Tier.ENTERPRISE,
            owner=user,
        )
        AccountDomain.objects.create(account=account, domain="benchmark-logistics.example", is_primary=True)
        colleagues = [user]
        for i in range(max(1, people // 5) - 1):
            colleague, _ = User.objects.get_or_create(
                username=f"bench.colleague{i}",
                defaults={
                    "first_name": "Colleague",
                    "last_name": f"{i}",
                    "email": f"bench.colleague{i}@{internal_domain}",
                    "title": rng.choice(["Sales Engineer", "Customer Success Manager", "VP Sales"]),
                },
            )
            AccountTeamMember.objects.get_or_create(
                account=account, user=colleague, defaults={"role": "Sales Engineer"}
            )
            colleagues.append(colleague)
        contacts = Contact.objects.bulk_create(
            Contact(
                first_name=f"Buyer{i}",
                last_name="Benchmark",
                email=f"buyer{i}@benchmark-logistics.example",
                title="Director of Operations",
                seniority=SENIORITIES[i % len(SENIORITIES)],
                department=DEPARTMENTS[i % len(DEPARTMENTS)],
                account=account,
                owner=user,
                phone="+1 415 555 0199",
            )
            for i in range(people - len(colleagues))
        )
        rows: list[Activity] = []
        for i in range(activities):
            kind = rng.choices(
                [Activity.Kind.EMAIL, Activity.Kind.MEETING, Activity.Kind.CALL], weights=[7, 2, 1]
            )[0]
            rows.append(
                Activity(
                    kind=kind,
                    source=Activity.Source.API,
                    source_id=f"bench-pages-{account.pk}-{i}",
                    subject=rng.choice(SUBJECTS).format(n=rng.randint(50, 900)),
                    body=rng.choice(BODIES),
                    occurred_at=now
                    - dt.timedelta(days=rng.triangular(0, 365, 0), minutes=rng.randint(0, 600)),
                    duration_minutes=rng.choice([30, 45, 60]) if kind != Activity.Kind.EMAIL else None,
                    direction=rng.choice([Activity.Direction.OUTBOUND, Activity.Direction.INBOUND]),
                    owner=rng.choice(colleagues),
                    is_private=i % 20 == 0,
                    account=account,
                    account_match=Activity.AccountMatch.DOMAIN,
                    matched_at=now,
                )
            )
        created = Activity.objects.bulk_create(rows, batch_size=2_000)
        participants = []
        for activity in created:
            owner = next(c for c in colleagues if c.pk == activity.owner_id)
            participants.append(
                Participant(
                    activity=activity,
                    email=owner.email,
                    name=owner.get_full_name(),
                    role="from",
                    is_internal=True,
                    user=owner,
                )
            )
            for contact in rng.sample(contacts, k=rng.choice([1, 1, 2, 3])):
                participants.append(
                    Participant(
                        activity=activity, email=contact.email, name=contact.name, role="to", contact=contact
                    )
                )
        Participant.objects.bulk_create(participants, batch_size=5_000)
        return account, user

    def runs(self, account: Account, user: User) -> list[Run]:
        person = (
            PersonEngagement.objects.filter(account=account, opportunity__isnull=True, is_internal=False)
            .order_by("-engagement_score")
            .first()
        )
        page = reverse("accounts:detail", args=[account.pk])
        runs = [
            Run("page", page),
            Run("page-cold", page, cold=True),
            Run(
                "metrics", reverse("accounts:metrics", args=[account.pk]) + "?period=last_90_days", htmx=True
            ),
            Run(
                "people",
                reverse("accounts:people", args=[account.pk]) + "?sort=seniority&people=external",
                htmx=True,
            ),
            Run("bullet", reverse("accounts:bullet", args=[account.pk, "key_topics", 0]), htmx=True),
        ]
        if person is not None:
            runs.append(Run("person", reverse("accounts:person", args=[account.pk, person.pk]), htmx=True))
        if getattr(self, "floor", False):
            # The floor: a bare Django view (one SELECT 1) through the same server and middleware.
            runs.insert(0, Run("floor", reverse("healthz")))
        return runs

    def count_queries(self, runs: list[Run], user: User) -> None:
        """Queries per request, in this process: a cold run with an empty cache, the others warm."""
        from django.core.cache import cache

        client = Client()
        client.force_login(user)
        for run in runs:
            headers = {"HTTP_HX_REQUEST": "true"} if run.htmx else {}
            if run.cold:
                cache.clear()
            else:
                client.get(run.url, **headers)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(run.url, **headers)
            if response.status_code != 200:
                raise CommandError(f"{run.url} answered {response.status_code}")
            run.queries = len(queries)

    # --- The server and the load ---------------------------------------------------------------

    def driver(self, wanted: str) -> str:
        # A benchmark installs nothing itself: it says what to install.
        if shutil.which("wrk"):
            return "wrk"
        if wanted == "wrk":
            raise CommandError(
                "wrk is not installed: install it (Debian: `apt-get install wrk`) or use --driver python."
            )
        self.stdout.write(
            "wrk is not installed (Debian: `apt-get install wrk`): driving the load with the threaded "
            "Python client instead, whose figures are lower."
        )
        return "python"

    def start_server(
        self,
        port: int,
        workers: int,
        cache_url: str | None = None,
        conn_max_age: int = 0,
        session_engine: str = "",
    ) -> subprocess.Popen:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        if not gunicorn.exists():
            raise CommandError("gunicorn is not installed: pip install -r requirements.txt")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "backstory.settings"),
            "DEBUG": "False",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "ERROR",
        }
        if cache_url:
            env["CACHE_URL"] = cache_url
        if session_engine:
            env["SESSION_ENGINE"] = session_engine
        database_url = os.environ.get("DATABASE_URL", "")
        if conn_max_age and database_url and "conn_max_age" not in database_url:
            env["DATABASE_URL"] = (
                f"{database_url}{'&' if '?' in database_url else '?'}conn_max_age={conn_max_age}"
            )
        server = subprocess.Popen(
            [
                str(gunicorn),
                "backstory.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--log-level",
                "warning",
                "--timeout",
                "60",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            preexec_fn=_own_session(self.priority),
        )
        deadline = time.monotonic() + 120  # workers import Django in parallel: slow on a busy 2-core box
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError(f"gunicorn exited with code {server.returncode}: see its output above.")
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    return server
            except requests.RequestException:
                time.sleep(0.2)
        server.kill()
        raise CommandError("gunicorn did not start within 120 s")

    def sign_in(self, base: str) -> str:
        session = requests.Session()
        session.get(f"{base}/login/", timeout=10)
        response = session.post(
            f"{base}/login/",
            data={
                "username": BENCH_USERNAME,
                "password": BENCH_PASSWORD,
                "csrfmiddlewaretoken": session.cookies.get("csrftoken"),
            },
            headers={"Referer": f"{base}/login/"},
            timeout=10,
            allow_redirects=False,
        )
        if response.status_code != 302 or "sessionid" not in session.cookies:
            raise CommandError(f"Could not sign in as {BENCH_USERNAME} (HTTP {response.status_code}).")
        return f"sessionid={session.cookies['sessionid']}; csrftoken={session.cookies.get('csrftoken', '')}"

    def load(
        self, run: Run, *, base: str, cookie: str, driver: str, clients: int, duration: int, server=None
    ) -> None:
        headers = {"Cookie": cookie, **({"HX-Request": "true"} if run.htmx else {})}
        # Warm every worker up (imports, template cache, database connections) before measuring.
        for _ in range(40):
            response = requests.get(base + run.url, headers=headers, timeout=30)
            if response.status_code != 200:
                raise CommandError(f"{run.url} answered {response.status_code} under gunicorn")
        self.stdout.write(f"Loading {run.name}: {run.url} ({clients} clients, {duration} s, {driver}) ...")
        if server is not None:
            _prioritise(server.pid, self.priority)
        cpu_before = _children_cpu_seconds(server.pid) if server is not None else None
        db_before = _database_cpu_seconds()
        if driver == "wrk":
            run.figures = _wrk(
                base + run.url, headers=headers, clients=clients, duration=duration, priority=self.priority
            )
        else:
            run.figures = _python_load(base + run.url, headers=headers, clients=clients, duration=duration)
        if cpu_before is not None and run.figures["requests"]:
            # CPU the gunicorn workers spent per request: what the box must give, whoever else is on it.
            run.figures["cpu_ms"] = (
                (_children_cpu_seconds(server.pid) - cpu_before) * 1000 / run.figures["requests"]
            )
            run.figures["db_cpu_ms"] = (_database_cpu_seconds() - db_before) * 1000 / run.figures["requests"]

    def report(self, runs: list[Run], options, driver: str) -> None:
        load = os.getloadavg()
        self.stdout.write("")
        self.stdout.write(
            f"Database: {connection.vendor} (connections kept {options['conn_max_age']} s); gunicorn {options['workers']} sync workers; {options['clients']} clients; "
            f"{options['duration']} s per URL; driver {driver}; nice {self.priority}; sessions {options['session_engine'].rsplit('.', 1)[-1]}; "
            f"cache {os.environ.get('CACHE_URL') or 'locmem (per worker)'}; load average {load[0]:.1f}"
        )
        self.stdout.write(
            f"{'run':<10} {'requests':>9} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6} {'queries':>7} {'app CPU ms/req':>14} {'db CPU ms/req':>13}"
        )
        for run in runs:
            f = run.figures
            cpu = f"{f['cpu_ms']:.1f}" if "cpu_ms" in f else "-"
            db_cpu = f"{f['db_cpu_ms']:.1f}" if "db_cpu_ms" in f else "-"
            self.stdout.write(
                f"{run.name:<10} {f['requests']:>9,} {f['rps']:>7.0f} {f['p50']:>7.1f} {f['p95']:>7.1f} {f['p99']:>7.1f} {f['errors']:>6} {run.queries:>7} {cpu:>14} {db_cpu:>13}"
            )
        page = next((run for run in runs if run.name == "page"), None)
        floor = next((run for run in runs if run.name == "floor"), None)
        target = BUSIEST_P95_TARGET_MS if floor is not None else P95_TARGET_MS
        if page is not None:
            verdict = self.style.SUCCESS if page.figures["p95"] < target else self.style.ERROR
            self.stdout.write(
                verdict(f"Account page p95 {page.figures['p95']:.1f} ms (target < {target} ms).")
            )
        if page is not None and floor is not None and floor.figures["rps"]:
            share = page.figures["rps"] / floor.figures["rps"]
            verdict = self.style.SUCCESS if share >= 0.3 else self.style.ERROR
            self.stdout.write(
                verdict(
                    f"Account page {share:.2f}x the bare view's requests/s in the same run (target >= 0.3x)."
                )
            )


def _children_cpu_seconds(parent_pid: int) -> float:
    """User and system CPU seconds of the live child processes of ``parent_pid`` (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent_pid:  # ppid
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _own_session(nice: int):
    """A ``preexec_fn``: start the child in a session of its own and, when ``nice`` is set, give that
    session's scheduling group the priority. (With autogroup scheduling a session's processes share
    the CPU equally with every other session's whatever their nice value; a group of its own leaves
    the caller's session untouched.)"""

    def prepare():
        os.setsid()
        if nice:
            try:
                Path("/proc/self/autogroup").write_text(str(nice))
            except OSError:
                pass
            try:
                os.nice(nice)
            except OSError:
                pass

    return prepare


def _database_pids() -> list[int]:
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def _database_cpu_seconds() -> float:
    """CPU seconds of this database's server sessions (PostgreSQL on this machine, Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in _database_pids():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def _prioritise(server_pid: int, nice: int) -> None:
    """Give the server's processes and this database's sessions the ``nice`` value (root only)."""
    if not nice:
        return
    pids = [server_pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == server_pid:
                    pids.append(int(entry.name))
            except OSError:
                continue
    for pid in pids + _database_pids():
        try:
            os.setpriority(os.PRIO_PROCESS, pid, nice)
        except OSError:
            continue


def _wrk(url: str, *, headers: dict, clients: int, duration: int, priority: int = 0) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        command = [
            "wrk",
            "-t",
            str(min(2, clients)),
            "-c",
            str(clients),
            "-d",
            f"{duration}s",
            "--timeout",
            "10s",
            "-s",
            script.name,
        ]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        output = subprocess.run(
            command + [url],
            capture_output=True,
            text=True,
            check=True,
            timeout=duration + 60,
            preexec_fn=_own_session(priority),
        ).stdout
    finally:
        os.unlink(script.name)
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    raw = json.loads(line.removeprefix("BENCH "))
    seconds = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "errors": raw["errors"],
        "rps": raw["requests"] / seconds,
        "p50": raw["p50"] / 1000,
        "p95": raw["p95"] / 1000,
        "p99": raw["p99"] / 1000,
        "max": raw["max"] / 1000,
    }


def _python_load(url: str, *, headers: dict, clients: int, duration: int) -> dict:
    """A bounded threaded driver: ``clients`` keep-alive sessions, each requesting in a loop until time is up."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def client():
        session = requests.Session()
        mine, failed = [], 0
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                ok = session.get(url, headers=headers, timeout=10).status_code == 200
            except requests.RequestException:
                ok = False
            mine.append((time.perf_counter() - started) * 1000)
            failed += not ok
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "requests": len(latencies),
        "errors": errors[0],
        "rps": len(latencies) / elapsed,
        "p50": cuts[49],
        "p95": cuts[94],
        "p99": cuts[98],
        "max": max(latencies),
    }
