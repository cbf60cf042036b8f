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
