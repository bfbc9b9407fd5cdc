# Case Audit: one image for web (gunicorn), worker and beat.
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY assets ./assets
RUN mkdir -p static && npm run --silent build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    STATIC_MANIFEST=1 \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/data/media
# WeasyPrint's libraries, and fonts for the PDFs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-liberation \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 caseaudit \
    && mkdir -p /data/media && chown caseaudit /data/media
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
RUN pip install --no-cache-dir -c constraints.txt .
COPY . .
COPY --from=assets /build/static/govuk ./static/govuk
# collectstatic needs settings to load; this key exists only for the build step.
RUN SECRET_KEY=build-only-key-used-for-collectstatic-and-never-at-run-time-000000 \
    python manage.py collectstatic --no-input
USER caseaudit
EXPOSE 8000
CMD ["gunicorn", "audit_app.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
