"""Pages over HTTP under load, against the floor of a bare logged-in request (issue 12).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_http .venv/bin/python bench/http.py --items 10000

Builds, or reuses when it already holds the same build, a PostgreSQL bench
database (the database DATABASE_URL names, ``bench_http`` when it names
``postgres``): 1,000 users in 50 units and ``--items`` items in every state
with their review steps, receivers and grants (bench/inbox.py's builder),
a secretariat member and a general manager, and ``--archived`` records made
by the archive's own service (``archive_item``, default 5,000; at most the
completed items there are). Then it collects the static files, starts
gunicorn (``--workers``, default 4) on a free loopback port with
LIAISON_BENCH_FLOOR=1, logs each role in through the login form, and drives
every page with a bounded load generator: ``--connections`` threads (default
8, at most 16), each with its own HTTP connection, requesting one page for
``--seconds`` (default 5, at most 60).

The floor is /bench/floor/: a page that only requires login, served by the
same server (session, user, every middleware, no template). Rounds are
interleaved: each round measures the floor, then every page with the floor
again after every fourth page; a page's ratio in a round is the round's
median floor requests/s over the page's. The table shows per page the
median over ``--rounds`` (default 3) of requests/s, p50 and p95 latency,
and floor ÷ page; the last line is

    http: worst page X.XX× floor (PAGE), median Y.YY×

Options: ``--rebuild`` drops and rebuilds the database; ``--only SUBSTR``
measures the pages whose label holds SUBSTR (several: ``'A|B'``); ``--archived N``;
``--archive-batch N`` (default 100). Archiving goes through the service,
``archive_items``: archive_item's code per record, N records a transaction
sharing their lookups (1: ``archive_item``, a transaction per record). On
this busy 2-core machine (load 10–13) 5,000 records took 375 s at 100,000
items (13 records/s; one by one 4–5 records/s, about 20 minutes), the whole
build 8.5 minutes; a reused database skips it.

Figures (2 vCPUs shared with other jobs, load 7–8; ``--items 10000
--archived 600 --seconds 3 --rounds 3``, session written once a minute):
floor 139 req/s; home 9–12 req/s (13–17×), /items/ and its tabs 10–13
(11–14×), reviews 11 (13×), received 9 (13×), item page 7.7 (19×), archive
and its search 7 (18–20×), on-time page 2.5 (48×), notifications 39 (4×),
whole log 21 (7×): ``http: worst page 48.41× floor (/items/ontime/), median
13.68×``.

At 100,000 items (``--items 100000 --archived 1000 --seconds 3 --rounds 3``,
the same machine): floor 168–215 req/s. Before the archive's visibility
join, /archive/ 30.8× and its search 36.9×; after, 14.1× and 18.0×. Others
after: home 10–19×, /items/ and its tabs 9–12×, reviews 8.9×, received
27.7×, item page 14.3×, on-time page 79.7× (400 overdue rows rendered),
notifications 3.3×, whole log 11.5×: ``http: worst page 79.74× floor
(/items/ontime/), median 11.22×``. Far from the issue's 3×: most of a
page's time is Python (template rendering, about 40 µs a gettext call on
this machine), not SQL.

The list pages, after their rows and filter widgets were written in Python
(infoflow/templatetags/infoflow_rows.py, infoflow/filters.py), the inboxes
counted by their page's own query, the receipts' grant rule probed per row
and the on-time page paged (``--items 100000 --archived 200 --seconds 3
--rounds 3``; load 10–17, floor 46–55 req/s): /items/ and its tabs
4.5–5.4× (before, the same run's build: 5.4–13.9×), reviews 4.95× (14.3×),
received 6.61× (25.5×), on-time page 22.5× (85.6×), notifications 2.64×,
whole log 5.38× (13.6×): ``http: worst page 22.52× floor (/items/ontime/),
median 5.91×`` (before ``85.60× …, median 13.73×``). What is left is mostly
SQL: the on-time rates aggregate every step and answer of the period
(~60,000 steps in this build's month, ~250 ms), the overdue counts every
overdue row; "my items" counts the unit's items (2,000 heap pages).

The on-time rates from the day totals the services keep (OnTimeDay,
infoflow.services.ontime_days) instead of every step of the month
(``--items 100000 --archived 200 --seconds 3 --rounds 3``, load 9–12, floor
26–50 req/s): /items/ontime/ 22.94× before (the full run's), 13.62× after
(``--only ontime``). What is left there: the two overdue lists count every
overdue row with the visibility join (20,000 open steps past due and 19,400
receivers in this build) and the rates' late open steps (8,400 this month)
join their items for the department.

The whole table after the day totals, the charts' review rates from them
and the pending-archiving index (commit 72be431, ``--items 100000
--archived 200 --seconds 3 --rounds 3``, load 15–18, floor 19–31 req/s;
the same build as the run before, which was 02:31's uncommitted tree):
/items/ontime/ 11.75× (22.94×), /assessment/charts/ (leader) 6.99×
(34.11×), item page 15.49× (15.35×), /archive/ 6.62× (10.28×) and its
search 7.99× (11.07×), received 7.28× (8.13×), /items/ and its tabs
3.7–4.8× (3.8–5.6×), reviews 4.79× (4.43×); home 10.6–13.4× (5.7–7.4×;
these commits do not touch it, other apps' home cards changed between the
runs: followup 5366db3, publication 8dfb68e);
pages added since: /publication/calendar/ 28.50×, /briefs/summary/ 18.72×:
``http: worst page 28.50× floor (/publication/calendar/), median 4.51×``.

Home (issue 12, h12home; copy of the 100,000-item build with 200 archived
records, ``--only home --seconds 2 --rounds 3``, load 8–9, the old tree run
right after the new one, twice): before (a4eed89) 16.9–22.1× (4.2–5.6
req/s, floor 91; first pair 16.7–21.4×), after (4d99425…d312bd1)
11.6–14.6× (8.3–10.2 req/s, floor 106; first pair, before the last three
commits, 13.5–18.6×): ``http: worst page 14.64× floor (home (secretary)),
median 12.82×`` (before ``22.14× …, median 19.32×``). Queries per home page
30/29/24/33 → 25/24/19/26 (officer/head/leader/secretary); Python CPU per
page in-process 40–47 ms → 26–32 ms (floor 2 ms). The cards' numbers of
infoflow and followup are plain statements (infoflow/home_counts.py), the
receipts read through partial indexes of open receipts, the 待阅 count tests
visibility per row (a parallel scan of every item before, 70–95 ms), the
bulletin card walks an index of its order (15–19 ms → 0.2 ms), the
delegations are read once a page. What is left is the counts of open work
themselves — the officer's 1,186 items in progress, the unit's 402 open
receipts, the leader's 1,011 pending steps, each joined to its item and a
grant probe — which this build's items in every state make grow with the
build (only counters kept by the services would not), and the Python of
about twenty ORM queries of the other cards and of the templates. The bench
reuses a build without ANALYZE after releases() and readings(): the
bulletin's and the readings' tables had no statistics (plans from rows=1
guesses) until analysed by hand on this copy.

The bulletin's and the release desk's pages (h12misc; ``--items 100000
--archived 200 --seconds 2 --rounds 3 --only``, load 8–12 from other
sessions' tests, floor 56–203 req/s): /briefs/summary/ 26.3× → 9.2–12.3×
(three runs; the floor's rate moved more than the page's),
/publication/ 11.2× → 5.46×, /publication/calendar/ 11–28× → 6.84×,
/briefs/ 2.38× (officer) and 3.16× (secretary), /briefs/adoptions/ 3.19×,
/briefs/summary.xlsx 13.3×. The records, plans, feedback and releases a
user sees are tested on each row's own item (a primary-key probe with the
grant probed inside it; a plain join to the item was hash-joined against a
scan of every item once the planner knew the month's few hundred records);
the summary reads the month's records once and sums every table from them
(16 queries → 12, 10 passes over the records each building the set of
every visible item → one; about 30 ms of it left, two thirds ORM and
driver work in Python); the desk pages ids through a partial index of
publication items (item_publication_desk: it filtered 60,000 approved
items) and loads its 20 rows by id; rows of the summary, desk and calendar
are written in Python. Every query of these pages now executes in under
2 ms (EXPLAIN ANALYZE); what is left is the fixed cost of a dozen round
trips and the templates on a saturated machine. /assessment/charts/
(leader, unchanged, ~7×) still counts the year's visible items: the leader
sees 7,450 through grants, so only per-user counters would bound it.

The archive catalogue and the item lists (h12arch; ``--items 100000
--archived 200 --seconds 2 --rounds 3 --only``, a copy of this build, load
6–10 from other sessions, floor 56–113 req/s): /archive/ 9× → 5.9–6.6× and
its search 8.6× → 6.4–6.8×. EXPLAIN ANALYZE: the search re-checked each
candidate by parsing its text again (to_tsvector per row, 16.8 ms at 200
records, growing with the catalogue) and now reads a stored, GIN-indexed
tsvector column (archive migration 0005; 1.0 ms); the rows' window count
carried every record's content and seal (7.3 → 1.5 ms); the secretariat's
record rule is its rule 4 instead of the whole item clause (compiling the
catalogue's query 5.9 → 3.2 ms of Python); rows and the pending list are
written in Python; the department filter no longer opens a server-side
cursor. In-process the page's Python went from 33 to 19.5 ms (floor
2.8 ms). The secretariat's calendar warning (``workdays.missing_years``
read the calendar and probed the package for next year on every page) is
kept for a minute like the years' sets: 10 → 8 round trips, /archive/ 6.19×
and its search 5.68× (floor 120 req/s). What is left there: eight round
trips and compiling three querysets. /items/ and its tabs 3.9–5.8×,
reviews 5.8× (10 → 9
queries: the batch list reads may_edit with its rows), received 6.7× (its
receipts' OR with the item's unit inside makes PostgreSQL filter the
organisation's 20,000 open receipts; stated on the receipt's columns first
the ORM's query chose a parallel scan, so it is left as it was).

The item page and the on-time page (h12item; ``--items 100000 --archived
200 --seconds 2 --rounds 3 --only``, each before/after pair run back to
back, load 6–10 from other sessions' tests, floor 64–75 req/s): item page
26.70× → 13.36× (2.3 → 5.7 req/s), 51 queries → 21; in process its CPU
time went from 32× to 17× the floor's. The portal's context processor
runs once per request (the panels rendered with the request ran it, and
the bell's COUNT, three times); the closed loop's, the route's and the
panels' smaller tables (loop events, follow tasks, escalations, studies,
seal uses, step changes, files, questions, transmissions, progress notes,
readings, instructions, proposals, corrections, releases, library entries)
are probed with EXISTS in the item's own query and an item without such
rows reads none of them (infoflow.extensions.item_probes); the steps'
assignees and the instructions' tasks are joined to their users; every
file of the item comes in one query; no prefetch orders by a parent's Meta
ordering (it joined the step and the item). The page is ORM-bound now
(about 1 ms of Python a query, then the template). /items/ontime/
18.29× → 18.35× (3.6 → 4.3 req/s; the floor rose as much): the overdue
steps' COUNT rides on the review rates' query (ontime.review_rates_with_overdue:
one hash join of the 20,000 open steps past due with the item table, not
two). What is left there is SQL: that join and the overdue receivers'
(19,400 rows, sorted by the deadline missed first) each read the item
table for the department, state and confidentiality; keeping those on the
step and the receiver (written by the services) would let both lists count
and page from their own indexes.

The on-time page's overdue lists on the item's copies (h12ontime, commit
483d303; ``--items 100000 --archived 200 --seconds 2 --rounds 3 --only
ontime``, the old tree on a fresh copy then the new one, back to back, load
23 from other sessions' suites, floor 25–40 req/s): /items/ontime/ 15.90× →
10.76× (an earlier old-tree run at load 14: 19.40×). Each review step and
receiver carries its item's unit, state, confidentiality and all-staff flag
(models.ItemCopies), kept by triggers on every write path
(infoflow.item_copies); the lists no longer join the item table: the steps'
rates, count and page read the partial covering index reviewstep_open_due
(the old hash join of 20,000 open steps with 100,000 items, 109 ms, is an
index-only scan), the receivers' page merges two index scans (late
receipts, late answers) that stop at the page, and their count is
index-only; the feedback rates read receiver_unit_answer_open. After the
migration's fill the tables want a VACUUM (autovacuum's, or by hand on a
bench copy) before the index-only scans pay off. What is left there: the
two counts still read every overdue row (20,000 steps, 19,400 receivers,
~3 ms each of index and ~10 ms of aggregation unloaded) — exact per-user
counts of rows that become overdue with the clock cannot be kept by the
services without the sweep — and the page's fixed Python (ten queries and
the template).

The on-time page again (h12ontime; ``--items 100000 --archived 200
--seconds 2 --rounds 3 --only ontime``, the old tree f44bd41 then the new
one back to back on one build, load 25–27 from other sessions, floor 43–44
req/s): /items/ontime/ 11.79× → 6.56× (4.0 → 6.0 req/s). In process
(cProfile with process_time) 37 → 25 ms of CPU a request (floor 2.2),
queries 10 → 10, the HTML byte-identical for the secretariat, supervision
and a leader. The grant rule on the copies is one index probe per row the
column rules let through (``ontime.copies_condition``: planning the
receivers' statement took 3–18 ms with the two granted-id subplans in each
of its four parts), the feedback rates ride on the review rates' statement,
each receivers' part is compiled once, the rows are read through
``infoflow.compiled`` with the columns shown, and the rates table
localizes each figure once. What is left: the counts still read every
overdue row (20,000 steps, 19,400 receivers) on every request; bounding
them needs counters that follow the clock (tallies kept by triggers per
due bucket, plus the current bucket read live), not done here.
The reading inbox, the task list, the library and the print page (h12pages;
``--items 100000 --archived 200 --seconds 2 --rounds 3 --only``, each
before/after pair run back to back on one copy, load 16-29 from other
sessions, floor 24-31 req/s): /followup/reading/ 6.28× → 2.86×, ?done=1
6.43× → 3.06×, /followup/tasks/ 6.03× → 3.78× (officer) and 6.35× → 4.43×
(secretary); /library/ 5.44× → 2.94×, its search 7.24× → 3.43×; item
print page 6.64× → 6.06× (floor 35-40 req/s). The rows
are plain values written in Python (followup_tags, library_tags), their
count carried by the page's query (paginate_counted), the library's filter
options written in Python; visibility_q tests a row's columns before the
grant probe when the grant is probed per row (the secretariat's 300 tasks
probed it 300 times); a restricted library copy's item is probed on its own
row instead of "in every visible item" (a hashed subplan over 75,000 items).
In process (cProfile with process_time): tasks and reading 31-36 → 12.5-15
ms of CPU (floor 2.7), the library 31-37 → 25-30 ms, the print page 31-38 →
25-30 ms (12 → 9 queries). What is left: the tasks' and library's
querysets are ORM compiles of the visibility clause (1-2 ms each) and
eight round trips; /exports/log/all/ counts every visible item for the
secretariat (a parallel scan of 90,000 items, 130-250 ms under load),
which only an index of submitted unrestricted items (an infoflow migration)
or a kept counter would bound; the archive was not touched.

Home again (h12home; ``--items 100000 --archived 200 --seconds 2 --rounds 3
--only home``, copy of the build, the old tree 7db16e6 and the new one run
back to back, twice; load 8–13 from other sessions, floor 28–50 req/s):
officer 13.83× → 4.50× and 14.85× → 3.45×, head 13.27× → 3.83× and 15.26× →
3.38×, leader 11.79× → 3.99× and 12.76× → 4.15×, secretary 13.23× → 3.75× and
12.49× → 3.97× (``http: worst page 15.26× floor (home (head)), median
13.80×`` → ``4.15× floor (home (leader)), median 3.71×``). Queries per page
25/24/19/26 → 8/8/8/10, Python CPU per page in process 42–53 ms → 13–17 ms
(floor 3 ms). Every card's figures are one statement a request
(portal.home_figures: each app's one-row aggregates in plain SQL, each a
MATERIALIZED common table expression — cross-joined derived tables were
planned in 9–16 ms), the greeting's lists and the bulletin's rows are plain
statements, the delegations one plain query. What is left is SQL that grows
with the organisation's open work: the leader's 1,011 pending assignments
(a step, a grant and an item probe each: 20–40 ms), the officer's 1,186
items in progress (a bitmap heap scan, 10–20 ms) and the unit's 402 open
receipts; counters kept by the services would bound them.

The item lists (h12list; a copy of this build, ``--items 100000 --archived
200 --seconds 2 --rounds 3 --only '/items/'``, load 22–25 from other
sessions, the old tree (483d303) run right before the new one): /items/
and its tabs 5.59–6.53× → 3.67–4.43×, /items/received/ 8.20× → 5.40×,
reviews 6.18× → 5.24× (floor 28–29 req/s both). The receipts'
originating-unit arm probes the item by its key inside the OR (EXISTS), so
a BitmapOr of the receipt's indexes reads the officer's 402 open receipts
instead of a parallel scan of the organisation's 50,000; their external
units and contacts are prefetched (none, no query: joined, eight tables to
plan cost 5–10 ms); the grant probe of the visibility rule comes after the
column tests. "My items" counts its tabs from two covering indexes
(infoflow 0020, index-only scans: 4–12 ms → 0.7 ms). The filter form's
fields are kept per process under the language, the units and the values
submitted (exact; the units are read as ids and names, one query); its
selects are written from the choices. In process (CPU a page, floor
2.3–3 ms): /items/ 20 → 15 ms, received 21–27 → 19–21 ms, reviews about
19 ms unchanged. What is left: compiling the ORM queries (the rows' query
is about a fifth of a list page's Python), the reviews page's own queries
(delegations, checklist, phrases) and the base layout.
The item page again (h12item, 2026-11-30; ``--items 100000 --archived 200
--seconds 2 --rounds 3 --only 'item page'``, the old tree run right before
the new one on the same copy, load 20–22 from other sessions): 16.94× →
9.22× (1.8 → 3.8 req/s, floor 36 and 32), 21 queries → 17; in process
(django.test.Client as the officer) 59–61 ms → 34–38 ms of CPU a page
(floor 4–5 ms). Its reads of a few rows each go through SQL compiled once
per process (infoflow.compiled: the timeline's history, steps with their
assignees and ticks, receivers, files, the followup panel's readers,
instructions, tasks and chases), the eighteen probes of the item's query
are compiled once with a stand-in user (infoflow.page_probes), two more
probes spare the ticks' and the reviewers' edits' queries, and the library
panel reads its choices once instead of through two server-side cursors.
What is left: the item's own query (the visibility condition compiled per
request, ~4 ms, its shape varies with the user's roles), the templates
(~7 ms, about 45 {% trans %} nodes and 100 gettext calls a page plus the
panels' templates) and a dozen round trips.
The assessment charts and the whole log's count (h12charts; ``--items
100000 --archived 200 --seconds 3 --rounds 3 --only '/assessment/charts/
(leader)|/exports/log/all/'``, one copy, the old tree (f44bd41) run right
after the new one, load 10–15 from other sessions, floor 46 req/s both):
/assessment/charts/ (leader) 7.11× → 3.44×, /exports/log/all/ 4.29× →
2.66×. Both counted items_visible_to over the year's or the organisation's
items (the leader's: a hashed set of his 7,450 grants tested on 90,000 items,
80–210 ms; the secretariat's: a parallel scan of 100,000 items). They now
add up month totals the item and grant triggers keep (infoflow.item_months,
grant_months: models.ItemMonth — per department, local month, state,
confidentiality and "all staff" flag, 1,070 rows here — and GrantMonth, the
same per user for their view grants, 87 rows for the leader): the items
matching the visibility rule's column tests from the first, the user's
granted items those tests leave out from the second (a deputy's overlapping
grants are read item by item), one UNION ALL statement compiled once per
condition (infoflow.item_counts; 0.1–0.5 ms). The log reads them when its
period is whole months or none, otherwise counts as before. The charts'
rates read their SQL compiled once, their units as ids and names, and the
tables are written in Python (svg_charts.Chart.body_rows). In process, CPU
a page (floor 1.9–2.0 ms): charts (leader) 17 → 10 ms, log 10 → 7 ms; 9 →
11 and 7 → 8 queries (the delegation read and the grants' totals). What is
left: the page's fixed Python (session, roles, base layout, ORM compiles of
the period and the units) and on the charts page the SVG geometry.
The item page and the print page again (hitem, 2026-11-30; ``--items 100000
--archived 200 --seconds 3 --rounds 3 --only 'item page|item print'``, the
old tree run right before the new one on the same copy, load 10–20 from
other sessions): item page 8.08× → 5.31×, print page 5.57× → 2.62× (floor
43 and 47 req/s); an earlier pair with the item read alone compiled: 8.93×
→ 6.07×, 6.02× → 4.12×. In process (CPU a page as the officer, floor
1.9 ms): item page 25 → 17 ms, print page 16 → 7 ms; queries unchanged (17
and 9). The item's query (visibility, joins, the page's probes) is compiled
once per process for each user's rule (infoflow.page_item over
compiled.rows_for: keyed by the user's roles, the moment of delegations a
parameter), 5 ms → 1.2 ms; compiled reads keep their columns' converters
(results_iter looked them up on every read); the print page reads its
receivers, opinions, transmissions and notes through compiled SQL too; the
library panel's choices are read through compiled SQL and its selects and
the progress form's textarea are written in Python (PYTHON_WIDGETS). What
is left on the item page: the panels (followup 3.4 ms: its template
1.7 ms, instructions 1 ms; library 2 ms), the main template 4.5 ms (base
layout ~1 ms), the timeline's three history reads (~1 ms even when empty),
middleware and the session (~3 ms, the floor's).

The archive catalogue again (harchive, 2026-11-30; ``--items 100000
--archived 200 --seconds 3 --rounds 3 --only '/archive/'``, the old tree
run right before the new one on the same database, load 19–25 from other
sessions): /archive/ 6.70× → 3.78× (floor 43 and 36 req/s) and its search
6.26× → 4.37×; in process (django.test.Client as the secretary) 19–20 ms
→ 10–11 ms of CPU a page, 8 queries as before. The page's three
statements (the rows with their window count, the tree's counts, the
secretariat's pending items) are compiled once per shape — roles, unit
counts, filters set — with a stand-in user, filter values, moment and day
(archive.catalogue_sql), instead of building the visibility rule and
compiling three querysets on every request; the rows, tree and pending
list are written with plain escapes instead of format_html, and the
filter form's selects are kept per process under their choices, value and
language. The HTML is byte-identical for the secretary, officer, head,
leader, auditor and HR over 24 filter, search and page combinations.
At 5,000 records (a copy of the build with 4,800 more items archived
through archive_items) the page's Python does not grow (10.8–11.5 ms,
search 11.9–13.7 ms) but its SQL does: the rows' window count and the
tree's counts join every visible record to its item (EXPLAIN ANALYZE,
best of 5, load 22: secretary rows 2.3 → 57 ms, tree 1.3 → 35 ms; officer
rows 16 → 66 ms, tree 16 → 80 ms; pending about 1–3 ms either way). What
is left: those counts (stating the item's part of the rule on the record's
own columns, or counters, would bound them; a change to the visibility
rule not made here), the base layout's templates (about 4 ms of CPU,
shared by every page) and eight round trips.
The bulletin's summary, the release desk and the calendar again (hbriefs,
2026-11-30; ``--items 100000 --archived 200 --seconds 3 --rounds 3 --only
'briefs/summary|/publication/'``, the old tree (f44bd41) and the new one
run back to back on the same build, twice (the first pair's new tree before
the feedback probe and the text arrays), load 13–16 from other sessions,
floor 30–39 req/s): /briefs/summary/ 7.04× → 3.33× and
7.08× → 3.16×, /briefs/summary.xlsx 7.85× → 4.29× and 7.94× → 4.16×,
/publication/ 4.47× → 2.56× and 5.50× → 2.43×, /publication/calendar/
6.16× → 2.76× and 5.85× → 2.49× (``http: worst page 7.94× floor
(/briefs/summary.xlsx), median 6.46×`` → ``4.16× …, median 2.83×``).
In process (django.test.Client as the secretary, CPU a
page, floor 2–3 ms): summary 23 → 12 ms, its workbook 27.5 → 15.5 ms, desk
18 → 8 ms, calendar 22 → 8–9 ms. Their reads are plain statements
(publication.month_reads, publication.desk_reads): the visibility rule as
infoflow.home_counts.visible_sql states it (a probe of each row's item),
no queryset compiled per request; the summary reads release times only for
the workbook's 50 listed releases, the feedback's item rule is a probe
(joined to the item it took 1.6 ms to plan: the item table's partial
indexes checked against the rule's OR; 0.5 ms), ids go as one text array.
What is left: the workbook's XlsxWriter cells (~6.5 ms for its 740 cells,
twice the rest of the request), the summary's month of records and items
read into Python (500 here: the listing ranks every release by views and
number) and the base layout.
The lists' rows through SQL compiled once per kind of user (h12lists,
2026-11-30; ``--items 100000 --archived 200 --seconds 2 --rounds 3 --only
'/items/?tab=waiting|/items/?tab=done|reviews|received|/followup/tasks/'``,
the old tree (f44bd41) run right before the new one on the same build, load
15-25 from other sessions, floor 30 and 49 req/s): /items/?tab=waiting
3.95× → 3.31×, ?tab=done 4.32× → 3.07×, reviews 4.59× → 3.64×, received
4.77× → 3.57×, /followup/tasks/ 3.25× → 2.35× (officer) and 3.20× → 2.38×
(secretary). In process (CPU a page, django.test.Client): waiting tab
12.5 → 9.5 ms, received 15.4 → 10.0 ms, reviews 14.1 → 11.6 ms, tasks
9.6/10.1 → 7.4/6.8 ms (floor 1.7 ms). Each list's queryset is the
selector's own, built once per process for a stand-in user of the same
shape (infoflow.stand_ins: flags, roles, how many units and which are
shared) and compiled with its page's OFFSET as a parameter
(infoflow.compiled.page, infoflow.list_pages, followup.selectors.task_page);
filtered lists and deputies acting for a principal go the queryset way. The
review inbox's phrases, its batch checklist and the filter form's units
are read through SQL compiled once. What is left: the page templates
(base layout, filters, tabs, pagination: ~40 template nodes and their
gettext calls), the session and user reads, and the rows' model instances.
Prepared statements, the on-time page's counts and the home page's review
indexes (2026-11-30, a quiet machine, floor 1,010-1,230 req/s; old tree
32f051b and new 5866ead run alternately on the same build, ``--only 'home|item
page|item print|/items/ontime/'``): item page 10.55x -> 6.76x and 10.65x ->
6.90x (99-108 -> 150-158 req/s; infoflow.compiled PREPAREs each compiled
statement once per connection, LIAISON_DB_PREPARE), print page 4.93x ->
3.40x and 5.04x -> 3.37x, /items/ontime/ 17.95x -> 13.16x and 19.14x ->
13.68x (its rates group only the steps due in the period; the overdue
steps' length is one index-only COUNT, no longer riding on the rates'
grouping as said above), home within noise but the leader's (9.3x -> 7.6x
in one pair, 7.7x -> 7.4x in another; infoflow 0026). The whole table
then: ``http: worst page 13.54x floor (/items/ontime/), median 3.25x`` (41
of 70 pages over 3x; with a floor twice as fast as the morning's run, whose
median was 2.94x with 31 over 3x: every page's req/s doubled with it).
Server-side binding with psycopg's prepared statements for every
statement (LIAISON_DB_PREPARE), the on-time page compiled once per user's
rule, the home page's lighter Python, the month totals compacted after the
build (2026-12-01, a busy machine: the PostgreSQL suite and other runs
beside it, ``--seconds 2 --rounds 3``). At 100,000 items, old tree f28c3ef
(one round, floor 150 req/s) -> 595f799 (floor 352 req/s): ``http: worst
page 10.41x floor (/items/ontime/), median 3.42x`` -> ``worst page 6.15x
(/items/ontime/), median 2.44x``, 23 of 70 pages still over 3x (home
4.1-4.7x, /items/ and its tabs 3.6-4.2x, reviews 4.4x, received 5.2x, item
page 5.7x, archive 4.1-4.3x, on-time 6.2x, charts 4.1x, bulletin 3.2-3.5x,
brief summary 4.3x and its workbook 5.1x, library 4.1-4.2x). At 1,000,000
items (floor 186 req/s): ``worst page 25.10x (/items/ontime/), median
2.38x``; the on-time page's regression there came from 595f799's grant set
(reverted in 418bcd5: 21.4x at 1,000,000 against 5.96x at 100,000 in one
run each, --only). Pages whose requests/s fell more than twice from
100,000 to 1,000,000 items (418bcd5, ``--only``, one run each): on-time
62.5 -> 22.6 req/s, received 71.8 -> 30.7, reviews 87.9 -> 42.9; they
count every open or overdue row of the organisation or the unit (20,000
overdue steps, 4,069 open receipts of one unit at 1,000,000).

2026-12-01, second session: builds with 5,000 archived records, as the
issue asks (``--items 100000 --archived 5000 --seconds 2 --rounds 3``; the
earlier figures had 200). A quiet machine before (floor 860 req/s): ``http:
worst page 14.21x floor (/archive/ search), median 2.89x``; the archive at
5,000 records was the worst (/archive/ 13.18x: its rows' window count and
tree counts joined every visible record to its item). After (the suite
running beside it, floor 831 req/s): ``worst page 9.68x (/items/ontime/),
median 2.67x``: /archive/ 4.75x (records carry their item's visibility
columns, kept by triggers; the tree counts from a covering index; the
unfiltered page's total is the tree's sum, its 20 rows read by their
index: the secretary's statements 11 -> 0.1 ms and 12.6 -> 1.3 ms), its
search 7.95x (the phrase test of 5,000 matching records, ~10 ms), /library/
and its search 4.72x/4.98x -> 2.39x/2.34x (compiled once per shape), home
6.0-6.8x -> 4.0-4.9x (the cards kept per figures; the forced generic plan
measured in that run was reverted afterwards: 182 ms at 1,000,000 items),
/items/received/ 6.96x -> 5.65x (keys and count from the receipts alone,
then 20 rows joined: 93 -> 18 ms at 1,000,000 items), reviews 5.6-5.9x
either way (keys 2.6 ms + rows 0.55 ms against 11.9 ms at 100,000), on-time
9.3-9.7x either way (its counts 7.7 -> 1.3 ms from OverdueDay, but the
page is Python and planning). Growth 100,000 -> 1,000,000 items (final
tree, both runs beside the suite, ``--only``): home 142/153/156/172 ->
75/86/58/189 req/s (officer/head/leader/secretary), waiting tab 184 -> 81,
reviews 152 -> 62, received 141 -> 64, archive 171 -> 163, on-time 103 ->
44: the lists of a user's own open rows still count every one of them (a
head's 2,025 open steps, a unit's 4,069 open receipts, each with a probe
of the user's grants).
"""
import sys

if __name__ == "__main__":
    import http_pages  # bench/http_pages.py; its "import http" finds this file as below

    http_pages.main()
else:
    # This file is named like the standard library's http package, and every
    # script run from bench/ has bench/ first on its import path: imported as
    # "http", it puts the standard library's package in its place.
    import importlib.util as _util
    import os as _os

    _package = _os.path.join(_os.path.dirname(_os.__file__), "http")
    _spec = _util.spec_from_file_location(__name__, _os.path.join(_package, "__init__.py"),
                                          submodule_search_locations=[_package])
    _module = _util.module_from_spec(_spec)
    sys.modules[__name__] = _module
    _spec.loader.exec_module(_module)
