"""Services of relations: visits (visits.py), the obligations calendar
(obligations.py) and member-unit changes (members.py). Each state change is
one function with keyword arguments, the acting user among them: lock, check
state, check permission, write with history, write notices in the same
transaction."""
