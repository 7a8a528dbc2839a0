"""Benchmark data at scale: tenants, people, teams and incidents with valid journals, fast.

Rows are written with the database's bulk path (COPY on PostgreSQL, executemany on SQLite) with
ids reserved up front, not one ORM save per row: a million incidents must load in minutes on two
cores (issue 6). Everything the actions would have written is written here too, so the data
looks like a desk that has been running for two years: human numbers from the INC sequence,
IncidentDetail rows, and per incident a journal ("created", its transitions, a comment) whose
hash chain is computed by serval.core.journal's own `_digest`, so `serval verify-journal`
passes, and the SLA clocks the engine would hold (serval.core.benchclocks). Full-text search
stays consistent: the FTS5 triggers are dropped during the load and the
index rebuilt after it; on PostgreSQL the tsvector column is generated, and after a large load
the secondary indexes of the loaded tables (the GIN one among them) are built once.
"""

from __future__ import annotations

import json
import random
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils.translation import gettext as _

from serval.core import journal
from serval.core import search as fts
from serval.core.benchclocks import ClockMaker, clock_summary
from serval.core.models import JournalEvent, Tenant
from serval.core.models import Sequence as Counter
from serval.incidents import states as S
from serval.incidents.models import DEFAULT_MATRIX, IncidentDetail
from serval.people.models import Organization, Role, Team, User
from serval.sla.engine import definitions_for
from serval.sla.models import SlaClock
from serval.work.actions import SUBJECT
from serval.work.models import Channel, Kind, WorkItem

BATCH = 5000
# Below this many items the secondary indexes are kept during the load (PostgreSQL); above,
# they are dropped and built once after it.
REBUILD_INDEX_AT = 50_000
BULK_TABLES = ("work_workitem", "incidents_incidentdetail", "core_journalevent", "sla_slaclock")

WORDS = (
    "vpn printer outlook email mailbox password reset laptop monitor docking station keyboard "
    "wifi network switch router firewall proxy dns dhcp certificate expired login sso mfa "
    "token account locked disk full backup restore database slow timeout error crash freeze "
    "update patch driver install license excel word teams sharepoint onedrive calendar meeting "
    "invite phone headset camera microphone audio screen flicker blue battery charger power "
    "server cluster storage share folder permission access denied group policy antivirus "
    "malware phishing spam attachment download upload browser chrome firefox edge cache "
    "cookie session portal intranet website ssl payroll invoice erp crm ticket report "
    "dashboard query latency packet loss bandwidth cable port vlan tunnel citrix remote "
    "desktop terminal shell script cron job batch queue service restart memory cpu leak "
    "kernel boot bios firmware raid replication failover load balancer api gateway webhook "
    "integration sync ldap directory profile roaming quota archive retention scanner badge "
    "door kiosk tablet mobile android iphone app store okta azure aws bucket bill"
).split()
SYMPTOMS = (
    "not working",
    "very slow",
    "keeps disconnecting",
    "shows an error",
    "cannot connect",
    "stopped syncing",
    "fails intermittently",
    "asks for the password again",
    "is unreachable",
    "crashes on start",
)
COMMENTS = (
    "Restarted the service and asked the caller to try again.",
    "Checked the logs: the error started after last night's patch.",
    "Caller confirms the problem is still there this morning.",
    "Reproduced on a second machine; escalating to the network team.",
    "Workaround sent: use the web client until the fix is rolled out.",
    "Waiting for the vendor's answer on the case we opened.",
)
CATEGORIES = ("hardware", "software", "network", "access", "database", "inquiry")
SERVICES = ("E-mail", "VPN", "Payroll", "ERP", "Intranet", "File shares", "Telephony", "CRM")
CHANNELS = tuple(Channel.values)
# Final state of a generated incident, by weight: most old work is closed, ~30% is open.
STATE_WEIGHTS = (
    (S.NEW, 10),
    (S.IN_PROGRESS, 14),
    (S.ON_HOLD, 6),
    (S.RESOLVED, 10),
    (S.CLOSED, 55),
    (S.CANCELLED, 5),
)
HOLD_KEYS = [k for k, _label in S.HOLD_REASONS]
# What SLA conditions may read of an incident (serval.sla.conditions.FIELDS), and the clock's
# datetime columns (adapted for the database like the incidents' own).
CLOCK_FIELDS = (
    "kind",
    "priority",
    "impact",
    "urgency",
    "service",
    "category",
    "channel",
    "organization_id",
    "assignment_group_id",
    "assignee_id",
)
CLOCK_TIMES = (
    "start_at",
    "stop_at",
    "breach_at",
    "original_breach_at",
    "paused_at",
    "next_check_at",
    "updated_at",
)
CLOSE_KEYS = [k for k, _label in S.CLOSE_CODES]


@dataclass
class Result:
    """What was made and how fast; `rows` counts every inserted row of every table."""

    tenants: int = 0
    users: int = 0
    teams: int = 0
    work_items: int = 0
    journal_events: int = 0
    sla_clocks: int = 0
    running_clocks: int = 0
    rows: int = 0
    seconds: float = 0.0
    first_number: str = ""
    last_number: str = ""
    cis: int = 0
    relationships: int = 0
    services: int = 0
    cmdb_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


Progress = Callable[[int], None]


class _Writer:
    """Insert raw rows into one model's table through the fastest path the database offers."""

    def __init__(self, model: type[models.Model], exclude: Iterable[str] = ()) -> None:
        self.model = model
        self.table = model._meta.db_table
        skip = set(exclude)
        self.fields = [f for f in model._meta.concrete_fields if f.attname not in skip]
        self.columns: list[str] = [cast(str, f.column) for f in self.fields]
        self.defaults = {f.attname: self._default(f) for f in self.fields}

    @staticmethod
    def _default(f: models.Field[Any, Any]) -> Any:
        if f.has_default():
            value = f.get_default()
            return value() if callable(value) else value
        return None if f.null else ""

    def row(self, values: dict[str, Any]) -> tuple[Any, ...]:
        merged = {**self.defaults, **values}
        return tuple(merged[f.attname] for f in self.fields)

    def write(self, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        cols = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        if connection.vendor == "postgresql":
            raw = connection.connection
            assert raw is not None
            with raw.cursor() as cur, cur.copy(f"COPY {self.table} ({cols}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)
        else:
            marks = ", ".join(["%s"] * len(self.columns))
            with connection.cursor() as cur:
                # Table and column names come from model metadata, never from input.
                sql = f"INSERT INTO {self.table} ({cols}) VALUES ({marks})"  # noqa: S608
                cur.executemany(sql, rows)


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Ids for `count` new rows, taken from the table's own id source so later inserts agree."""
    table = model._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [r[0] for r in cur.fetchall()]
        # SQLite: the write lock is held (IMMEDIATE transaction), so MAX(id) cannot move.
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 (model metadata)
        start = int(cur.fetchone()[0]) + 1
        return list(range(start, start + count))


def _dt(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choices(WORDS, k=rng.randint(low, high)))


class Generator:
    """One generation run; `run()` does it all in batches of `batch` incidents."""

    def __init__(
        self,
        *,
        work_items: int,
        users: int,
        teams: int,
        tenants: int,
        seed: int = 1,
        batch: int = BATCH,
        password: str | None = None,
        progress: Progress | None = None,
        cis: int = 0,
        relationships: int = 0,
        cmdb_progress: Callable[[str, int], None] | None = None,
    ) -> None:
        if min(users, teams, tenants) < 1 or work_items < 0:
            raise ValueError(_("users, teams and tenants must be at least 1"))
        if users < tenants:
            raise ValueError(_("every tenant needs a user: --users must be at least --tenants"))
        self.n_items, self.n_users, self.n_teams, self.n_tenants = work_items, users, teams, tenants
        check_cmdb_sizes(cis, relationships, tenants)
        self.n_cis, self.n_relationships = cis, relationships
        self.cmdb_progress = cmdb_progress
        self.graphs: list[CmdbGraph] = []
        self.rng = random.Random(seed)
        self.batch = max(1, batch)
        self.password = password
        self.progress = progress or (lambda n: None)
        self.tag = secrets.token_hex(3)
        self.result = Result()

    # --- people -------------------------------------------------------------------------

    def _people(self) -> None:
        root = Tenant.objects.order_by("pk").first()
        self.tenants: list[Tenant] = []
        for i in range(self.n_tenants):
            tenant = Tenant(name=f"Bench {self.tag} {i + 1}", slug=f"bench-{self.tag}-{i + 1}")
            tenant.parent = root
            tenant.save()
            self.tenants.append(tenant)
        orgs = Organization.objects.bulk_create(
            [
                Organization(tenant=t, name=f"Department {k + 1}")
                for t in self.tenants
                for k in range(3)
            ]
        )
        orgs_of: dict[int, list[Organization]] = {}
        for org in orgs:
            orgs_of.setdefault(org.tenant_id, []).append(org)
        hashed = make_password(self.password)  # one hash for all: hashing is deliberately slow
        agents_wanted = max(self.n_teams, self.n_users // 4)
        people: list[User] = []
        for i in range(self.n_users):
            tenant = self.tenants[i % len(self.tenants)]
            role = Role.AGENT if i < agents_wanted else Role.REQUESTER
            if i < len(self.tenants):
                role = Role.MANAGER
            people.append(
                User(
                    username=f"b{self.tag}u{i + 1}",
                    first_name=self.rng.choice(("Ana", "Ben", "Chen", "Dara", "Eli", "Fay")),
                    last_name=self.rng.choice(("Ito", "Jones", "Khan", "Lopez", "Meyer", "Ng")),
                    email=f"b{self.tag}u{i + 1}@bench.invalid",
                    password=hashed,
                    tenant=tenant,
                    role=role,
                    organization=None
                    if role != Role.REQUESTER
                    else self.rng.choice(orgs_of[tenant.pk]),
                )
            )
        people = User.objects.bulk_create(people, batch_size=2000)
        team_objs = [
            Team(tenant=self.tenants[i % len(self.tenants)], name=f"Team {self.tag} {i + 1}")
            for i in range(self.n_teams)
        ]
        team_objs = Team.objects.bulk_create(team_objs)
        agents_by_tenant: dict[int, list[User]] = {}
        requesters_by_tenant: dict[int, list[User]] = {}
        for u in people:
            target = agents_by_tenant if u.is_agent else requesters_by_tenant
            target.setdefault(u.tenant_id, []).append(u)
        teams_by_tenant: dict[int, list[Team]] = {}
        for t in team_objs:
            teams_by_tenant.setdefault(t.tenant_id, []).append(t)
        members: dict[int, list[int]] = {t.pk: [] for t in team_objs}
        links = []
        for tenant_id, agents in agents_by_tenant.items():
            tenant_teams = teams_by_tenant.get(tenant_id, [])
            if not tenant_teams:
                continue
            for k, agent in enumerate(agents):
                chosen = {tenant_teams[k % len(tenant_teams)].pk}
                if self.rng.random() < 0.3:
                    chosen.add(self.rng.choice(tenant_teams).pk)
                for team_id in chosen:
                    members[team_id].append(agent.pk)
                    links.append(Team.members.through(team_id=team_id, user_id=agent.pk))
        Team.members.through.objects.bulk_create(links, batch_size=5000)
        self.teams_by_tenant = {k: [t.pk for t in v] for k, v in teams_by_tenant.items()}
        self.members = members
        self.agents_by_tenant = {k: [u.pk for u in v] for k, v in agents_by_tenant.items()}
        self.callers_by_tenant = {
            t.pk: [(u.pk, u.organization_id) for u in requesters_by_tenant.get(t.pk, [])]
            or [(u, None) for u in self.agents_by_tenant.get(t.pk, [])]
            for t in self.tenants
        }
        r = self.result
        r.tenants, r.users, r.teams = len(self.tenants), len(people), len(team_objs)
        r.rows += len(self.tenants) + len(orgs) + len(people) + len(team_objs) + len(links)

    # --- incidents ----------------------------------------------------------------------

    def _numbers(self) -> int:
        """Advance the INC counter once by N and return the first number's value."""
        with transaction.atomic():
            Counter.objects.get_or_create(name="INC")
            row = Counter.objects.select_for_update().get(name="INC")
            first = row.value + 1
            Counter.objects.filter(name="INC").update(value=row.value + self.n_items)
        return first

    def _events(
        self,
        item_id: int,
        tenant_id: int,
        state: str,
        opened: datetime,
        actor: int,
        assignee: int | None,
        created: dict[str, Any],
    ) -> tuple[list[tuple[str, dict[str, Any], bool, int | None]], datetime]:
        """The journal an incident in `state` would have: (verb, data, internal, actor)."""
        rng = self.rng
        steps: list[tuple[str, dict[str, Any], bool, int | None]] = [
            ("created", created, False, actor)
        ]
        worker = assignee or actor
        path: list[str] = []
        if state in (S.IN_PROGRESS, S.ON_HOLD, S.RESOLVED, S.CLOSED):
            path.append(S.IN_PROGRESS)
        if state == S.ON_HOLD:
            path.append(S.ON_HOLD)
        if state in (S.RESOLVED, S.CLOSED):
            path.append(S.RESOLVED)
        if state == S.CLOSED:
            path.append(S.CLOSED)
        if state == S.CANCELLED:
            path.append(S.CANCELLED)
        before = S.NEW
        for to in path:
            data: dict[str, Any] = {"from": before, "to": to}
            if to == S.ON_HOLD:
                data["hold_reason"] = rng.choice(HOLD_KEYS)
            elif to == S.RESOLVED:
                data.update(close_code=rng.choice(CLOSE_KEYS), close_notes=rng.choice(COMMENTS))
            elif to == S.CANCELLED:
                data["cancel_reason"] = "Duplicate of another incident."
            steps.append(("transition", data, False, None if to == S.CLOSED else worker))
            if to == S.IN_PROGRESS and rng.random() < 0.8:
                internal = rng.random() < 0.5
                verb = "work_note" if internal else "comment"
                steps.append((verb, {"body": rng.choice(COMMENTS)}, internal, worker))
            before = to
        last = opened + timedelta(minutes=rng.randint(5, 60 * 24 * 5) * len(steps))
        return steps, last

    def _items(self, first_number: int) -> None:
        wi = _Writer(WorkItem)
        detail = _Writer(IncidentDetail)
        ev = _Writer(JournalEvent)
        clock_writer = _Writer(SlaClock)
        rng = self.rng
        states = [s for s, _w in STATE_WEIGHTS]
        weights = [w for _s, w in STATE_WEIGHTS]
        tenant_ids = [t.pk for t in self.tenants]
        now = datetime.now(UTC).replace(microsecond=0)
        # The clocks each tenant's definitions (its own and those shared down) would attach.
        makers = {
            t.pk: ClockMaker(definitions_for(SimpleNamespace(tenant=t, tenant_id=t.pk)), now=now)
            for t in self.tenants
        }
        span = 2 * 365 * 24 * 3600
        window = max(120, settings.INCIDENT_AUTO_CLOSE_DAYS * 86400 - 3600)
        recent = now - timedelta(seconds=window)
        done = 0
        while done < self.n_items:
            n = min(self.batch, self.n_items - done)
            with transaction.atomic():
                ids = reserve_ids(WorkItem, n)
                items, details, events = [], [], []
                clocks: list[dict[str, Any]] = []
                pending: list[tuple[int, int, list[Any], datetime, dict[str, Any]]] = []
                for k in range(n):
                    pos = done + k
                    number = f"INC-{first_number + pos}"
                    tenant_id = tenant_ids[pos % len(tenant_ids)]
                    caller, org = rng.choice(self.callers_by_tenant[tenant_id])
                    teams: list[int | None] = [*self.teams_by_tenant.get(tenant_id, [])] or [None]
                    state = rng.choices(states, weights)[0]
                    team = rng.choice(teams) if state != S.NEW or rng.random() < 0.7 else None
                    assignee = None
                    if team is not None and state != S.NEW and self.members.get(team):
                        assignee = rng.choice(self.members[team])
                    agents = self.agents_by_tenant.get(tenant_id) or [caller]
                    opener = rng.choice(agents)
                    impact, urgency = rng.randint(1, 3), rng.randint(1, 3)
                    # Older numbers were opened earlier: numbers and dates grow together.
                    offset = span * (1 - pos / max(1, self.n_items))
                    opened = now - timedelta(seconds=int(offset) + rng.randint(0, 3600))
                    title = (
                        f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} "
                        f"{rng.choice(SYMPTOMS)}"
                    )
                    description = _sentence(rng, 12, 40)
                    created = {
                        "number": number,
                        "state": S.NEW,
                        "priority": DEFAULT_MATRIX[(impact, urgency)],
                        "fields": {
                            "title": title,
                            "impact": impact,
                            "urgency": urgency,
                            "caller": caller,
                        },
                    }
                    steps, last = self._events(
                        ids[k], tenant_id, state, opened, opener, assignee, created
                    )
                    if state == S.RESOLVED and last < recent:
                        # Still resolved means resolved within the auto-close window (older
                        # ones the desk's auto-close would have closed); otherwise every
                        # benchmark's server would spend its first hours closing them.
                        last = max(opened, now - timedelta(seconds=rng.randint(60, window)))
                    values: dict[str, Any] = {
                        "id": ids[k],
                        "tenant_id": tenant_id,
                        "kind": Kind.INCIDENT.value,
                        "number": number,
                        "title": title,
                        "description": description,
                        "state": state,
                        "impact": impact,
                        "urgency": urgency,
                        "priority": DEFAULT_MATRIX[(impact, urgency)],
                        "caller_id": caller,
                        "organization_id": org,
                        "opened_by_id": opener,
                        "opened_at": _dt(opened),
                        "assignment_group_id": team,
                        "assignee_id": assignee,
                        "service": rng.choice(SERVICES),
                        "category": rng.choice(CATEGORIES),
                        "channel": rng.choice(CHANNELS),
                        "active": state not in (S.CLOSED, S.CANCELLED),
                        "updated_at": _dt(last),
                        "version": len(steps),
                    }
                    if state == S.ON_HOLD:
                        values["hold_reason"] = steps[-1][1].get("hold_reason") or HOLD_KEYS[0]
                    if state in (S.RESOLVED, S.CLOSED):
                        resolved = next(d for v, d, _i, _a in steps if d.get("to") == S.RESOLVED)
                        values.update(
                            close_code=resolved["close_code"],
                            close_notes=resolved["close_notes"],
                            resolved_at=_dt(last),
                            resolved_by_id=assignee or opener,
                        )
                    if state in (S.CLOSED, S.CANCELLED):
                        values["closed_at"] = _dt(last)
                    if state == S.CANCELLED:
                        values["cancel_reason"] = "Duplicate of another incident."
                    details.append(detail.row({"work_item_id": ids[k]}))
                    pending.append((ids[k], tenant_id, steps, opened, values))
                event_ids = reserve_ids(JournalEvent, sum(len(p[2]) for p in pending))
                cursor = 0
                for item_id, tenant_id, steps, opened, values in pending:
                    prev = journal.GENESIS
                    at = opened
                    path: list[tuple[datetime, str, str]] = [(opened, S.NEW, "")]
                    for seq, (verb, data, internal, actor) in enumerate(steps, start=1):
                        if verb == "transition":
                            path.append((at, data["to"], data.get("hold_reason", "")))
                        payload = json.loads(journal.canonical_json(data))
                        fake = SimpleNamespace(
                            tenant_id=tenant_id,
                            subject_type=SUBJECT,
                            subject_id=item_id,
                            seq=seq,
                            actor_id=actor,
                            verb=verb,
                            data=payload,
                            internal=internal,
                            created_at=at,
                            prev_hash=prev,
                        )
                        digest = journal._digest(cast(JournalEvent, fake))
                        events.append(
                            ev.row(
                                {
                                    "id": event_ids[cursor],
                                    "tenant_id": tenant_id,
                                    "subject_type": SUBJECT,
                                    "subject_id": item_id,
                                    "seq": seq,
                                    "actor_id": actor,
                                    "verb": verb,
                                    "data": journal.canonical_json(payload),
                                    "internal": internal,
                                    "created_at": _dt(at),
                                    "prev_hash": prev,
                                    "hash": digest,
                                }
                            )
                        )
                        cursor += 1
                        prev = digest
                        at = at + timedelta(minutes=rng.randint(3, 600))
                    fields = {name: values[name] for name in CLOCK_FIELDS}
                    made = makers[tenant_id].clocks(fields, path)
                    for clock in made:
                        clock.update(tenant_id=tenant_id, work_item_id=item_id)
                        clocks.append(clock)
                    # The item's SLA summary, as serval.sla.engine.sync_item keeps it.
                    summary = clock_summary(made)
                    nxt = summary["sla_next_breach_at"]
                    values["sla_next_breach_at"] = None if nxt is None else _dt(nxt)
                    values["sla_flagged"] = summary["sla_flagged"]
                    items.append(wi.row(values))
                clock_ids = reserve_ids(SlaClock, len(clocks))
                clock_rows = []
                for clock_id, clock in zip(clock_ids, clocks, strict=True):
                    clock["id"] = clock_id
                    for name in CLOCK_TIMES:
                        if clock[name] is not None:
                            clock[name] = _dt(clock[name])
                    clock_rows.append(clock_writer.row(clock))
                wi.write(items)
                detail.write(details)
                ev.write(events)
                clock_writer.write(clock_rows)
            done += n
            running = sum(1 for c in clocks if c["stage"] == "in_progress")
            self.result.work_items += n
            self.result.journal_events += len(events)
            self.result.sla_clocks += len(clocks)
            self.result.running_clocks += running
            self.result.rows += n * 2 + len(events) + len(clocks)
            self.progress(n)

    # --- search index -------------------------------------------------------------------

    def _before_load(self) -> None:
        self._dropped: list[tuple[str, str]] = []
        with connection.cursor() as cur:
            if connection.vendor == "sqlite":
                for sql in fts.SQLITE_TEARDOWN:
                    if sql.startswith("DROP TRIGGER"):
                        cur.execute(sql)
            elif connection.vendor == "postgresql" and self.n_items >= REBUILD_INDEX_AT:
                # Secondary indexes (the GIN one included) cost more kept up row by row during
                # a big COPY than built once after it; those constraints own stay.
                for table in BULK_TABLES:
                    cur.execute(
                        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                        "JOIN pg_class i ON i.oid = x.indexrelid "
                        "JOIN pg_class t ON t.oid = x.indrelid "
                        "WHERE t.relname = %s AND NOT EXISTS "
                        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                        [table],
                    )
                    self._dropped.extend(cur.fetchall())
                for name, _definition in self._dropped:
                    cur.execute(f'DROP INDEX IF EXISTS "{name}"')

    def _after_load(self) -> None:
        with connection.cursor() as cur:
            if connection.vendor == "sqlite":
                for sql in fts.SQLITE_SETUP:  # triggers back, then one rebuild of the index
                    cur.execute(sql)
                cur.execute("ANALYZE")  # statistics for the planner, as PostgreSQL gets below
            elif connection.vendor == "postgresql":
                if self._dropped:
                    cur.execute("SET maintenance_work_mem = '256MB'")
                for _name, definition in self._dropped:  # as pg_get_indexdef wrote them
                    cur.execute(definition)
                for table in BULK_TABLES:
                    cur.execute(f"ANALYZE {table}")

    def run(self) -> Result:
        started = time.perf_counter()
        with transaction.atomic():
            self._people()
        if self.n_cis:
            self._cmdb()
        first = self._numbers() if self.n_items else 0
        self._before_load()
        try:
            self._items(first)
        finally:
            self._after_load()
        r = self.result
        if self.n_items:
            r.first_number, r.last_number = f"INC-{first}", f"INC-{first + self.n_items - 1}"
        r.seconds = time.perf_counter() - started
        if self.n_items:
            r.notes.append(
                _(
                    "SLA clocks: %(clocks)s (%(running)s running); their journal events are "
                    "not generated."
                )
                % {"clocks": f"{r.sla_clocks:,}", "running": f"{r.running_clocks:,}"}
            )
        if self.n_cis:
            r.notes.append(_("CI journals are not generated (the impact benchmark reads none)."))
        return r

    def _cmdb(self) -> None:
        """The CIs and relationships, split evenly over the tenants (totals as asked)."""
        started = time.perf_counter()
        count = len(self.tenants)
        for i, tenant in enumerate(self.tenants):
            graph = generate_cmdb(
                tenant,
                cis=self.n_cis // count + (1 if i < self.n_cis % count else 0),
                relationships=self.n_relationships // count
                + (1 if i < self.n_relationships % count else 0),
                rng=self.rng,
                tag=self.tag,
                teams=self.teams_by_tenant.get(tenant.pk, []),
                progress=self.cmdb_progress,
            )
            self.graphs.append(graph)
            r = self.result
            made = sum(len(v) for v in graph.layers.values())
            r.cis += made
            r.relationships += graph.relationships
            r.services += len(graph.services) + len(graph.offerings)
            r.rows += made + graph.relationships + len(graph.services) + len(graph.offerings)
        analyze_cmdb()
        self.result.cmdb_seconds = time.perf_counter() - started


def cmdb_available() -> bool:
    """Whether the CMDB (issue 4) exists; until it does, no CIs are generated (none faked)."""
    return apps.is_installed("serval.cmdb")


# --- the CMDB graph (issue 4's impact benchmark) -------------------------------------------------

# Share of each tenant's CIs per layer, top (applications) to bottom (shared infrastructure);
# plain servers (virtual machines) take what is left. (class name, prefix, share)
CI_LAYERS: tuple[tuple[str, str, str, float], ...] = (
    ("app", "business_application", "app", 0.06),
    ("appsrv", "app_server", "as", 0.14),
    ("db", "db_instance", "db", 0.08),
    ("vm", "server", "vm", 0.0),  # the remainder
    ("cluster", "server", "cl", 0.06),
    ("storage", "storage", "st", 0.05),
    ("network", "network_gear", "nw", 0.05),
)
# Edges (parent layer, relationship type, child layer); the parent depends on the child for the
# dependency types. First one per CI of the parent layer (the skeleton; one per CI of the child
# layer where the layer name is marked with "*", so every virtual machine runs something), then
# random extra edges by weight until the asked number is reached. `connects_to` is not a
# dependency: it is noise the impact walk must skip, as in a real CMDB.
CMDB_SKELETON: tuple[tuple[str, str, str], ...] = (
    ("appsrv", "runs_on", "vm"),
    ("db", "runs_on", "vm"),
    ("vm", "hosted_on", "cluster"),
    ("app", "depends_on", "appsrv"),
    ("app", "depends_on", "db"),
    ("vm", "depends_on", "storage"),
    ("cluster", "depends_on", "network"),
    ("storage", "depends_on", "network"),
    ("appsrv", "runs_on", "*vm"),
    ("app", "depends_on", "*appsrv"),
    ("app", "depends_on", "*db"),
)
CMDB_EXTRA: tuple[tuple[str, str, str, int], ...] = (
    ("app", "depends_on", "app", 3),  # application to application: where the cycles are
    ("app", "depends_on", "appsrv", 3),
    ("app", "depends_on", "db", 2),
    ("appsrv", "depends_on", "db", 4),
    ("appsrv", "runs_on", "vm", 2),
    ("vm", "depends_on", "storage", 3),
    ("vm", "depends_on", "network", 2),
    ("vm", "connects_to", "vm", 4),
    ("cluster", "depends_on", "storage", 1),
)
# Share of extra edges that ignore locality (any CI of the layer): the shared, far-reaching ones.
CMDB_GLOBAL = 0.03
MAX_RELATIONSHIPS_PER_CI = 10


@dataclass
class CmdbGraph:
    """What one tenant's generated graph holds; `layers` maps a layer name to its CI ids."""

    tenant_id: int
    layers: dict[str, list[int]]
    services: list[int]
    offerings: list[int]
    relationships: int


def check_cmdb_sizes(cis: int, relationships: int, tenants: int) -> None:
    """Refuse sizes the layered graph cannot hold, before anything is written."""
    if cis == 0 and relationships == 0:
        return
    if cis < len(CI_LAYERS) * tenants:
        raise ValueError(
            _("--cis must be at least %(n)s (one CI per layer per tenant)")
            % {"n": len(CI_LAYERS) * tenants}
        )
    if relationships > cis * MAX_RELATIONSHIPS_PER_CI:
        raise ValueError(
            _("--relationships may be at most %(n)s times --cis") % {"n": MAX_RELATIONSHIPS_PER_CI}
        )


def _layer_sizes(n: int) -> dict[str, int]:
    sizes = {name: max(1, int(n * share)) for name, _c, _p, share in CI_LAYERS if share}
    sizes["vm"] = n - sum(sizes.values())
    if sizes["vm"] < 1:  # tiny graphs: one of each, the rest are virtual machines
        sizes = {name: 1 for name, _c, _p, _s in CI_LAYERS}
        sizes["vm"] = n - len(CI_LAYERS) + 1
    return sizes


def _near(rng: random.Random, frac: float, size: int) -> int:
    """An index in a layer of `size` near relative position `frac`: CIs that belong together
    (an application, its servers, their storage) sit at similar positions of their layers,
    so the graph has neighbourhoods instead of being one random expander."""
    if size == 1:
        return 0
    if rng.random() < CMDB_GLOBAL:
        return rng.randrange(size)
    spread = max(2.0, size * 0.002)
    return min(size - 1, max(0, int(frac * size + rng.gauss(0, spread))))


def generate_cmdb(
    tenant: Tenant,
    *,
    cis: int,
    relationships: int,
    rng: random.Random,
    tag: str,
    teams: Sequence[int] = (),
    progress: Callable[[str, int], None] | None = None,
) -> CmdbGraph:
    """One tenant's CMDB graph: services and offerings on top, shared infrastructure below.

    Bulk-written like the incidents (ids reserved, COPY / executemany). Each business
    application realizes an offering (`ServiceCI`), so an upstream walk from infrastructure ends
    at services. Relationship types come from the seeded `RelationshipType` table, the
    `(parent, type, child)` triples are unique and never self-loops, and no `single_parent`
    type is used. CI journals are not written: the impact benchmark does not read them.
    """
    from serval.cmdb.models import CI, CIClass, CIRelationship, RelationshipType, ServiceCI
    from serval.cmdb.seed import ensure_seed
    from serval.services.models import Criticality, Service, ServiceKind, ServiceStatus

    report = progress or (lambda kind, n: None)
    ensure_seed()
    classes = dict(
        CIClass.objects.filter(tenant__isnull=True).values_list("name", "pk").order_by("pk")
    )
    types = dict(RelationshipType.objects.values_list("name", "pk"))
    sizes = _layer_sizes(cis)
    now = datetime.now(UTC).replace(microsecond=0)
    stamp = _dt(now)
    crit = list(Criticality.values)
    with transaction.atomic():
        ids = reserve_ids(CI, cis)
        layers: dict[str, list[int]] = {}
        writer = _Writer(CI)
        rows: list[tuple[Any, ...]] = []
        cursor = 0
        for name, class_name, prefix, _share in CI_LAYERS:
            layer = ids[cursor : cursor + sizes[name]]
            cursor += sizes[name]
            layers[name] = layer
            hardware = class_name in ("server", "storage", "network_gear")
            for k, pk in enumerate(layer):
                host = f"{prefix}-{tag}-{tenant.pk}-{k + 1}"
                rows.append(
                    writer.row(
                        {
                            "id": pk,
                            "tenant_id": tenant.pk,
                            "name": host if hardware else f"{prefix.upper()} {tag} {k + 1}",
                            "ci_class_id": classes[class_name],
                            "serial": f"SN-{host}".upper() if hardware else "",
                            "hostname": host
                            if hardware or class_name != "business_application"
                            else "",
                            "fqdn": f"{host}.bench.invalid" if hardware else "",
                            "support_team_id": teams[k % len(teams)] if teams else None,
                            "location": f"DC{k % 3 + 1}",
                            "criticality": rng.choice(crit),
                            "attributes": "{}",
                            "discovery_source": "bench-data",
                            "last_seen": stamp,
                            "created_at": stamp,
                            "updated_at": stamp,
                        }
                    )
                )
                if len(rows) >= 20_000:
                    writer.write(rows)
                    report("cis", len(rows))
                    rows = []
        writer.write(rows)
        report("cis", len(rows))

        edges: set[tuple[int, int, int]] = set()
        rel = _Writer(CIRelationship)
        pending: list[tuple[int, int, int]] = []

        def add(parent_layer: str, type_name: str, child_layer: str, k: int) -> None:
            """An edge from parent `k` to a child near it (child `k` to a parent, for "*")."""
            if child_layer.startswith("*"):
                parents, children = layers[parent_layer], layers[child_layer[1:]]
                parent = parents[_near(rng, k / len(children), len(parents))]
                edge = (parent, types[type_name], children[k])
            else:
                parents, children = layers[parent_layer], layers[child_layer]
                child = children[_near(rng, k / len(parents), len(children))]
                edge = (parents[k], types[type_name], child)
            if edge[0] != edge[2] and edge not in edges:
                edges.add(edge)
                pending.append(edge)

        def flush() -> None:
            rel.write(
                [
                    rel.row(
                        {
                            "id": pk,
                            "tenant_id": tenant.pk,
                            "parent_id": p,
                            "child_id": c,
                            "type_id": t,
                            "single_parent": False,
                            "created_at": stamp,
                        }
                    )
                    for pk, (p, t, c) in zip(
                        reserve_ids(CIRelationship, len(pending)), pending, strict=True
                    )
                ]
            )
            report("relationships", len(pending))
            pending.clear()

        for parent_layer, type_name, child_layer in CMDB_SKELETON:
            for k in range(
                len(layers[child_layer.lstrip("*") if "*" in child_layer else parent_layer])
            ):
                if len(edges) >= relationships:
                    break
                add(parent_layer, type_name, child_layer, k)
                if len(pending) >= 20_000:
                    flush()
        kinds = [(p, t, c) for p, t, c, _w in CMDB_EXTRA]
        weights = [w for _p, _t, _c, w in CMDB_EXTRA]
        attempts = 0
        while len(edges) < relationships:
            attempts += 1
            if attempts > 50 * relationships:
                raise ValueError(_("too many relationships for that many CIs"))
            parent_layer, type_name, child_layer = rng.choices(kinds, weights)[0]
            add(parent_layer, type_name, child_layer, rng.randrange(len(layers[parent_layer])))
            if len(pending) >= 20_000:
                flush()
        flush()

        n_services = max(1, min(300, len(layers["app"]) // 10))
        services = Service.objects.bulk_create(
            [
                Service(
                    tenant=tenant,
                    name=f"Business service {tag} {k + 1}",
                    kind=ServiceKind.BUSINESS,
                    status=ServiceStatus.LIVE,
                    criticality=rng.choice(crit),
                )
                for k in range(n_services)
            ]
        )
        offerings = Service.objects.bulk_create(
            [
                Service(
                    tenant=tenant,
                    name=f"{s.name} — {label}",
                    kind=ServiceKind.OFFERING,
                    parent=s,
                    status=ServiceStatus.LIVE,
                    criticality=s.criticality,
                )
                for s in services
                for label in ("Standard", "Premium")
            ]
        )
        links: set[tuple[int, int]] = set()
        apps = layers["app"]
        for k, app in enumerate(apps):  # every application realizes an offering, some two
            links.add((offerings[_near(rng, k / len(apps), len(offerings))].pk, app))
            if rng.random() < 0.2:
                links.add((rng.choice(offerings).pk, app))
        link_writer = _Writer(ServiceCI)
        link_writer.write(
            [
                link_writer.row(
                    {
                        "id": pk,
                        "tenant_id": tenant.pk,
                        "service_id": s,
                        "ci_id": c,
                        "created_at": stamp,
                    }
                )
                for pk, (s, c) in zip(
                    reserve_ids(ServiceCI, len(links)), sorted(links), strict=True
                )
            ]
        )
    return CmdbGraph(
        tenant_id=tenant.pk,
        layers=layers,
        services=[s.pk for s in services],
        offerings=[o.pk for o in offerings],
        relationships=len(edges),
    )


def analyze_cmdb() -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL; SQLite's ANALYZE is cheap too)."""
    from serval.cmdb.models import CI, CIRelationship, ServiceCI

    with connection.cursor() as cur:
        for model in (CI, CIRelationship, ServiceCI):
            cur.execute(f"ANALYZE {model._meta.db_table}")
