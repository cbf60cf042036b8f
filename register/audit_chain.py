"""The audit trail's hash chain, its signed head and checkpoints, and their verification.

Each entry holds the SHA-256 of the entry before it and of its own canonical content (every
field, the nominals it concerns among them), so that editing, removing, inserting or
reordering an entry breaks the chain at that entry. Anyone who can write to the database
could rebuild the chain after a change; they cannot sign it: the head (updated with every
append) and the checkpoints (every N entries, and on demand) carry an HMAC-SHA256 with a key
derived from VISOR_SECRET_KEY, so a rebuilt chain or a truncated tail is detected too.

Pure functions over entries: the database reads and writes are in register/audit.py.
"""

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

GENESIS = "0" * 64


@dataclass(frozen=True)
class ChainEntry:
    seq: int
    at: dt.datetime
    actor: str
    agency: str | None
    action: str
    target: str | None
    outcome: str
    purpose: str | None
    client: str | None
    details: str
    references: tuple[str, ...]
    previous_hash: str
    entry_hash: str

    @cached_property
    def content_hash(self) -> str:
        """The hash its content has (which `entry_hash` must equal). An entry is immutable,
        so computed once however often it is checked."""
        return entry_hash(self)


@dataclass(frozen=True)
class SignedPoint:
    """The chain's head, or a checkpoint: entry `seq` has hash `entry_hash`, signed."""

    seq: int
    entry_hash: str
    key_id: str | None
    signature: str | None


@dataclass(frozen=True)
class ChainSigner:
    key: bytes
    checkpoint_every: int = 1000

    @property
    def key_id(self) -> str:
        """Names the key without revealing it, so that verify can say which key signed."""
        return hashlib.sha256(b"visor key id" + self.key).hexdigest()[:16]

    def sign(self, seq: int, entry_hash: str) -> str:
        message = f"visor audit chain|{seq}|{entry_hash}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()

    def signed(self, seq: int, entry_hash: str) -> SignedPoint:
        return SignedPoint(seq, entry_hash, self.key_id, self.sign(seq, entry_hash))

    def valid(self, point: SignedPoint) -> bool:
        if point.signature is None or point.key_id != self.key_id:
            return False
        return hmac.compare_digest(point.signature, self.sign(point.seq, point.entry_hash))


def utc_text(moment: dt.datetime) -> str:
    """The one text form of an entry's time: UTC, microseconds. SQLite keeps no zone, and
    every time the register writes is UTC."""
    if moment.tzinfo is not None:
        if moment.utcoffset():
            moment = moment.astimezone(dt.UTC)
        moment = moment.replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds") + "Z"


# Built once: json.dumps with options builds an encoder per call, a third of the cost.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def canonical(entry: ChainEntry) -> bytes:
    """Every field but the entry's own hash, as compact JSON (an unambiguous encoding)."""
    return _ENCODER.encode(
        [
            entry.seq,
            utc_text(entry.at),
            entry.actor,
            entry.agency,
            entry.action,
            entry.target,
            entry.outcome,
            entry.purpose,
            entry.client,
            entry.details,
            entry.references,
            entry.previous_hash,
        ]
    ).encode("utf-8")


def entry_hash(entry: ChainEntry) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    entries: int
    checkpoints: int
    first_bad: int | None = None
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None


def verify_chain(
    entries: Iterable[ChainEntry],
    head: SignedPoint,
    checkpoints: Sequence[SignedPoint],
    signer: ChainSigner,
) -> ChainReport:
    """Check every entry in seq order, each checkpoint as the chain reaches it, then the
    signed head; stop at the first problem. The report names the first entry found bad: the
    broken entry or link, or for a chain re-made after a change (every hash right, no key),
    the first entry after the last checkpoint that still matches."""
    pending = iter(sorted(checkpoints, key=lambda p: p.seq))
    checkpoint = next(pending, None)
    trusted, head_hash = 0, None
    expected, previous, count = 1, GENESIS, 0
    problem: tuple[int, str] | None = None
    for entry in entries:
        problem = _link_problem(entry, expected, previous)
        if problem is not None:
            break
        if checkpoint is not None and entry.seq == checkpoint.seq:
            problem = _checkpoint_problem(checkpoint, entry.entry_hash, trusted, signer)
            if problem is not None:
                break
            trusted, checkpoint = checkpoint.seq, next(pending, None)
        if entry.seq == head.seq:
            head_hash = entry.entry_hash
        previous, expected, count = entry.entry_hash, expected + 1, count + 1
    last = expected - 1
    if problem is None and checkpoint is not None:
        problem = _checkpoint_problem(checkpoint, None, trusted, signer) or (
            trusted + 1,
            f"the chain ends at entry {last} but a signed checkpoint names entry "
            f"{checkpoint.seq}: entries were removed (truncated), or re-made after entry "
            f"{trusted}",
        )
    if problem is None and not (head.seq == 0 and count == 0):
        problem = _head_problem(head, last, head_hash, trusted, signer)
    if problem is None:
        return ChainReport(entries=count, checkpoints=len(checkpoints))
    return ChainReport(count, len(checkpoints), problem[0], problem[1])


def _checkpoint_problem(
    point: SignedPoint, found: str | None, trusted: int, signer: ChainSigner
) -> tuple[int, str] | None:
    if not signer.valid(point):
        return trusted + 1, _bad_signature(f"checkpoint {point.seq}", point, signer)
    if found is not None and found != point.entry_hash:
        return (
            trusted + 1,
            f"entries {trusted + 1}-{point.seq} were rewritten: entry {point.seq} does not "
            "match its signed checkpoint",
        )
    return None


def _link_problem(entry: ChainEntry, expected: int, previous: str) -> tuple[int, str] | None:
    if entry.seq > expected:
        gap = f"entries {expected}-{entry.seq - 1} are" if entry.seq > expected + 1 else None
        return expected, f"{gap or f'entry {expected} is'} missing (deleted)"
    if entry.seq < expected:
        return entry.seq, f"entry {entry.seq} is out of order or repeated"
    if entry.content_hash != entry.entry_hash:
        return entry.seq, f"entry {entry.seq} was edited: its content does not match its hash"
    if entry.previous_hash != previous:
        return (
            entry.seq,
            f"entry {entry.seq} does not follow entry {entry.seq - 1}: one of them was "
            "replaced, or an entry inserted or removed between them",
        )
    return None


def _head_problem(
    head: SignedPoint, last: int, found: str | None, trusted: int, signer: ChainSigner
) -> tuple[int, str] | None:
    if not signer.valid(head):
        return trusted + 1, _bad_signature("the chain's head", head, signer)
    if head.seq > last:
        return (
            trusted + 1,
            f"the chain ends at entry {last} but its signed head is entry {head.seq}: "
            f"entries were removed (truncated), or re-made after entry {trusted}",
        )
    if found != head.entry_hash:
        return (
            trusted + 1,
            f"entries after {trusted} were rewritten: entry {head.seq} does not match the "
            "chain's signed head",
        )
    if head.seq < last:
        return (
            head.seq + 1,
            f"entries {head.seq + 1}-{last} follow the signed head (entry {head.seq}): added "
            "without the key",
        )
    return None


def _bad_signature(what: str, point: SignedPoint, signer: ChainSigner) -> str:
    if point.signature is None:
        return f"{what} is not signed"
    if point.key_id != signer.key_id:
        return f"{what} was signed with another key (key id {point.key_id}, ours {signer.key_id})"
    return f"{what} has a bad signature: it was changed without the key"
