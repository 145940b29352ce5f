FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=accountability.settings.production
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
# The dependencies first, in their own layer: empty package folders let pip resolve pyproject.toml
# without the code, so a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir accountability cases inspections kernel petitions registry && pip install --no-cache-dir . \
    && pip uninstall -y accountability && rm -rf accountability cases inspections kernel petitions registry build ./*.egg-info
COPY . .
# The project itself as an editable install: the code, templates, static files and catalogues run from
# /app (BASE_DIR), whichever process imports them (gunicorn, the Celery worker and beat, manage.py).
RUN pip install --no-cache-dir --no-deps -e .
# Collect the static files with the settings that serve them (WhiteNoise's manifest storage): a file the
# manifest cannot resolve fails the build here instead of every page at run time. Production settings
# refuse to start without their secrets; these build-time placeholders are never used to serve.
RUN SECRET_KEY=collectstatic-build-only \
    DATABASE_URL=postgres://build@127.0.0.1:5432/build \
    REDIS_URL=redis://127.0.0.1:6379/0 \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/media && useradd --create-home app && chown -R app /app
USER app
EXPOSE 8000
CMD ["gunicorn", "accountability.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
