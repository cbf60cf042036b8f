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


# --- Security: agencies, users, sessions (migration 0003) -------------------------------------

agencies = Table(
    "agencies",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("agency", String(32), ForeignKey("agencies.code"), nullable=False, index=True),
    Column("enabled", Boolean, nullable=False),
    # "local" (a password here) today; a force's single sign-on would add e.g. "oidc", with
    # the identity provider's subject in `external_subject`, and sign in through the same
    # sessions (register/sessions.py) without a password hash.
    Column("auth_source", String(16), nullable=False),
    Column("external_subject", String(255)),
    Column("password_hash", String(255)),
    Column("password_changed_at", DateTime(timezone=True)),
    Column("failed_attempts", Integer, nullable=False),
    Column("locked_until", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

user_roles = Table(
    "user_roles",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(16), primary_key=True),
)

# One row per signed-in session; a token names its session, which is checked on every use,
# so that idle timeout, absolute lifetime, sign-out, disabling and password changes end it.
sessions = Table(
    "sessions",
    metadata,
    # SHA-256 of the session id: a copy of this table signs no one in.
    Column("id_hash", String(64), primary_key=True),
    Column(
        "user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("kind", String(8), nullable=False),
    Column("client", String(64)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
    Column("ended_reason", String(32)),
)

# Partnership and transfer of management: asked for by one agency, decided by another.
partnership_requests = Table(
    "partnership_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(64), nullable=False, index=True),
    Column("agency", String(32), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("requested_by", String(64), nullable=False),
    # The asking user's agency (migration 0005), so that an agency can list what it asked for.
    Column("requesting_agency", String(32)),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("reason", Text),
    Column("decided_by", String(64)),
    Column("decided_at", DateTime(timezone=True)),
)

# --- The audit trail (migration 0003): append-only, hash-chained ------------------------------

audit_entries = Table(
    "audit_entries",
    metadata,
    # Assigned by the writer under the chain's lock (audit_head), 1, 2, 3...: a gap is a
    # deleted entry.
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("actor", String(200), nullable=False, index=True),
    Column("agency", String(32)),
    Column("action", String(32), nullable=False),
    Column("target", String(200), index=True),
    Column("outcome", String(16), nullable=False),
    Column("purpose", Text),
    Column("client", String(64)),
    # Canonical JSON text, hashed as stored: never re-serialised by the database.
    Column("details", Text, nullable=False),
    Column("previous_hash", String(64), nullable=False),
    Column("entry_hash", String(64), nullable=False),
)

# Which nominals each entry concerns (viewed, changed, returned by a search): "who looked at
# this record?". Part of the entry: its hash covers them.
audit_references = Table(
    "audit_references",
    metadata,
    Column("seq", BigInteger, ForeignKey("audit_entries.seq"), primary_key=True),
    # A search's references keep the answer's order.
    Column("position", SmallInteger, primary_key=True, autoincrement=False),
    Column("reference", String(64), nullable=False, index=True),
)

# Signed checkpoints of the chain: every VISOR_AUDIT_CHECKPOINT_EVERY entries and on demand.
audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("entry_hash", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("key_id", String(16), nullable=False),
    Column("signature", String(64), nullable=False),
)

# One row: the chain's signed head, and the lock every append takes (SELECT ... FOR UPDATE
# on PostgreSQL, the write lock on SQLite) so that two writers never fork the chain.
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", SmallInteger, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("entry_hash", String(64), nullable=False),
    Column("key_id", String(16)),
    Column("signature", String(64)),
)

# --- What is attached to a nominal (migration 0005) -------------------------------------------

# Documents (risk assessments, risk management plans, MAPPA minutes...), validated by content
# and kept by SHA-256 in the document store; the row is what the register says about one.
documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("nominal_id", Integer, ForeignKey("nominals.id"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("title", String(200), nullable=False),
    Column("author", String(200), nullable=False),
    Column("document_date", Date, nullable=False),
    # What the content was found to be (pdf, docx, text), never what the sender said.
    Column("format", String(8), nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("size_bytes", BigInteger, nullable=False),
    Column("uploaded_by", String(200), nullable=False),
    Column("agency", String(32)),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
)

# The activity log: dated entries per nominal, append-only (triggers refuse UPDATE and
# DELETE, as on the audit trail): a visit or a piece of intelligence once recorded stays.
activity_entries = Table(
    "activity_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("nominal_id", Integer, ForeignKey("nominals.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("occurred_on", Date, nullable=False),
    Column("text", Text, nullable=False),
    Column("author", String(200), nullable=False),
    Column("agency", String(32)),
    Column("recorded_by", String(200), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

Index(
    "ix_activity_entries_nominal_date",
    activity_entries.c.nominal_id,
    activity_entries.c.occurred_on,
    activity_entries.c.id,
)
