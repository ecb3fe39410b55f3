"""The Chinese working-day calendar (being written; see issue 3)."""


def missing_years():
    return []
