# The visor API for the shared deployment (docker-compose.yml).

# The interactive docs' assets (Swagger UI) from the npm registry, at the pinned version and
# checksum scripts/vendor-swagger-ui.sh names, so that /docs serves them from the package.
FROM node:22-slim AS docs
COPY scripts/vendor-swagger-ui.sh /src/scripts/
RUN bash /src/scripts/vendor-swagger-ui.sh

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# PostgreSQL's client programs at the major version of the deployment's server
# (docker-compose.yml's postgres image): `visor backup` runs pg_dump, which refuses a server
# newer than itself, and pg_restore of a newer major's dump into an older server can fail on
# settings the older one lacks, so the major is pinned to the server's rather than taken from
# whatever Debian release the base image follows. They come from the PostgreSQL project's
# Debian repository, as in the official postgres image.
ARG POSTGRES_MAJOR=16
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && install -d /usr/share/postgresql-common/pgdg \
    && curl --fail --silent --show-error -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc \
        https://www.postgresql.org/media/keys/ACCC4CF8.asc \
    && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt $(. /etc/os-release && echo "$VERSION_CODENAME")-pgdg main" \
        > /etc/apt/sources.list.d/pgdg.list \
    && apt-get update \
    && apt-get install -y --no-install-recommends "postgresql-client-${POSTGRES_MAJOR}" \
    && apt-get purge -y curl && apt-get autoremove -y \
    && rm -rf /var/lib/apt/lists/*

COPY . /src
COPY --from=docs /src/api/swagger_ui /src/api/swagger_ui
RUN pip install /src && rm -rf /src

RUN groupadd --system --gid 10001 visor \
    && useradd --system --uid 10001 --gid visor --create-home --home-dir /home/visor visor \
    && mkdir /data && chown visor:visor /data

# A named volume mounted on /data starts with this folder's owner, so visor can write there.
ENV VISOR_HOME=/data
WORKDIR /data
USER 10001:10001

EXPOSE 8000
CMD ["visor", "serve", "--host", "0.0.0.0", "--port", "8000"]
