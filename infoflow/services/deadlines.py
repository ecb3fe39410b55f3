"""The deadline sweep as the information flow's callers know it: one run of
every registered kind of due case (liaison.sweeps), from review steps to
officer filings. The kinds live with their data: ``infoflow.sweeps`` (review
steps, receivers, questions), ``archive.sweeps`` (archive due),
``officers.sweeps`` (change filings); each writes its notices through its
app's ``notices`` module; the escalation ladder is data (``infoflow.ladder``).
"""
from liaison.sweeps import run as sweep  # noqa: F401

from ..sweeps import escalation_at, overdue_days, reminder_at  # noqa: F401  (the rules, for callers and tests)
