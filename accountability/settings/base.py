"""Settings shared by every environment. Values that differ come from the environment (django-environ)."""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp import constants as csp
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

# The embedded default's working files (on-disk broker, beat schedule); a test runs its own elsewhere.
RUN_DIR = Path(env.str("RUN_DIR", default=str(BASE_DIR / ".run")))

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_htmx",
    "guardian",
    "simple_history",
    "import_export",
    "axes",
    # The project package and the shell (home, notifications, accounts, statistics), then the registry
    # every domain app reads, then the domain apps; kernel/ is plain Python, not an app.
    "accountability",
    "registry",
    "cases",
    "inspections",
    "petitions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The Content-Security-Policy of every page (static files, answered above, need none).
    "accountability.security.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A user's jurisdiction is read once per request, forgotten after it (registry/jurisdiction.py).
    "registry.jurisdiction.RequestScopeMiddleware",
    # After authentication: responses to signed-in users are never stored by browsers or proxies.
    "accountability.security.NoStoreForSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must be last: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "accountability.urls"
WSGI_APPLICATION = "accountability.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accountability.context_processors.navigation",
            ],
        },
    },
]

# The embedded default is a SQLite file; DATABASE_URL switches to PostgreSQL.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# SQLite serves the web, the worker and beat of `make run` at once: several processes writing one file.
# WAL lets readers go on while one writes; every transaction begins IMMEDIATE (takes the write lock at
# BEGIN), so a transaction that read first never has to upgrade its lock while another process writes —
# SQLite answers that upgrade with an immediate "database is locked", whatever the timeout; with the lock
# taken at BEGIN, a writer simply waits its turn, up to `timeout` seconds.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    # WAL is a property of the file (set once, kept); synchronous=NORMAL is WAL's usual companion: a
    # commit survives a crash of any process, only a power cut may undo the last ones, never corrupting.
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# PostgreSQL's JIT compiles costly-looking queries for seconds; short web queries never win that back.
POSTGRES_OPTIONS = {"options": "-c jit=off"}
if DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {}).update(POSTGRES_OPTIONS)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Chinese first: simplified Chinese is the default, traditional Chinese and English are offered.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", "简体中文"),
    ("zh-hant", "繁體中文"),
    ("en", "English"),
]
# One catalogue per app (strings of `<app>/` land in `<app>/locale`), and one for the shared templates/.
# makemessages files each string under the first of these whose parent folder holds the source file.
LOCALE_PATHS = [
    BASE_DIR / "accountability" / "locale",
    BASE_DIR / "registry" / "locale",
    BASE_DIR / "cases" / "locale",
    BASE_DIR / "inspections" / "locale",
    BASE_DIR / "petitions" / "locale",
    BASE_DIR / "locale",
]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files are never served at MEDIA_URL (no settings module routes it): each goes out through its
# object's download view after the permission check (accountability/files.py).
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Behind nginx, e.g. "/protected-media/": the download views answer with X-Accel-Redirect to this internal
# location (aliasing MEDIA_ROOT) instead of streaming the bytes through a gunicorn worker.
PROTECTED_MEDIA_ACCEL_PREFIX = env.str("PROTECTED_MEDIA_ACCEL_PREFIX", default="")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# django-guardian: no anonymous user row; object permissions are for signed-in staff only.
ANONYMOUS_USER_NAME = None
GUARDIAN_RENDER_403 = True

# django-axes: five wrong passwords lock that username *from that address* for 30 minutes. Locking the
# username alone would let anyone lock the real user out from everywhere; locking the address alone would
# lock whole offices behind one intranet NAT address. The lock's end is shown on the lockout page, and
# administrators lift locks at /accounts/lockouts/.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_LOCKOUT_CALLABLE = "accountability.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accountability.lockout.client_ip_address"
# Attempts during a lock are refused without counting, so the end time the page shows holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Reverse proxies in front of the app that append to X-Forwarded-For (0: the app faces the clients).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# models.W040: SQLite ignores an index's INCLUDE columns. They are a PostgreSQL optimisation (index-only
# scans for the case list); on the embedded SQLite default the index keeps its key columns, all it needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# Content-Security-Policy (django-csp, accountability/security.py). Every script is a vendored static file;
# an inline script would need the request's nonce. Inline styles are refused too (the admin excepted).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF, csp.NONCE],
        "img-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.NONE],
        "frame-ancestors": [csp.NONE],
        "form-action": [csp.SELF],
    },
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@accountability.local")
EMAIL_SUBJECT_PREFIX_TEXT = "问责案件管理系统"
# Absolute links in e-mails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# Celery. Without REDIS_URL the broker is a folder on disk, which needs no server.
REDIS_URL = env.str("REDIS_URL", default="")
# Redis hands a message that was never acknowledged to a worker again after this many seconds: the
# task of a killed worker runs again then. It must exceed the longest task (the hard time limit
# below), or a task still running would be handed to a second worker as well.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
else:
    _broker_dir = RUN_DIR / "broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    # Any process may be the first to send a message (manage.py commands as well as runall). kombu does
    # not create the queue and processed folders, and creates the control folder only if its parent
    # exists; without the option it would put that folder under the working directory.
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
# A task is acknowledged when it ends, not when it starts, so that the task of a worker killed mid-run
# (SIGKILL, the out-of-memory killer) is not lost with it: Redis hands it out again after the
# visibility timeout, and a prefork child's death requeues it at once. Every task here can run twice:
# the import steps claim their batch by a conditional update, the escalation and the reminders record
# each step under a unique constraint, e-mails are claimed row by row. One message at a time per
# worker process, so that a long task does not hold others back unacknowledged.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(RUN_DIR / "celerybeat-schedule")
# Periodic work; every task here is idempotent (a second run the same day changes nothing).
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "escalate-overdue-rectifications": {
        "task": "inspections.tasks.escalate_overdue_rectifications",
        "schedule": crontab(hour=6, minute=30),
    },
    "send-annual-supervision-reminders": {
        "task": "petitions.tasks.send_annual_supervision_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    # Import steps whose worker died; also queued whenever a worker starts.
    "recover-interrupted-imports": {
        "task": "accountability.tasks.recover_interrupted_imports",
        "schedule": crontab(minute="*/10"),
    },
}

# Each app contributes its demo data; seed_demo runs these in order.
DEMO_SEEDERS = [
    "registry.demo.seed",
    "accountability.demo.seed",
    "cases.demo.seed",
    "inspections.demo.seed",
    "petitions.demo.seed",
]
# The published password of the demo accounts that seed_demo creates; never used for real accounts.
DEMO_PASSWORD = "Demo@2026"  # noqa: S105

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refused request (403) is logged as one line, without the traceback Django would add.
    "filters": {"one_line_forbidden": {"()": "accountability.security.OneLineForbidden"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django.request": {"filters": ["one_line_forbidden"]},
    },
}

APP_TITLE = _("Accountability case system")
# django-filter: the empty choice of a filter means "no restriction".
FILTERS_EMPTY_CHOICE_LABEL = _("All")
