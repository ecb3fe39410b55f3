"""Benchmark of the review inbox and "my items" on a large organisation.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/inbox.py

Creates a separate database (``liaison_bench`` on the server of DATABASE_URL),
migrates it, builds 1,000 users in 50 units and 100,000 items in every state
with their review steps, receivers and guardian object permissions (the rows
``sync_item_grants`` would write), then prints for a typical user — a unit
head for the review inbox, an officer for "my items" (waiting tab) — the
median time and query count of

* the real page, rendered through django.test.Client (the user is logged in
  once beforehand, so the count is what one page request costs: session,
  user, roles, header bell, filter choices, rows, count, session save);
* the selector as the page uses it: ``Paginator(selector, 20).get_page(1)``,
  i.e. the paginator's COUNT and the first 20 rows built as model instances;
* the bare indexed SQL returning the same thing: the same 20 rows (LIMIT 20,
  same order, the columns the template shows) and the same COUNT, fetched
  as tuples through a raw cursor.

The comparison is like with like: both sides run two queries (rows + count)
for page 1 of 20. The bare review query keeps the inbox's semantics — the
user's pending assignments on open steps, plus those of principals who named
the user their deputy for now (a tiny index lookup) — but not the selector's
visibility narrowing (the user's view grants, which every such row carries):
that check, the ORM's query compilation and model building are the overhead
measured. Both sides' rows and counts are asserted equal.

Beside them, the same rows through the plainest ORM query (select_related,
no visibility rule, no delegation, no receiver counts): the floor of what
Django itself costs over a raw cursor for two queries, so a reader can tell
the selector's own overhead from the framework's.

Rounds are interleaved (page, selector, bare, ORM, page, …) so a busy
machine slows all of them alike; the ratio is median selector / median bare.
Targets: the selector within 2× of the bare query (issue 4), a query count
that does not grow with rows, and the whole rendered page — session, user,
roles, menu, filters, rows, template — within 3× of the bare SQL for the
same rows (issue 12), at 10,000 and at 100,000 items (``BENCH_ITEMS``). The
last line judges both:

    inbox: review page X.XX× bare SQL (target 3×), selector Y.YY× (target 2×) at N items

Figures (2 vCPUs shared with other jobs, load 1.5–3, fresh build):
review inbox (203 open steps) selector 22.1 ms vs bare 11.1 ms (1.99×),
plain ORM 1.7×; my items, waiting tab (489 items) selector 16.2 ms vs bare
5.7 ms (2.84×; 2.5× on a rerun), plain ORM 2.2×. Pages: 14 and 13 queries.

Pages (issue 12; load 10, ``BENCH_REPEAT=15``, reusing bench/http.py's
builds): at 100,000 items review page 49.6 ms vs bare 15.7 ms (3.15×; 3.64×
before the inbox's count rode on its rows' query), selector 1.90×; at
10,000 items 56.9 ms vs 10.1 ms (5.62×): the page's own fixed cost
(session, user, roles, header bell, filter choices, delegations: 7 queries
in all) is most of it when the list is small.

After the batch approval's list was read from the rows (``may_edit`` with
the step, no query of its own) and written in Python (h12arch; load 4–9,
``BENCH_REPEAT=15``, ``--reuse`` of copies named h12arch_*): at 10,000
items review page 6.70× bare SQL before (67.0 ms vs 10.0 ms, 10 queries),
5.49× after (91.9 ms vs 16.8 ms on a busier minute, 9 queries), selector
1.91×; at 100,000 items 4.00× (20.6 ms vs 5.2 ms), selector 2.21×; my items
page 7.7–7.9× at both. Still above 3×: the page's fixed cost (session,
user, roles, bell, delegations, the filter form's units, checklist and
phrases: 7 of its 9 queries, and the template) is most of it; what the
lists themselves cost is within about 2× of the bare SQL.

Options: ``--keep`` leaves the database for EXPLAIN; ``--reuse`` measures an
existing ``liaison_bench`` left by ``--keep`` without rebuilding (and keeps
it); BENCH_DB names another database (``--reuse`` also measures a database
bench/http.py built, which holds the same organisation); BENCH_EXPLAIN=1
prints the plans; BENCH_REPEAT sets the rounds (31).
"""
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

N_ITEMS = int(os.environ.get("BENCH_ITEMS", 100_000))
N_USERS = int(os.environ.get("BENCH_USERS", 1_000))
N_UNITS = 50
REPEAT = int(os.environ.get("BENCH_REPEAT", 31))
BENCH_DB = os.environ.get("BENCH_DB", "liaison_bench")


def admin_connect(url):
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    return psycopg.connect(admin, autocommit=True)


def create_database(url):
    with admin_connect(url) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    return urlunsplit(urlsplit(url)._replace(path=f"/{BENCH_DB}"))


def drop_database(url):
    from django.db import connections

    connections.close_all()
    with admin_connect(url) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def setup_django(bench_url):
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + "x" * 50)
    import django

    django.setup()
    from django.conf import settings

    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.ALLOWED_HOSTS = ["*"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # No collectstatic here: plain static URLs, as in the tests.
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def copy_rows(table, columns, rows):
    """COPY rows into a table (much faster than INSERT for 100,000s of rows).
    A NOT NULL column the caller does not name (one a later migration added)
    gets its field's default, so the build keeps up with the models."""
    from django.apps import apps
    from django.db import connection

    extra, values = [], []
    model = next((m for m in apps.get_models() if m._meta.db_table == table), None)
    for f in model._meta.concrete_fields if model else ():
        if f.primary_key or f.null or f.column in columns or f.has_db_default():
            continue
        extra.append(f.column)
        values.append(f.get_db_prep_save(f.get_default(), connection))
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join([*columns, *extra])}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([*row, *values] if extra else row)


def next_ids(table, count):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [count])
        return [row[0] for row in cursor.fetchall()]


def build():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Permission
    from django.db import connection, transaction
    from django.utils import timezone

    from infoflow.models import Item, ItemUserObjectPermission, Receiver, ReviewStep, StepAssignee
    from infoflow.services.ontime_days import rebuild_ontime_days
    from officers.models import Officer, OrgUnit, StaffProfile

    rng = random.Random(4)
    User = get_user_model()
    password = make_password("bench-password")
    started = time.perf_counter()
    with transaction.atomic():
        users = User.objects.bulk_create(
            [User(username=f"u{n:04d}", first_name=f"用户{n}", password=password) for n in range(N_USERS)]
        )
        # Per unit: a head, two officers, the rest staff; 10 leaders supervise five units each.
        leaders = users[:10]
        units = OrgUnit.objects.bulk_create(
            [
                OrgUnit(code=f"b{n:02d}", name=f"部门{n}", number_prefix=f"B{n:02d}", head=users[10 + n],
                        supervising_leader=leaders[n % 10], sort_order=n)
                for n in range(N_UNITS)
            ]
        )
        officers = {unit.pk: [users[60 + 2 * n], users[61 + 2 * n]] for n, unit in enumerate(units)}
        Officer.objects.bulk_create(
            [Officer(user=u, unit_id=unit_id, phone="13800000000", is_primary=i == 0)
             for unit_id, pair in officers.items() for i, u in enumerate(pair)]
        )
        staff_unit = {}
        for n, user in enumerate(users):
            staff_unit[user.pk] = units[n % N_UNITS].pk
        for n, unit in enumerate(units):
            staff_unit[users[10 + n].pk] = unit.pk
            for u in officers[unit.pk]:
                staff_unit[u.pk] = unit.pk
        StaffProfile.objects.bulk_create([StaffProfile(user=u, unit_id=staff_unit[u.pk]) for u in users])

        perms = {p.codename: p.pk for p in Permission.objects.filter(content_type__app_label="infoflow",
                                                                      codename__in=["view_item", "handle_item",
                                                                                    "receive_item"])}
        now = timezone.now()
        states = (
            [Item.State.DRAFT] * 10 + [Item.State.IN_REVIEW] * 20 + [Item.State.RETURNED] * 5
            + [Item.State.APPROVED] * 5 + [Item.State.TRANSMITTED] * 20 + [Item.State.COMPLETED] * 35
            + [Item.State.CANCELLED] * 5
        )
        item_ids = next_ids("infoflow_item", N_ITEMS)
        item_rows, plan = [], []
        for n, pk in enumerate(item_ids):
            unit = units[n % N_UNITS]
            initiator = officers[unit.pk][n % 2]
            state = rng.choice(states)
            created = now - timedelta(minutes=N_ITEMS - n)
            submitted = None if state == Item.State.DRAFT else created + timedelta(minutes=5)
            receiver_unit = units[(n * 7 + 3) % N_UNITS]
            if receiver_unit.pk == unit.pk:
                receiver_unit = units[(n * 7 + 4) % N_UNITS]
            plan.append((pk, unit, initiator, state, submitted, receiver_unit))
            item_rows.append((
                pk, f"{unit.number_prefix}-B-{n:06d}" if submitted else None, "external", "routine", "internal",
                rng.choice(["normal", "normal", "normal", "urgent", "extra_urgent"]), state, unit.pk, initiator.pk,
                f"信息主题 {n} 关于客户回访与交货安排", "内容摘要" * 10, "", "", False, False, False, True, False,
                "email", "", now + timedelta(days=3), created, submitted, "", "[]", False, "start",
                1 if submitted else 0, 0 if state == Item.State.IN_REVIEW else None, "", "", "", "",
            ))
        copy_rows(
            "infoflow_item",
            ["id", "number", "direction", "kind", "confidentiality", "urgency", "state", "unit_id", "initiator_id",
             "subject", "summary", "remarks", "project", "is_major", "has_legal_effect", "needs_coordination",
             "needs_answer", "to_all_staff", "transmission_methods", "release_channels", "expected_feedback_at",
             "created_at", "submitted_at", "route_name", "route_snapshot", "send_first", "restart", "review_round",
             "current_stage", "cancel_reason", "source_name", "source_reference", "archive_number"],
            item_rows,
        )
        del item_rows

        step_rows, assignee_rows, receiver_rows, perm_rows = [], [], [], []
        sent_states = {Item.State.TRANSMITTED, Item.State.COMPLETED}
        reviewed = {Item.State.IN_REVIEW, Item.State.RETURNED, Item.State.APPROVED} | sent_states
        step_ids = iter(next_ids("infoflow_reviewstep", 2 * N_ITEMS))
        for pk, unit, initiator, state, submitted, receiver_unit in plan:
            grants = {(initiator.pk, "view_item"), (initiator.pk, "handle_item")}
            for officer in officers[unit.pk]:
                grants |= {(officer.pk, "view_item"), (officer.pk, "handle_item")}
            if state in reviewed:
                head_step = next(step_ids)
                open_head = state == Item.State.IN_REVIEW and rng.random() < 0.5
                open_leader = state == Item.State.IN_REVIEW and not open_head
                due = submitted + timedelta(hours=(pk % 48) - 24)
                step_rows.append((head_step, pk, 1, 0, "部门负责人", "unit_head", "all", False,
                                  "open" if open_head else "approved", submitted, due, None if open_head else due))
                assignee_rows.append((head_step, unit.head_id, "pending" if open_head else "approved", "同意"))
                grants.add((unit.head_id, "view_item"))
                if not open_head:
                    leader_step = next(step_ids)
                    step_rows.append((leader_step, pk, 1, 1, "分管领导", "supervising_leader", "all", False,
                                      "open" if open_leader else "approved", due, due + timedelta(hours=8),
                                      None if open_leader else due + timedelta(hours=4)))
                    assignee_rows.append((leader_step, unit.supervising_leader_id,
                                          "pending" if open_leader else "approved", "同意"))
                    grants.add((unit.supervising_leader_id, "view_item"))
            sent = state in sent_states
            receiver_state = ("answered" if state == Item.State.COMPLETED else rng.choice(["sent", "acknowledged"])) \
                if sent else "waiting"
            receiver_rows.append((pk, "unit", receiver_unit.pk, receiver_state,
                                  submitted + timedelta(hours=2) if sent else None,
                                  submitted + timedelta(days=2) if sent else None, "", ""))
            if sent:
                for person in [receiver_unit.head] + officers[receiver_unit.pk]:
                    grants |= {(person.pk, "view_item"), (person.pk, "receive_item")}
            perm_rows.extend((perms[code], user_id, pk) for user_id, code in grants)
        copy_rows("infoflow_reviewstep",
                  ["id", "item_id", "review_round", "stage_index", "name", "decider", "mode", "may_edit", "state",
                   "started_at", "due_at", "closed_at", "handovers", "limit_unit"],
                  (row + ("[]", "") for row in step_rows))
        copy_rows("infoflow_stepassignee", ["step_id", "user_id", "decision", "opinion"], assignee_rows)
        copy_rows("infoflow_receiver", ["item_id", "kind", "unit_id", "state", "sent_at", "answer_due_at",
                                        "answer_result", "answer_next_steps", "response_limit_unit"],
                  (row + ("",) for row in receiver_rows))
        copy_rows(ItemUserObjectPermission._meta.db_table, ["permission_id", "user_id", "content_object_id"],
                  perm_rows)
        with connection.cursor() as cursor:
            for table in ("infoflow_reviewstep", "infoflow_stepassignee", "infoflow_receiver",
                          ItemUserObjectPermission._meta.db_table):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
    # The rows above were copied in, not decided through the services: fill the
    # on-time page's day totals from them as migration 0012 does.
    rebuild_ontime_days()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"built {N_USERS} users, {N_UNITS} units, {N_ITEMS} items, {len(step_rows)} steps, "
        f"{len(receiver_rows)} receivers, {len(perm_rows)} object permissions "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return units


def measure(fns, repeat=REPEAT):
    """Run each of ``fns`` (name -> callable) once to warm up, then ``repeat``
    interleaved rounds; name -> (median seconds, queries per run, last result)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = {name: [] for name in fns}
    counts = {name: [] for name in fns}
    results = {name: fn() for name, fn in fns.items()}
    for _ in range(repeat):
        for name, fn in fns.items():
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                results[name] = fn()
                times[name].append(time.perf_counter() - start)
            counts[name].append(len(queries))
    return {name: (statistics.median(times[name]), max(counts[name]), results[name]) for name in fns}


def bare(*statements):
    """Run (sql, params) statements on a raw cursor; the list of their rows."""
    from django.db import connection

    def run():
        out = []
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                out.append(cursor.fetchall())
        return out

    return run


# The user and the principals who named them their deputy for now (代理).
ACTING = """(SELECT %(user)s UNION ALL SELECT d.principal_id FROM infoflow_delegation d
  WHERE d.deputy_id = %(user)s AND d.revoked_at IS NULL AND d.start <= %(now)s AND d."end" > %(now)s)"""
REVIEW_SQL = f"""
SELECT s.id, s.name, s.decider, s.review_round, s.due_at, a.taken_at,
  i.id, i.number, i.subject, i.urgency, u.name, iu.username, iu.first_name, iu.last_name
FROM infoflow_stepassignee a
JOIN infoflow_reviewstep s ON s.id = a.step_id
JOIN infoflow_item i ON i.id = s.item_id
JOIN officers_orgunit u ON u.id = i.unit_id
JOIN auth_user iu ON iu.id = i.initiator_id
WHERE a.user_id IN {ACTING} AND a.decision = 'pending' AND s.state = 'open'
ORDER BY COALESCE(s.due_at, s.started_at) ASC NULLS LAST, s.id
LIMIT 20"""
REVIEW_COUNT_SQL = f"""
SELECT count(*) FROM infoflow_stepassignee a JOIN infoflow_reviewstep s ON s.id = a.step_id
WHERE a.user_id IN {ACTING} AND a.decision = 'pending' AND s.state = 'open'"""

MY_ITEMS_SQL = """
SELECT i.id, i.number, i.subject, i.confidentiality, i.urgency, i.state, i.submitted_at, i.expected_feedback_at,
  u.name, iu.username, iu.first_name, iu.last_name,
  (SELECT count(*) FROM infoflow_receiver r WHERE r.item_id = i.id),
  (SELECT count(*) FROM infoflow_receiver r WHERE r.item_id = i.id AND r.state = 'answered')
FROM infoflow_item i
JOIN officers_orgunit u ON u.id = i.unit_id
JOIN auth_user iu ON iu.id = i.initiator_id
WHERE (i.initiator_id = %s OR i.unit_id = %s) AND i.state IN ('approved', 'transmitted')
ORDER BY i.submitted_at DESC NULLS LAST, i.created_at DESC, i.id DESC
LIMIT 20"""
MY_ITEMS_COUNT_SQL = """
SELECT count(*) FROM infoflow_item i
WHERE (i.initiator_id = %s OR i.unit_id = %s) AND i.state IN ('approved', 'transmitted')"""


def report(label, results):
    page_t, page_q, _ = results["page"]
    sel_t, sel_q, _ = results["selector"]
    bare_t, bare_q, _ = results["bare"]
    print(f"\n{label}")
    print(f"  page (Client GET)      median {page_t * 1000:8.2f} ms  {page_q:3d} queries")
    print(f"  selector (rows+count)  median {sel_t * 1000:8.2f} ms  {sel_q:3d} queries")
    print(f"  bare SQL (rows+count)  median {bare_t * 1000:8.2f} ms  {bare_q:3d} queries")
    print(f"  ratio selector / bare  {sel_t / bare_t:5.2f}×   (page / bare {page_t / bare_t:5.2f}×)")
    if "orm" in results:
        orm_t, orm_q, _ = results["orm"]
        print(f"  plain ORM (rows+count) median {orm_t * 1000:8.2f} ms  {orm_q:3d} queries  "
              f"({orm_t / bare_t:4.2f}× bare: Django's own cost, no visibility rule)")
    return sel_t / bare_t


def existing_units():
    from officers.models import OrgUnit

    return list(OrgUnit.objects.filter(code__startswith="b").order_by("sort_order"))


def run(reuse=False):
    from django.contrib.auth import get_user_model
    from django.core.paginator import Paginator
    from django.db.models import F, Q
    from django.db.models.functions import Coalesce
    from django.test import Client
    from django.utils import timezone

    from infoflow import selectors
    from infoflow.models import Item, ReviewStep

    User = get_user_model()
    units = existing_units() if reuse else build()
    head = User.objects.get(pk=units[0].head_id)
    officer = User.objects.get(username="u0060")

    def selector_page(queryset):
        def go():
            page = Paginator(queryset(), 20).get_page(1)
            return [row.pk for row in page.object_list], page.paginator.count
        return go

    def view(user, url):
        client = Client()
        client.force_login(user)  # once: a measured run is one page request

        def go():
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            return response
        return go

    # The same rows through the plainest ORM query (select_related, no
    # visibility rule, no delegation, no receiver counts): the floor of what
    # Django costs over the bare SQL, printed beside the selector.
    def plain_review():
        return (ReviewStep.objects.filter(state="open", assignees__user=head, assignees__decision="pending")
                .select_related("item", "item__unit", "item__initiator")
                .order_by(Coalesce("due_at", "started_at").asc(nulls_last=True), "pk"))

    def plain_my_items():
        return (Item.objects.filter(Q(initiator=officer) | Q(unit_id=units[0].pk), state__in=["approved", "transmitted"])
                .select_related("unit", "initiator")
                .order_by(F("submitted_at").desc(nulls_last=True), "-created_at", "-pk"))

    # --- review inbox of a unit head ---
    acting = {"user": head.pk, "now": timezone.now()}
    review = measure({
        "page": view(head, "/items/reviews/"),
        "selector": selector_page(lambda: selectors.review_inbox(head)),
        "bare": bare((REVIEW_SQL, acting), (REVIEW_COUNT_SQL, acting)),
        "orm": selector_page(plain_review),
    })
    (sel_rows, sel_count), (bare_rows, bare_count) = review["selector"][2], review["bare"][2]
    assert sel_rows == [row[0] for row in bare_rows], "the selector and the bare query disagree"
    assert sel_count == bare_count[0][0]
    print(f"\nreview inbox of {head.username} (head of {units[0].name}): {sel_count} open steps")
    r1 = report("review inbox", review)

    # --- my items (waiting tab) of an officer ---
    mine = [officer.pk, units[0].pk]
    my = measure({
        "page": view(officer, "/items/?tab=waiting"),
        "selector": selector_page(lambda: selectors.my_items(officer, "waiting")),
        "bare": bare((MY_ITEMS_SQL, mine), (MY_ITEMS_COUNT_SQL, mine)),
        "orm": selector_page(plain_my_items),
    })
    (sel_rows, sel_count), (bare_rows, bare_count) = my["selector"][2], my["bare"][2]
    assert sel_rows == [row[0] for row in bare_rows], "the selector and the bare query disagree"
    assert sel_count == bare_count[0][0]
    print(f"\nmy items (waiting) of {officer.username} (officer of {units[0].name}): {sel_count} items")
    r2 = report("my items", my)
    if os.environ.get("BENCH_EXPLAIN"):
        from django.db import connection

        for label, qs in (("review inbox", selectors.review_inbox(head)[:20]),
                          ("my items", selectors.my_items(officer, "waiting")[:20])):
            sql, params = qs.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN ANALYZE " + sql, params)
                print(f"\n--- {label}\n" + "\n".join(r[0] for r in cursor.fetchall()))
    print(f"\ntarget: selector within 2× of the bare query -> review inbox {'OK' if r1 <= 2 else 'MISSED'}, "
          f"my items {'OK' if r2 <= 2 else 'MISSED'}")
    page_ratio = review["page"][0] / review["bare"][0]
    items = Item.objects.count()
    print(f"inbox: review page {page_ratio:.2f}× bare SQL (target 3×: {'OK' if page_ratio <= 3 else 'MISSED'}), "
          f"selector {r1:.2f}× (target 2×), my items page {my['page'][0] / my['bare'][0]:.2f}× at {items} items")


def main():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("set DATABASE_URL=postgres://user@host:5432/db (the benchmark creates and drops liaison_bench)")
    reuse = "--reuse" in sys.argv
    if reuse:
        bench_url = urlunsplit(urlsplit(url)._replace(path=f"/{BENCH_DB}"))
    else:
        bench_url = create_database(url)
    try:
        setup_django(bench_url)
        run(reuse=reuse)
    finally:
        if not reuse and "--keep" not in sys.argv:
            drop_database(url)


if __name__ == "__main__":
    main()
