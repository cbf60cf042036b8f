# The visor API for the shared deployment (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

COPY . /src
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
