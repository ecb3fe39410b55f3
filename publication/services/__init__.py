"""Publication services (seed 002): ``edits`` (reviewers' changes kept as
diffs), ``release`` (release records per channel, e-mail release, plans,
views), ``feedback`` (readers), ``corrections`` (更正 / 撤回).

Every function takes keyword arguments with the acting user as ``actor``,
runs in one transaction, locks the item first (infoflow.services.lock_item),
checks state and right, writes with history and its notices. Errors are
liaison.errors' StateConflict, InvalidInput, NotAllowed."""
