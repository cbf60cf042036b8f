"""The register's tables (SQLAlchemy Core). Alembic migrations create them; see migrations/.

Every NIF field has a column; lists are child tables ordered by `position`, because the order
is meaning (the first date of birth is the primary one). `given_fields` records the top-level
keys the source gave, so that a given empty list or default comes back out on export.
"""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

import_runs = Table(
    "import_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", Text, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("summary", JSON),
)

nominals = Table(
    "nominals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(64), nullable=False, unique=True),
    Column("status", String(16), nullable=False),
    Column("mappa_category", SmallInteger),
    Column("mappa_level", SmallInteger),
    Column("managing_agency", String(32), index=True),
    Column("sex", String(1), nullable=False),
    Column("ethnic_appearance", String(3)),
    Column("self_defined_ethnicity", String(2)),
    Column("height_cm", SmallInteger),
    Column("build", String(50)),
    Column("hair_colour", String(50)),
    Column("hair_length", String(50)),
    Column("facial_hair", String(50)),
    Column("eye_colour", String(50)),
    Column("accent", String(100)),
    Column("wanted_missing", Boolean, nullable=False),
    Column("last_reviewed", Date),
    Column("given_fields", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # Which import run and line last wrote or confirmed this nominal: finds a reference
    # repeated within one bundle without holding every reference in memory.
    Column("last_import_run_id", Integer, ForeignKey("import_runs.id")),
    Column("last_import_line", Integer),
)


def _child(name: str, *columns: Column[object]) -> Table:
    return Table(
        name,
        metadata,
        Column("id", Integer, primary_key=True),
        Column(
            "nominal_id",
            Integer,
            ForeignKey("nominals.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        Column("position", SmallInteger, nullable=False),
        *columns,
    )


names = _child(
    "nominal_names",
    Column("forename", String(100)),
    Column("middle_names", String(200)),
    Column("surname", String(100), nullable=False, index=True),
    Column("kind", String(16)),
)
dates_of_birth = _child("nominal_dates_of_birth", Column("date_of_birth", Date, nullable=False))
partner_agencies = _child("nominal_partner_agencies", Column("agency", String(32), nullable=False))
behavioural_traits = _child("nominal_behavioural_traits", Column("text", Text, nullable=False))
marks = _child(
    "nominal_marks",
    Column("type", String(16), nullable=False),
    Column("location", String(200), nullable=False),
    Column("location_code", String(32)),
    Column("description", Text),
    Column("colours", JSON),
    Column("tattoo_class", String(16)),
    Column("tattoo_subclass", String(16)),
)
modus_operandi = _child(
    "nominal_modus_operandi",
    Column("text", Text, nullable=False),
    Column("recorded_on", Date),
)
offences = _child(
    "nominal_offences",
    Column("description", Text, nullable=False),
    Column("date", Date),
    Column("court_outcome", Text),
)
addresses = _child(
    "nominal_addresses",
    Column("text", String(500)),
    Column("town", String(100)),
    Column("postcode", String(10)),
    Column("from_date", Date),
    Column("to_date", Date),
)
warning_markers = _child("nominal_warning_markers", Column("marker", String(32), nullable=False))
photos = _child(
    "nominal_photos",
    Column("file", String(500), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("taken_on", Date),
    Column("sha256", String(64), ForeignKey("photo_blobs.sha256"), nullable=False, index=True),
    Column("mark_index", Integer),
)
associates = _child(
    "nominal_associates",
    Column("reference", String(64), nullable=False, index=True),
    Column("relationship", String(100)),
)

# Child tables in the order a nominal is written and read.
CHILD_TABLES: tuple[Table, ...] = (
    names,
    dates_of_birth,
    partner_agencies,
    behavioural_traits,
    marks,
    modus_operandi,
    offences,
    addresses,
    warning_markers,
    photos,
    associates,
)

photo_blobs = Table(
    "photo_blobs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size_bytes", BigInteger, nullable=False),
    Column("media_type", String(32), nullable=False),
    Column("stored_at", DateTime(timezone=True), nullable=False),
)

# What imaging found in a photo's content: one row per blob, shared by every nominal that
# holds the same picture. Hashes are unsigned 64-bit values stored as signed BIGINT.
photo_analyses = Table(
    "photo_analyses",
    metadata,
    Column("sha256", String(64), ForeignKey("photo_blobs.sha256"), primary_key=True),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("phash", BigInteger, nullable=False),
    Column("dhash", BigInteger, nullable=False),
    Column("phash_mirror", BigInteger, nullable=False),
    Column("dhash_mirror", BigInteger, nullable=False),
    Column("sharpness", Float, nullable=False),
    Column("brightness", Float, nullable=False),
    Column("contrast", Float, nullable=False),
    Column("clipped_shadows", Float, nullable=False),
    Column("clipped_highlights", Float, nullable=False),
    # Added for the photo audit (migration 0003); null in rows measured before it.
    Column("sharpness_least_direction", Float),
    Column("shadow_level", Float),
    Column("highlight_level", Float),
    # Null until the picture has been looked at as a face photo.
    Column("face_count", Integer),
    Column("face_area_share", Float),
    Column("face_centre_x", Float),
    Column("face_centre_y", Float),
    Column("analysis_version", Integer, nullable=False),
    Column("analysed_at", DateTime(timezone=True), nullable=False),
)

nominal_versions = Table(
    "nominal_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("nominal_id", Integer, ForeignKey("nominals.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("change", String(16), nullable=False),
    Column("changed_fields", JSON, nullable=False),
    Column("document", JSON, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("reason", Text),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("import_run_id", Integer, ForeignKey("import_runs.id")),
    UniqueConstraint("nominal_id", "version", name="uq_nominal_versions_nominal_version"),
)

# One row per change, written in the change's own transaction; the indexer consumes it in
# `id` order, which is also the order of changes to any one nominal.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("nominal_id", Integer, nullable=False),
    Column("reference", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("event", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

Index("ix_outbox_nominal_version", outbox.c.nominal_id, outbox.c.version)
