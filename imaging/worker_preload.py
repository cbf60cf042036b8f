"""Imported once by the photo workers' fork server (register.photo_ingest): what every worker
would otherwise load or compile for itself is made here, before the fork, so each worker
starts with it and none pays for it under its memory limit."""

from imaging import quality, resample

resample.warm_up()
quality.warm_up()
