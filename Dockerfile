# Production image of the portal: gunicorn for the web, the same image for Celery worker/beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production \
    PRIVATE_MEDIA_ROOT=/data/private

# WeasyPrint needs Pango; libharfbuzz-subset0 makes font subsetting ~7x faster.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
      libharfbuzz-subset0 fonts-dejavu-core gettext curl \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# Static files are collected at build time (no secret needed for that).
RUN SECRET_KEY=build-only-not-secret-build-only-not-secret-build-only DATABASE_URL=postgres://x@localhost/x \
    python manage.py collectstatic --noinput -v0 \
 && useradd --create-home portal && mkdir -p /data/private && chown -R portal /data
USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
