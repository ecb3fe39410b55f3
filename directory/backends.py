"""Directory login (LDAP / Active Directory) through django-auth-ldap.

Placed after axes and before ModelBackend (settings.AUTHENTICATION_BACKENDS):
axes refuses a locked account first; a person the directory knows is
checked here — disabled there (LIAISON_LDAP_DISABLED) means refused outright
(PermissionDenied stops Django trying local passwords) and their local
account switched off, so their open steps pass on as for any inactive user;
a person it does not know falls through to local accounts (admin,
break-glass), as does everyone while the directory is down or not
configured. Django's login signals fire as for a local login, so the audit
rows, the lockout counter and the session rules apply the same.
"""
import logging

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import transaction

from . import ldap_directory, services

try:  # optional: requirements-ldap.txt; settings lists this backend only when it is installed
    import ldap
    from django_auth_ldap.backend import LDAPBackend
except ImportError:
    ldap = None
    LDAPBackend = ModelBackend  # never listed then (settings.AUTHENTICATION_BACKENDS)

logger = logging.getLogger(__name__)


class DirectoryBackend(LDAPBackend):
    @property
    def settings(self):
        if self._settings is None:
            self._settings = ldap_directory.ldap_settings()
        return self._settings

    @settings.setter
    def settings(self, value):
        self._settings = value

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not ldap_directory.configured() or not username:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id):
        """The session's user, as ModelBackend restores it (inactive: None);
        nothing is asked of the directory per request. (Sessions may name
        this backend: test clients' force_login takes the first backend with
        get_user, axes' has none.)"""
        return ModelBackend().get_user(user_id)

    def get_all_permissions(self, user, obj=None):
        return set()  # permissions come from roles (officers.backends), not from LDAP groups

    def get_group_permissions(self, user, obj=None):
        return set()

    def authenticate_ldap_user(self, ldap_user, password):
        """Refuse a person disabled in the directory, then bind as the person;
        on success bring profile, roles and link up to date."""
        username = ldap_user._username
        try:
            attrs = ldap_user.attrs  # a search as the service account
        except ldap.LDAPError:
            logger.exception("directory search for %s failed; trying local accounts", username)
            return None
        if attrs is None:
            return None  # not in the directory: local accounts
        if ldap_directory.is_disabled(attrs):
            services.switch_off_disabled(username=username, request=ldap_user._request)
            raise PermissionDenied("disabled in the directory")
        existing = self.get_user_model().objects.filter(username__iexact=username).first()
        if existing is not None and not existing.is_active:
            raise PermissionDenied("account switched off in the portal")
        with transaction.atomic():
            user = super().authenticate_ldap_user(ldap_user, password)
            if user is None:
                return None
            person = ldap_directory.person_from(ldap_user.dn, attrs)
            try:
                groups = set(ldap_user.group_names) | set(ldap_user.group_dns)
            except ldap.LDAPError:
                logger.exception("group lookup for %s failed; roles left as they are", username)
                return user
            services.apply_directory_person(user=user, person=person, groups=groups)
        return user
