"""Celery tasks of the directory app."""
from celery import shared_task

from . import ldap_directory
from .sync import run_sync


@shared_task(name="directory.tasks.sync_directory_nightly", ignore_result=True, acks_late=True, time_limit=900)
def sync_directory_nightly():
    """The nightly sync (liaison.schedule directory-sync); nothing without a directory."""
    if not ldap_directory.configured():
        return None
    return run_sync().pk
