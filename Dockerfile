# Giliran production image: gunicorn by default (either server pool: citizen or staff);
# the same image runs the Celery worker, Celery beat and `manage.py migrate`
# (compose.yaml, docs/deployment.md).
#
#   docker build -t giliran .
#   docker run --rm -p 8000:8000 -e SECRET_KEY=... -e DATABASE_URL=... -e REDIS_URL=... giliran

ARG PYTHON_IMAGE=python:3.11-slim

# ---------------------------------------------------------------------------------------
# builder: virtualenv with the pinned dependencies, compiled translations, static files.
# ---------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:$PATH

RUN python -m venv /opt/venv
WORKDIR /app

# Only the dependencies go into the virtualenv, not the giliran package itself. A
# non-editable `pip install .` builds a wheel holding just the Python packages that
# [tool.setuptools.packages.find] lists: manage.py, templates/, static/ and locale/ are
# not in it, and config/settings.py derives BASE_DIR from its own file, so settings
# imported from site-packages would look for templates and static files there. The code
# therefore runs from the source tree in /app (like `make run`), and the dependency list
# is read from pyproject.toml and pinned by constraints.txt exactly as the Makefile's
# `pip install -c constraints.txt .` pins it, minus the [dev] extra.
# Copied on their own first so this layer stays cached until the dependencies change.
COPY pyproject.toml constraints.txt ./
RUN python -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' \
        > /tmp/requirements.txt \
    && pip install -c constraints.txt -r /tmp/requirements.txt

COPY . .

# Compiled translations, as `make messages` does: Babel, so no system gettext is needed.
# Fuzzy entries are left out (pybabel's default). A domain with no .po files yet is skipped.
RUN set -eu; \
    for domain in django djangojs; do \
        if ls locale/*/LC_MESSAGES/"$domain".po >/dev/null 2>&1; then \
            pybabel compile -d locale -D "$domain"; \
        else \
            echo "locale: no $domain.po catalogs yet, skipping"; \
        fi; \
    done

# The static files are collected into STATIC_ROOT (= $GILIRAN_VAR_DIR/staticfiles) with
# DEBUG off, so whitenoise's CompressedManifestStaticFilesStorage writes the hashed and
# compressed copies it serves. The settings only need a throwaway SECRET_KEY to import, and
# CELERY_BROKER_URL=memory:// keeps them from creating the filesystem broker's folders.
# The assistant's intent model is trained here too (docs/assistant.md), so no process
# trains it at its first message: /app/var/assistant stays root's, readable by the app.
# Bytecode is compiled here because /app is read-only for the user that runs the code.
RUN DEBUG=0 \
    SECRET_KEY=collectstatic-only-not-a-secret \
    CELERY_BROKER_URL=memory:// \
    GILIRAN_VAR_DIR=/app/var \
    python manage.py collectstatic --no-input \
    && DEBUG=0 SECRET_KEY=collectstatic-only-not-a-secret CELERY_BROKER_URL=memory:// \
        GILIRAN_VAR_DIR=/app/var python manage.py assistant_train \
    && python -m compileall -q --invalidation-mode checked-hash /app

# ---------------------------------------------------------------------------------------
# runtime: the virtualenv and the source tree, run by an unprivileged user.
# ---------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

# Keep GILIRAN_VAR_DIR at /app/var, where the builder collected the static files
# (STATIC_ROOT is $GILIRAN_VAR_DIR/staticfiles). Mount volumes on folders under it
# (compose.yaml mounts /app/var/celerybeat), never over it: that would hide them.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    GILIRAN_VAR_DIR=/app/var \
    PORT=8000

RUN groupadd --system --gid 10001 giliran \
    && useradd --system --uid 10001 --gid giliran --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin giliran

# Code, dependencies and static files stay owned by root: the app cannot rewrite itself.
COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /app /app

# Only the var folder is the app's to write (the settings create it if it is missing, and
# put the SQLite file, file cache and filesystem broker there when no server is set).
RUN mkdir -p "$GILIRAN_VAR_DIR/celerybeat" \
    && chown giliran:giliran "$GILIRAN_VAR_DIR" "$GILIRAN_VAR_DIR/celerybeat"

WORKDIR /app
USER 10001:10001
EXPOSE 8000

# GET /healthz/ with the standard library (no curl in slim): 200 when the database and the
# cache answer. The worker and beat containers of compose.yaml replace or disable it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "/app/docker/healthcheck.py"]

# Workers, threads and the rest come from the environment: docker/gunicorn.conf.py. The
# same command runs both server pools; GILIRAN_SERVER_POOL=citizen or staff says which
# paths a container answers (compose.yaml: web and staff behind the nginx proxy).
CMD ["gunicorn", "--config", "/app/docker/gunicorn.conf.py", "config.wsgi:application"]
