"""What the officer registry tells apps built on it (issue 19 §5), registered
from their AppConfig.ready() so that officers imports none of them (the
pattern of liaison.hooks and infoflow.extensions).

- ``on_appointed(officer, actor)``: an appointment was just saved, inside the
  appointing transaction (``officers.services.save_new_officer``). The rules
  app gives the new officer the current versions of the organisation's rules
  to confirm (induction; seed 003 第六条(一) "认真学习…规章制度").

Without a registered answer nothing more happens on appointment.
"""
from __future__ import annotations

from collections.abc import Callable

_appointed: dict[str, Callable] = {}


def register(*, name: str, on_appointed: Callable | None = None) -> None:
    """Register an app's callbacks under ``name`` (called from AppConfig.ready();
    registering the same name again replaces them)."""
    if on_appointed is not None:
        _appointed[name] = on_appointed


def appointed(officer, actor) -> None:
    """Tell every registered app of a new appointment (same transaction: a
    failure rolls the appointment back too)."""
    for callback in list(_appointed.values()):
        callback(officer=officer, actor=actor)
