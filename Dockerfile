FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY accountability accountability
COPY cases cases
COPY inspections inspections
COPY petitions petitions
RUN pip install --no-cache-dir .
COPY . .
RUN DJANGO_SETTINGS_MODULE=accountability.settings.dev python manage.py collectstatic --noinput \
    && useradd --create-home app && chown -R app /app
USER app
EXPOSE 8000
CMD ["gunicorn", "accountability.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
