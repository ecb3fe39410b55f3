"""Settings for liaison, read from the environment (see README "Settings").

Every variable is parsed by a helper below that stops startup with a message
naming the variable and what it expects, rather than failing later in some
request.
"""
from datetime import time
from pathlib import Path
import importlib.util
import os
import secrets
import zoneinfo

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def _setting(name, parse, default, expects):
    """Read ``name`` from the environment with ``parse``; on a bad value stop
    startup with one clear line instead of a traceback deep in Django."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return parse(raw)
    except (ValueError, TypeError, ImproperlyConfigured, KeyError) as exc:
        raise ImproperlyConfigured(
            f"Environment variable {name}={raw!r} is not valid: expected {expects} ({exc})."
        ) from None


def _bool(raw):
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError("not a boolean")


def _int(raw):
    return int(raw.strip())


def _list(raw):
    items = [part.strip() for part in raw.split(",") if part.strip()]
    if not items:
        raise ValueError("empty list")
    return items


def _db_url(raw):
    if "://" not in raw:
        raise ValueError("not a URL")
    config = environ.Env.db_url_config(raw)
    if not config.get("ENGINE"):
        raise ValueError("unknown database scheme")
    return config


def _email_url(raw):
    if "://" not in raw:
        raise ValueError("not a URL")
    return environ.Env.email_url_config(raw)


def _redis_url(raw):
    if not (raw.startswith("redis://") or raw.startswith("rediss://") or raw.startswith("unix://")):
        raise ValueError("must start with redis://, rediss:// or unix://")
    return raw


def _time_zone(raw):
    zoneinfo.ZoneInfo(raw)  # raises for an unknown zone
    return raw


def _language(raw):
    if raw not in {"zh-hans", "en"}:
        raise ValueError("supported: zh-hans, en")
    return raw


def _hours(raw):
    """``09:00-12:00,13:30-17:30`` → [(time(9), time(12)), ...]."""
    periods = []
    for part in _list(raw):
        start, end = part.split("-")
        start_t = time.fromisoformat(start.strip())
        end_t = time.fromisoformat(end.strip())
        if end_t <= start_t:
            raise ValueError(f"period {part} ends before it starts")
        if periods and start_t < periods[-1][1]:
            raise ValueError("periods overlap or are out of order")
        periods.append((start_t, end_t))
    return periods


# --- core -------------------------------------------------------------------

DEBUG = _setting("DJANGO_DEBUG", _bool, False, "1/0, true/false")

# bench/http.py: serve /bench/floor/, a trivial page that only requires login,
# the floor every page is measured against. Off everywhere else.
BENCH_FLOOR = _setting("LIAISON_BENCH_FLOOR", _bool, False, "1/0")

# Everything the application writes at run time (SQLite file excepted, which
# the contract puts at db.sqlite3): uploads, the embedded broker, exports.
DATA_DIR = Path(_setting("LIAISON_DATA_DIR", str, str(BASE_DIR / "var"), "a folder path")).resolve()


def _secret_from_file(name):
    """A random key kept in DATA_DIR so development and tests need no setup;
    production sets the variable (README)."""
    path = DATA_DIR / name
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        path.write_text(key)
        path.chmod(0o600)
        return key


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or _secret_from_file("secret_key")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("Environment variable DJANGO_SECRET_KEY is too short: use at least 50 random characters.")

ALLOWED_HOSTS = _setting(
    "DJANGO_ALLOWED_HOSTS", _list, ["127.0.0.1", "localhost", "[::1]"], "a comma-separated list of host names"
)
CSRF_TRUSTED_ORIGINS = _setting("DJANGO_CSRF_TRUSTED_ORIGINS", _list, [], "a comma-separated list of origins")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "simple_history",
    "axes",
    "django_htmx",
    "liaison",
    "officers",
    "infoflow",
    "archive",
    "datacalls",
    "suggestions",
    "publication",
    "briefs",
    "followup",
    "rules",  # the organisation's rules texts, versions and read receipts (issue 19 §5)
    "relations",
    "incidents",
    "reports",
    "surveys",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "dengbao",
    "library",
    "directory",  # directory login, WeCom / DingTalk sign-in and work messages (issue 20)
    "portal",  # above the apps: the home page and the layout's context
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "liaison.middleware.DefaultLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Every form: undecodable bytes and NUL characters are refused with a clear page.
    "liaison.input_check.InputCheckMiddleware",
    # After messages, so they can tell the user why they were sent to log in.
    "liaison.middleware.SessionLimitsMiddleware",
    "liaison.middleware.PasswordAgeMiddleware",
    # 等保 level 3: the second factor before admin and audit pages, 三员分立 in the admin (dengbao).
    "dengbao.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Axes must be last: it turns a lockout raised during login into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "liaison.urls"
WSGI_APPLICATION = "liaison.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            # Django's cached loader that renders constant {% trans %}, {% url %} and
            # {% static %} tags once a process (issue 12: liaison/template_folding.py).
            "loaders": [("liaison.template_folding.Loader", [
                "django.template.loaders.filesystem.Loader",
                "django.template.loaders.app_directories.Loader",
            ])],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

# --- database ---------------------------------------------------------------

DATABASES = {
    "default": _setting(
        "DATABASE_URL",
        _db_url,
        environ.Env.db_url_config(f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        "a database URL such as postgres://user@host:5432/name or sqlite:///path",
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker and the web process write without "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    # PostgreSQL's JIT compiles a plan once its estimated cost passes a
    # threshold, which the pages' list queries reach on a large organisation
    # (issue 12: +28 ms for "my items" at 1,000,000 items) without running
    # long enough to earn it back. Off by default; LIAISON_DB_JIT=1 leaves the
    # server's own setting.
    if not _setting("LIAISON_DB_JIT", _bool, False, "1/0"):
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = (options.get("options", "") + " -c jit=off").strip()
# Statements prepared once per PostgreSQL connection (issue 12): planning
# cost PostgreSQL more than running for most of the pages' statements (the
# home figures' statement about 5 ms to plan, 4 ms to run at 100,000 items;
# the item page's visibility rule 2 ms to plan, 1 ms to run). With
# server-side binding psycopg sends the values apart from the SQL and
# prepares a statement the second time a connection runs it
# (prepare_threshold), keeping the 512 most recent (liaison.db_prepare);
# PostgreSQL then plans it with its values for five runs and keeps a
# generic plan when that is as cheap. Behind a pooler in transaction mode
# that does not track prepared statements (such as pgbouncer before 1.21,
# or without max_prepared_statements) set 0: client-side binding, nothing
# prepared.
LIAISON_DB_PREPARE = _setting("LIAISON_DB_PREPARE", _bool, True, "1/0")
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3" and LIAISON_DB_PREPARE:
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options.setdefault("server_side_binding", True)
    options.setdefault("prepare_threshold", 2)
DATABASES["default"].setdefault("TEST", {})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache, Celery ---------------------------------------------------

REDIS_URL = _setting("REDIS_URL", _redis_url, None, "a redis:// URL")

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

BROKER_DIR = DATA_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # The same folder in and out: one machine is both producer and consumer.
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        # The exchange table; kombu's default is "control" in the working directory.
        "control_folder": str(BROKER_DIR / "control"),
    }
    # kombu's filesystem transport does not create its folders; a fresh clone
    # has none, and the worker would die on its first poll.
    for _folder in ("queue", "processed", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
# The beat schedule lives in code: each app adds its entries in liaison/schedule.py.
from liaison.schedule import BEAT_SCHEDULE as CELERY_BEAT_SCHEDULE  # noqa: E402

# Only for tests and bench/two_of_everything.py: every entry that runs each
# minute runs every this many seconds instead. Never set in production.
BEAT_EVERY_SECONDS = _setting("LIAISON_BEAT_EVERY_SECONDS", _int, None, "seconds")
if BEAT_EVERY_SECONDS:
    CELERY_BEAT_SCHEDULE = {name: dict(entry) for name, entry in CELERY_BEAT_SCHEDULE.items()}
    for _entry in CELERY_BEAT_SCHEDULE.values():
        if _entry["schedule"] == 60.0:
            _entry["schedule"] = float(BEAT_EVERY_SECONDS)
            if "expires" in _entry.get("options", {}):
                _entry["options"] = dict(_entry["options"], expires=max(1, BEAT_EVERY_SECONDS - 1))
# Beat looks at its schedule at least this often (seconds).
CELERY_BEAT_MAX_LOOP_INTERVAL = min(15, BEAT_EVERY_SECONDS or 15)
if REDIS_URL:
    # Several beats, one per machine, send each due task once: celery-redbeat
    # keeps the schedule and each entry's last run in Redis, and only the beat
    # holding its Redis lock sends; the others wait for the lock and take over
    # when the holder stops (within CELERY_BEAT_MAX_LOOP_INTERVAL) or dies
    # (when its lock expires, REDBEAT_LOCK_TIMEOUT). A beat that finds its
    # lock taken exits; the service manager starts it again, as one that
    # waits. README "More than one machine". celery-redbeat reads its
    # settings by their own names (REDBEAT_*), not under CELERY_.
    CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
    REDBEAT_REDIS_URL = REDIS_URL
    REDBEAT_KEY_PREFIX = "liaison:beat:"
    REDBEAT_LOCK_KEY = "liaison:beat:lock"
    REDBEAT_LOCK_TIMEOUT = 5 * CELERY_BEAT_MAX_LOOP_INTERVAL
    # Options for redbeat's own Redis client (the broker's are not for it):
    # keep retrying through a Redis outage of up to a minute.
    REDBEAT_REDIS_OPTIONS = {"retry_period": 60}

# --- e-mail -----------------------------------------------------------------

_email = _setting("EMAIL_URL", _email_url, None, "an e-mail URL such as smtp://user:pass@host:587/?tls=True or consolemail://")
if _email:
    vars().update(_email)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = _setting("DEFAULT_FROM_EMAIL", str, "liaison@localhost", "an e-mail address")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- authentication and security -------------------------------------------

AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked account before any password check.
    "axes.backends.AxesStandaloneBackend",
    # The directory (LDAP / AD) before local accounts: a person disabled there is refused
    # outright; a name the directory does not know falls through to local accounts
    # (admin, break-glass). Does nothing while LIAISON_LDAP_URI is unset (directory/backends.py).
    "directory.backends.DirectoryBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
    # Admin rights from organisation roles (RoleAssignment), see officers/backends.py.
    "officers.backends.RolePermissionBackend",
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# 等保 2.0 (GB/T 22239-2019) level: 3 turns on the second factor for administrators
# and the three separated administrators (dengbao, README "等保 2.0 level 3").
SECURITY_LEVEL = _setting("LIAISON_SECURITY_LEVEL", lambda raw: {"2": 2, "3": 3}[raw.strip()], 2, "2 or 3")
OTP_TOTP_ISSUER = _setting("LIAISON_OTP_ISSUER", str, "信息联络员工作平台", "a name shown in the authenticator app")
# Personal information of officers who left (phone, e-mail on their posts and in their history) is
# blanked this many days after they left (dengbao/anonymise.py; 个人信息保护法 art. 19: kept no longer
# than needed).
ANONYMISE_LEFT_AFTER_DAYS = _setting("LIAISON_ANONYMISE_LEFT_AFTER_DAYS", _int, 730, "a number of days")


def _audit_keep_months(raw):
    months = int(raw)
    if months < 6:  # 网络安全法 art. 21(3): network logs kept no less than six months
        raise ValueError("the audit log must be kept at least 6 months (网络安全法 第二十一条)")
    return months


# Months the audit log is kept at least (dengbao.E001 refuses less; nothing deletes audit rows).
AUDIT_KEEP_MONTHS = _setting("LIAISON_AUDIT_KEEP_MONTHS", _audit_keep_months, 6, "a number of months, 6 or more")


def _review_months(raw):
    months = int(raw)
    if months not in (1, 2, 3, 4, 6, 12):  # periods must tile the year from January
        raise ValueError("one of 1, 2, 3, 4, 6, 12")
    return months


# Access review (dengbao/access_review.py): a who-can-see-what snapshot at the start of every period of
# this many months, to be signed by the secretariat within ACCESS_REVIEW_SIGN_DAYS working days.
ACCESS_REVIEW_MONTHS = _setting("LIAISON_ACCESS_REVIEW_MONTHS", _review_months, 3, "1, 2, 3, 4, 6 or 12")
ACCESS_REVIEW_SIGN_DAYS = _setting("LIAISON_ACCESS_REVIEW_SIGN_DAYS", _int, 10, "a number of working days")

# 等保 2.0 organisations turn this on: three character classes and a periodic change.
PASSWORD_STRICT = _setting("LIAISON_PASSWORD_STRICT", _bool, False, "1/0")
PASSWORD_MAX_AGE_DAYS = _setting("LIAISON_PASSWORD_MAX_AGE_DAYS", _int, 90, "a number of days")
AUTH_PASSWORD_VALIDATORS = [
    # Django's validators, subclassed for messages in the project's catalogue (liaison/passwords.py).
    {"NAME": "liaison.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "liaison.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "liaison.passwords.CommonPasswordValidator"},
    {"NAME": "liaison.passwords.NumericPasswordValidator"},
    {"NAME": "liaison.passwords.CharacterClassesValidator"},
    {"NAME": "liaison.passwords.GuessableValidator"},
]

# Lockout (django-axes): 5 failures within 15 minutes lock for 30 minutes.
LOGIN_FAILURE_LIMIT = _setting("LIAISON_LOGIN_FAILURE_LIMIT", _int, 5, "a whole number")
LOGIN_FAILURE_WINDOW_MINUTES = _setting("LIAISON_LOGIN_FAILURE_WINDOW_MINUTES", _int, 15, "minutes")
LOGIN_LOCKOUT_MINUTES = _setting("LIAISON_LOGIN_LOCKOUT_MINUTES", _int, 30, "minutes")
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = "liaison.security.lockout_cooloff"
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "liaison.security.lockout_response"
AXES_HANDLER = "liaison.security.WindowedAxesHandler"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
# The issue asks to lock the *account* after 5 failures; rotating IPs cannot
# bypass a per-username lock, so axes' advice to add ip_address does not apply.
# models.W040: SQLite builds an index's INCLUDE columns (PostgreSQL's covering
# indexes, the on-time lists' index-only scans: infoflow.models) as a plain
# index without them; nothing is wrong there, the index is only less covering.
SILENCED_SYSTEM_CHECKS = ["axes.W006", "models.W040"]
AXES_IPWARE_PROXY_COUNT = _setting("LIAISON_PROXY_COUNT", _int, 0, "a whole number") or None

# Sessions: 30 idle minutes, 12 hours at most (SessionLimitsMiddleware).
SESSION_IDLE_MINUTES = _setting("LIAISON_SESSION_IDLE_MINUTES", _int, 30, "minutes")
SESSION_MAX_HOURS = _setting("LIAISON_SESSION_MAX_HOURS", _int, 12, "hours")
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
# Saved when changed only: the last-seen time (SessionLimitsMiddleware) is
# written at most once a minute, not a session write on every page (issue 12).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Behind HTTPS in production (README). DJANGO_HTTPS=0 for a plain-HTTP intranet
# deployment, at the cost of the deploy check's warnings.
HTTPS = _setting("DJANGO_HTTPS", _bool, not DEBUG, "1/0")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- internationalisation ---------------------------------------------------

LANGUAGE_CODE = _setting("LANGUAGE_CODE", _language, "zh-hans", "zh-hans or en")
# Chinese unless the user picks English in the footer (liaison.middleware).
FOLLOW_BROWSER_LANGUAGE = _setting("LIAISON_FOLLOW_BROWSER_LANGUAGE", _bool, False, "1/0")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = _setting("TIME_ZONE", _time_zone, "Asia/Shanghai", "an IANA time zone such as Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- files ------------------------------------------------------------------

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(_setting("DJANGO_STATIC_ROOT", str, str(DATA_DIR / "static"), "a folder path"))
MEDIA_ROOT = Path(_setting("DJANGO_MEDIA_ROOT", str, str(DATA_DIR / "media"), "a folder path"))
MEDIA_URL = "/media/"  # never served directly: downloads go through permission-checked views
# Uploads on several machines: MEDIA_ROOT on a shared file system (NFS), or
# an S3-compatible object store through django-storages (needs boto3, which
# requirements.txt does not install). README "More than one machine".
MEDIA_STORAGE = _setting("LIAISON_MEDIA_STORAGE", str, "filesystem", "filesystem or s3")
if MEDIA_STORAGE == "filesystem":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif MEDIA_STORAGE == "s3":
    if importlib.util.find_spec("boto3") is None:
        raise ImproperlyConfigured("LIAISON_MEDIA_STORAGE=s3 needs boto3: .venv/bin/pip install boto3")
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("LIAISON_S3_BUCKET", ""),
            "endpoint_url": os.environ.get("LIAISON_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("LIAISON_S3_REGION") or None,
            "access_key": os.environ.get("LIAISON_S3_ACCESS_KEY") or None,
            "secret_key": os.environ.get("LIAISON_S3_SECRET_KEY") or None,
            "location": os.environ.get("LIAISON_S3_PREFIX", "media"),
            "default_acl": "private",  # downloads go through the permission-checked views
            "file_overwrite": False,
        },
    }
    if not _default_storage["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("LIAISON_MEDIA_STORAGE=s3 needs LIAISON_S3_BUCKET.")
else:
    raise ImproperlyConfigured(
        f"Environment variable LIAISON_MEDIA_STORAGE={MEDIA_STORAGE!r} is not valid: expected filesystem or s3."
    )
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_MANIFEST_STRICT = False
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
ATTACHMENT_MAX_MB = _setting("LIAISON_ATTACHMENT_MAX_MB", _int, 20, "megabytes")
# A docx/xlsx/pptx/ofd is a zip: what it unpacks to is limited too (a zip bomb
# of a few KB can unpack to gigabytes in whatever opens it).
ATTACHMENT_MAX_UNPACKED_MB = _setting(
    "LIAISON_ATTACHMENT_MAX_UNPACKED_MB", _int, 10 * ATTACHMENT_MAX_MB, "megabytes"
)

# --- the organisation and its rules ----------------------------------------

ORGANISATION_NAME = _setting("LIAISON_ORGANISATION_NAME", str, "示范有限公司", "a name")
SITE_URL = _setting("LIAISON_SITE_URL", str, "http://127.0.0.1:8000", "the portal's address, used in links in e-mails")

# Working hours (liaison.workdays): a moment outside them counts from the next working moment.
WORKING_HOURS = _setting(
    "LIAISON_WORKING_HOURS", _hours, _hours("09:00-12:00,13:30-17:30"), "periods such as 09:00-12:00,13:30-17:30"
)

# Time limits by urgency: (amount, unit) with unit one of
# "working_days", "working_hours", "hours", "minutes" (domain: urgency table).
# 紧急 counts office time: the seed's "2 小时" of an item submitted at night
# runs from the office's opening (09:00 + 2 working hours = 11:00); 特急 runs
# in clock minutes at any hour.
TIME_LIMITS = {
    "review": {"normal": (1, "working_days"), "urgent": (2, "working_hours"), "extra_urgent": (30, "minutes")},
    "response": {"normal": (2, "working_days"), "urgent": (4, "working_hours"), "extra_urgent": (30, "minutes")},
}
OFFICER_CHANGE_FILING_WORKING_DAYS = _setting("LIAISON_FILING_WORKING_DAYS", _int, 2, "a number of working days")
# The yearly assessment (officers.assessment): the pass mark (a total below it fails and
# raises the replacement flag) and who is named 年度优秀联络员: "top:N" (the N best) or
# "score:S" (every total of S or more); either way only officers who passed.
ASSESSMENT_PASS = _setting("LIAISON_ASSESSMENT_PASS", _int, 60, "a whole number of points")
ASSESSMENT_EXCELLENT = _setting("LIAISON_ASSESSMENT_EXCELLENT", str, "top:3", "top:N or score:S")
# A new officer's induction training is due this many days after the appointment (issue 14).
INDUCTION_DAYS = _setting("LIAISON_INDUCTION_DAYS", _int, 30, "a number of days")
# Work reports (officers.work): a period of N calendar months (1, 2, 3, 4, 6 or 12,
# aligned on January), due at the close of office on the D-th working day after it.
WORK_REPORT_PERIOD_MONTHS = _setting("LIAISON_WORK_REPORT_MONTHS", _int, 1, "1, 2, 3, 4, 6 or 12")
if WORK_REPORT_PERIOD_MONTHS not in (1, 2, 3, 4, 6, 12):
    raise ImproperlyConfigured("LIAISON_WORK_REPORT_MONTHS must be 1, 2, 3, 4, 6 or 12")
WORK_REPORT_DUE_WORKDAY = _setting("LIAISON_WORK_REPORT_DUE_WORKDAY", _int, 5, "a number of working days")
# Liaison meetings missed without leave in a year that flag an officer for replacement (seed 003: 两次以上).
REPLACEMENT_MEETING_ABSENCES = _setting("LIAISON_REPLACEMENT_MEETING_ABSENCES", _int, 2, "a number of meetings")


def _share(raw):
    value = float(raw)
    if not 0 < value < 1:
        raise ValueError(raw)
    return value


# The deadline sweep (infoflow.services.deadlines): a reminder when this share
# of a review step's time has passed (working time for working-day limits).
REMINDER_SHARE = _setting("LIAISON_REMINDER_SHARE", _share, 0.75, "a fraction between 0 and 1, such as 0.75")
# An archive-due notice waits this many minutes past the due time, so the
# hourly automatic archiving has had its chance first.
ARCHIVE_NOTICE_GRACE_MINUTES = _setting("LIAISON_ARCHIVE_NOTICE_GRACE_MINUTES", _int, 90, "a number of minutes")

# Excel exports (infoflow.export): above this many rows the portal exports in
# the background; background files are kept this many hours, then removed.
EXPORT_SYNC_MAX_ROWS = _setting("LIAISON_EXPORT_SYNC_MAX_ROWS", _int, 20000, "a number of rows")
EXPORT_KEEP_HOURS = _setting("LIAISON_EXPORT_KEEP_HOURS", _int, 24, "a number of hours")

# --- the archive (archive/) --------------------------------------------------

# The key of the archive's seals (HMAC-SHA256) lives outside the database: the
# variable, or a file generated on first use (0600) that operators back up
# apart from the database backups (README "Backup and restore").
ARCHIVE_SEAL_KEY = os.environ.get("LIAISON_ARCHIVE_SEAL_KEY") or None
ARCHIVE_SEAL_KEY_FILE = Path(
    _setting("LIAISON_ARCHIVE_SEAL_KEY_FILE", str, str(DATA_DIR / "archive_seal_key"), "a file path")
)
# Completed items are archived by themselves this many working days after completion.
ARCHIVE_AFTER_WORKING_DAYS = _setting("LIAISON_ARCHIVE_AFTER_WORKING_DAYS", _int, 2, "a number of working days")
# 全宗号 and 机构（问题）代码 of the formal archive code (档号, DA/T 22); no 档号 when unset.
ARCHIVE_FONDS_NUMBER = _setting("LIAISON_ARCHIVE_FONDS_NUMBER", str, "", "the fonds number (全宗号)")
ARCHIVE_ORG_CODE = _setting("LIAISON_ARCHIVE_ORG_CODE", str, "BGS", "the organisation code of the 档号")
# ClamAV daemon for the four-property report's security check; unset = not checked.
CLAMAV_SOCKET = _setting("LIAISON_CLAMAV_SOCKET", str, "", "a Unix socket path")
CLAMAV_HOST = _setting("LIAISON_CLAMAV_HOST", str, "", "a host name")
CLAMAV_PORT = _setting("LIAISON_CLAMAV_PORT", _int, 3310, "a port number")

# --- notifications (liaison.notifications) ------------------------------------

# A WeCom or DingTalk group robot that receives every notice (without the
# content of internal or restricted items); unset = no group messages.
NOTIFY_WEBHOOK_URL = _setting("LIAISON_WEBHOOK_URL", str, "", "the robot's webhook URL")
NOTIFY_WEBHOOK_KIND = _setting(
    "LIAISON_WEBHOOK_KIND", lambda raw: {"wecom": "wecom", "dingtalk": "dingtalk"}[raw.strip().lower()], "wecom",
    "wecom or dingtalk",
)
# DingTalk's 加签 secret (SEC...), when the robot's security setting uses it.
NOTIFY_WEBHOOK_SECRET = _setting("LIAISON_WEBHOOK_SECRET", str, "", "the robot's signing secret")
# Language of e-mails and group messages; the portal follows each reader's choice.
NOTIFY_LANGUAGE = _setting("LIAISON_NOTIFY_LANGUAGE", _language, LANGUAGE_CODE, "zh-hans or en")
# A channel is tried this many times (first try + retries with backoff), then left failed.
NOTIFY_MAX_ATTEMPTS = _setting("LIAISON_NOTIFY_MAX_ATTEMPTS", _int, 6, "a whole number")

# --- directory and messengers (directory app, issue 20; README "Directory, WeCom and DingTalk") ---


def _ldap_disabled_rule(raw):
    """``attr&bit`` (AD: userAccountControl&2), ``attr=value`` or ``attr`` (present)."""
    raw = raw.strip()
    if "&" in raw:
        attr, bit = raw.split("&", 1)
        return {"attr": attr.strip(), "bit": int(bit)}
    if "=" in raw:
        attr, value = raw.split("=", 1)
        return {"attr": attr.strip(), "value": value.strip()}
    return {"attr": raw}


def _ldap_group_type(raw):
    if raw not in {"groupOfNames", "groupOfUniqueNames", "posixGroup", "activeDirectory"}:
        raise ValueError("supported: groupOfNames, groupOfUniqueNames, posixGroup, activeDirectory")
    return raw


DIRECTORY_LDAP = {
    "URI": _setting("LIAISON_LDAP_URI", str, "", "ldap://host:389 or ldaps://host:636"),
    "START_TLS": _setting("LIAISON_LDAP_START_TLS", _bool, False, "1/0"),
    "BIND_DN": _setting("LIAISON_LDAP_BIND_DN", str, "", "the service account's DN"),
    "BIND_PASSWORD": _setting("LIAISON_LDAP_BIND_PASSWORD", str, "", "the service account's password"),
    "USER_BASE": _setting("LIAISON_LDAP_USER_BASE", str, "", "the DN people are searched under"),
    "USER_FILTER": _setting("LIAISON_LDAP_USER_FILTER", str, "(uid=%(user)s)", "an LDAP filter with %(user)s"),
    "GROUP_BASE": _setting("LIAISON_LDAP_GROUP_BASE", str, "", "the DN groups are searched under"),
    "GROUP_TYPE": _setting("LIAISON_LDAP_GROUP_TYPE", _ldap_group_type, "groupOfNames", "groupOfNames, "
                           "groupOfUniqueNames, posixGroup or activeDirectory"),
    "ATTR_USERNAME": _setting("LIAISON_LDAP_ATTR_USERNAME", str, "uid", "an attribute name (AD: sAMAccountName)"),
    "ATTR_NAME": _setting("LIAISON_LDAP_ATTR_NAME", str, "cn", "an attribute name (AD: displayName)"),
    "ATTR_EMAIL": _setting("LIAISON_LDAP_ATTR_EMAIL", str, "mail", "an attribute name"),
    "ATTR_PHONE": _setting("LIAISON_LDAP_ATTR_PHONE", str, "mobile", "an attribute name"),
    "ATTR_DEPARTMENT": _setting("LIAISON_LDAP_ATTR_DEPARTMENT", str, "ou", "an attribute name (AD: department)"),
    "DISABLED": _setting("LIAISON_LDAP_DISABLED", _ldap_disabled_rule, None,
                         "attr&bit (AD: userAccountControl&2), attr=value or attr"),
    "TIMEOUT": _setting("LIAISON_LDAP_TIMEOUT", _int, 5, "seconds"),
}
if DIRECTORY_LDAP["URI"] and importlib.util.find_spec("ldap") is None:
    raise ImproperlyConfigured(
        "LIAISON_LDAP_URI is set but python-ldap is not installed: apt-get install libldap2-dev libsasl2-dev, "
        "then make venv (it installs requirements-ldap.txt when the headers are there)."
    )
# WeCom (企业微信) and DingTalk (钉钉): corp id, agent id and app key are kept in the admin
# (directory.MessengerApp); the secrets only here, from the environment, never in the database.
DIRECTORY_WECOM_SECRET = _setting("LIAISON_WECOM_SECRET", str, "", "the WeCom application's Secret")
DIRECTORY_DINGTALK_SECRET = _setting("LIAISON_DINGTALK_APP_SECRET", str, "", "the DingTalk application's AppSecret")
# The platforms' addresses (tests point them at a local server).
DIRECTORY_WECOM_API = _setting("LIAISON_WECOM_API", str, "https://qyapi.weixin.qq.com", "a URL")
DIRECTORY_WECOM_QR_LOGIN = _setting(
    "LIAISON_WECOM_QR_LOGIN", str, "https://login.work.weixin.qq.com/wwlogin/sso/login", "a URL")
DIRECTORY_WECOM_OAUTH = _setting(
    "LIAISON_WECOM_OAUTH", str, "https://open.weixin.qq.com/connect/oauth2/authorize", "a URL")
DIRECTORY_DINGTALK_API = _setting("LIAISON_DINGTALK_API", str, "https://api.dingtalk.com", "a URL")
DIRECTORY_DINGTALK_OAPI = _setting("LIAISON_DINGTALK_OAPI", str, "https://oapi.dingtalk.com", "a URL")
DIRECTORY_DINGTALK_LOGIN = _setting(
    "LIAISON_DINGTALK_LOGIN", str, "https://login.dingtalk.com/oauth2/auth", "a URL")
DIRECTORY_HTTP_TIMEOUT = _setting("LIAISON_MESSENGER_TIMEOUT", _int, 5, "seconds")

# --- logging ----------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- admin ------------------------------------------------------------------

GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None  # no anonymous object permissions
SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False
