# The tracker's image: one image for web (gunicorn), worker and beat (celery).
FROM python:3.11-slim

# PYTHONPATH: processes import the project from /app, where templates/ and static/ live,
# rather than from the copy that `pip install .` puts in site-packages.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    TRACKER_VAR_DIR=/app/var

RUN useradd --create-home --uid 10001 --user-group tracker

WORKDIR /app

COPY pyproject.toml manage.py ./
COPY lifecycles lifecycles
COPY queues queues
COPY tracker tracker
COPY scrips scrips
COPY mailgate mailgate
COPY rtimport rtimport
RUN pip install .

COPY templates templates
COPY static static

# The key below exists only so settings load with DEBUG off during the build; it is
# never used at run time, where SECRET_KEY comes from the environment.
RUN DEBUG=false SECRET_KEY=collectstatic-at-build-time-only-not-a-real-secret-key-0000 \
        python manage.py collectstatic --noinput \
    && mkdir -p var/media var/mail \
    && chown -R tracker:tracker var

USER tracker

EXPOSE 8000

CMD ["gunicorn", "tracker.wsgi", "-c", "python:tracker.ops.gunicorn_conf", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
