"""Settings for the Improvement Leaders' Guides library.

Everything that differs between a laptop and production comes from the environment
(see the README's "Configuration" section). SQLite is the default database.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)
HTTPS = envbool("HTTPS", False)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    if HTTPS:
        # HTTPS=true means a real deployment: the key must be set explicitly and shared by
        # every app server, never generated on one of them.
        raise ImproperlyConfigured("SECRET_KEY must be set when HTTPS=true (production).")
    if DEBUG:
        return "django-insecure-development-key-only-used-with-DEBUG-on"
    # A local, non-debug run (make run): generate a key once and keep it in a git-ignored
    # file, so sessions survive restarts without anyone committing a secret.
    path = BASE_DIR / ".secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost")


def _site_url() -> str:
    """The site's own address (scheme, host and any port, no path): every absolute
    address the site prints or emails (handouts, password-reset links, the API's links,
    a module's public link) and every cache key is built from it, never from the Host
    header a client sent."""
    value = os.environ.get("SITE_URL", "").strip().rstrip("/")
    if not value:
        if HTTPS:
            raise ImproperlyConfigured(
                "SITE_URL must be set when HTTPS=true (production), e.g. "
                "SITE_URL=https://ilg.example.nhs.uk"
            )
        return f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path:
        raise ImproperlyConfigured(
            f"SITE_URL must be a scheme and host such as https://ilg.example.nhs.uk, not {value!r}"
        )
    if HTTPS and parts.scheme != "https":
        raise ImproperlyConfigured(f"SITE_URL must start with https:// when HTTPS=true: {value!r}")
    return value


SITE_URL = _site_url()
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "taggit",
    "axes",
    # The product: one app per feature (ARCHITECTURE.md).
    "guides.core",
    "guides.library",
    "guides.search",
    "guides.examples",
    "guides.training",
    "guides.measurement",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Early, so error pages made by the middleware below are not frameable either.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Before whitenoise, so static files, error pages and cached pages all get the policy.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # NUL bytes in the address and huge bodies are refused before anything reads them.
    "guides.core.security.RequestGuardMiddleware",
    # Signed-out pages from the cache, before the session is touched (guides/core/caching.py).
    "guides.core.caching.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check: an over-large form post gets its form back with an error.
    "guides.core.middleware.RequestTooLargeMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A signed-in session's expiry follows its use: it ends after SESSION_IDLE_MINUTES.
    "guides.core.accounts.touch_session",
    # Late, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
    # A signed-in page with a shell: its personal parts filled in, not the view (personal.py).
    "guides.core.personal.FillMiddleware",
]

ROOT_URLCONF = "ilg.urls"
WSGI_APPLICATION = "ilg.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "guides.core.context_processors.site",
                "guides.library.context_processors.content",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # When the database is unreachable, fail in seconds (a 503 page), not minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", envint("DB_CONNECT_TIMEOUT", 3)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "guides.core.storage.StaticFilesStorage"},
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]
# Where load_guides reads the guide content from.
CONTENT_DIR = Path(os.environ.get("CONTENT_DIR", BASE_DIR / "fixtures"))

TAGGIT_CASE_INSENSITIVE = True

# Accounts: staff sign in to add local examples (facilitators), moderate them (editors)
# and build modules (trainers). See the README's "Accounts and local examples".
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "library:home"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses sign-ins that are locked out before any password check.
    "axes.backends.AxesStandaloneBackend",
    # Django's, with a signed-in user's row kept per site version (guides/core/sessions.py).
    "guides.core.sessions.ModelBackend",
]
# Failed sign-ins are counted for a user name and an address together: five failures
# lock that pair out for 15 minutes, so a stranger's bad guesses from elsewhere never lock
# a real user out, and many staff behind one NHS address do not lock each other out. A
# success resets the count.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind NUM_PROXIES trusted proxies the client's address is taken from X-Forwarded-For.
NUM_PROXIES = envint("NUM_PROXIES", 0)
# `check --deploy` refuses HTTPS=true without an explicit NUM_PROXIES (guides/core/checks.py):
# behind a proxy every client would otherwise share the proxy's address.
NUM_PROXIES_SET = os.environ.get("NUM_PROXIES", "").strip() != ""
AXES_CLIENT_IP_CALLABLE = "guides.core.accounts.client_ip"

# Password reset email: printed to the console unless EMAIL_HOST is set (production).
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", not EMAIL_USE_SSL)
    EMAIL_PORT = envint("EMAIL_PORT", 465 if EMAIL_USE_SSL else 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ILG library <noreply@localhost>")

# The largest form post read (1 MB): above the longest valid local example even in
# four-byte characters, so over-long text gets a field error first. Larger posts get
# their form back with an error (guides/core/middleware.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

# Security headers that cost nothing on plain http too.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Django's database sessions, read with one plain SQL statement (guides/core/sessions.py).
SESSION_ENGINE = "guides.core.sessions"
# Shared ward computers: a session ends after this long without a request (default 8
# hours), and at browser close when "This is a shared computer" is ticked at sign-in.
SESSION_IDLE_MINUTES = envint("SESSION_IDLE_MINUTES", 8 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
# Script never reads the CSRF cookie (static/js takes the token from the form).
CSRF_COOKIE_HTTPONLY = True

# Content-Security-Policy (django-csp 4): scripts, styles, images and fonts only from this
# site, never inline; no plugins, no <base>, never framed, forms post only here. The
# same policy goes on static files (guides/core/security.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}


def _static_headers(headers: object, path: str, url: str) -> None:
    from guides.core.security import static_headers  # the app is not importable this early

    static_headers(headers, path, url)


WHITENOISE_ADD_HEADERS_FUNCTION = _static_headers

# Signed-out pages are cached, keyed on the site version in the database
# (guides/core/caching.py); PAGE_CACHE_SECONDS=0 turns the cache off. CACHE_URL chooses
# where: each process's memory (locmem://, the default, bounded to CACHE_MAX_MB in all and
# PAGE_CACHE_MAX_KB a page) or one Redis that every app server shares (redis://...).
PAGE_CACHE_SECONDS = envint("PAGE_CACHE_SECONDS", 600)
PAGE_CACHE_MAX_ENTRY_BYTES = envint("PAGE_CACHE_MAX_KB", 1024) * 1024
CACHE_URL = os.environ.get("CACHE_URL", "") or "locmem://"


def _caches() -> dict:
    from guides.core.cachebounds import caches_from_url  # plain module: no models

    return caches_from_url(
        CACHE_URL,
        max_bytes=envint("CACHE_MAX_MB", 64) * 1024 * 1024,
        max_entry_bytes=max(PAGE_CACHE_MAX_ENTRY_BYTES, 4 * 1024 * 1024),
    )


CACHES = _caches()

# PDF handouts: how many may be made at once on one machine (more get a 503 "being
# prepared" page with Retry-After), and the most one handout may hold.
PDF_RENDERS_AT_ONCE = envint("PDF_RENDERS_AT_ONCE", 1)

if HTTPS:
    # Served over HTTPS by a proxy that terminates TLS and sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

SITE_NAME = "Improvement Leaders' Guides library"
# Who publishes this copy of the library: shown beside its name in the header and footer.
SITE_OWNER = os.environ.get("SITE_OWNER", "Service improvement team")
