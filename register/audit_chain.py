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
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(entry: ChainEntry) -> bytes:
    fields = [
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
        list(entry.references),
        entry.previous_hash,
    ]
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


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
    """Check every entry in seq order, then the signed head and checkpoints against them.
    The report names the first entry found bad (the lowest seq of every problem)."""
    problems: list[tuple[int, str]] = []
    wanted = {point.seq for point in checkpoints}
    seen_at: dict[int, str] = {}
    expected, previous, count = 1, GENESIS, 0
    for entry in entries:
        if entry.seq != expected:
            if entry.seq > expected:
                missing = (
                    f"entries {expected}-{entry.seq - 1} are"
                    if entry.seq > expected + 1
                    else f"entry {expected} is"
                )
                problems.append((expected, f"{missing} missing (deleted)"))
            else:
                problems.append((entry.seq, f"entry {entry.seq} is out of order or repeated"))
            break
        if entry_hash(entry) != entry.entry_hash:
            problems.append(
                (entry.seq, f"entry {entry.seq} was edited: its content does not match its hash")
            )
            break
        if entry.previous_hash != previous:
            problems.append(
                (
                    entry.seq,
                    f"entry {entry.seq} does not follow entry {entry.seq - 1}: one of them was "
                    "replaced, or an entry inserted or removed between them",
                )
            )
            break
        if entry.seq in wanted:
            seen_at[entry.seq] = entry.entry_hash
        previous, expected, count = entry.entry_hash, expected + 1, count + 1
    last = expected - 1
    if problems:
        # Entries past the first break were not read: judge only what was.
        checked_to = problems[0][0] - 1
    else:
        checked_to = last
        if head.seq == 0 and count == 0:
            pass
        elif not signer.valid(head):
            problems.append(
                (min(head.seq, last) or 1, _bad_signature("the chain's head", head, signer))
            )
        elif head.seq > last:
            problems.append(
                (
                    last + 1,
                    f"the chain was truncated: it ends at entry {last}, its signed head is "
                    f"entry {head.seq}",
                )
            )
        elif head.seq < last:
            problems.append(
                (
                    head.seq + 1,
                    f"entries {head.seq + 1}-{last} follow the signed head (entry {head.seq}): "
                    "added without the key",
                )
            )
        elif head.entry_hash != previous:
            problems.append(
                (last, f"entry {last} does not match the signed head: the chain was rewritten")
            )
    previous_checkpoint = 0
    for point in sorted(checkpoints, key=lambda p: p.seq):
        if not signer.valid(point):
            problems.append(
                (previous_checkpoint + 1, _bad_signature(f"checkpoint {point.seq}", point, signer))
            )
        elif point.seq > checked_to and not problems:
            problems.append(
                (
                    last + 1,
                    f"the chain was truncated: it ends at entry {last}, a signed checkpoint "
                    f"names entry {point.seq}",
                )
            )
        elif point.seq <= checked_to and seen_at.get(point.seq) != point.entry_hash:
            problems.append(
                (
                    previous_checkpoint + 1,
                    f"entries {previous_checkpoint + 1}-{point.seq} were rewritten: entry "
                    f"{point.seq} does not match its signed checkpoint",
                )
            )
        previous_checkpoint = point.seq
    if not problems:
        return ChainReport(entries=count, checkpoints=len(checkpoints))
    first_bad, problem = min(problems)
    return ChainReport(
        entries=count, checkpoints=len(checkpoints), first_bad=first_bad, problem=problem
    )


def _bad_signature(what: str, point: SignedPoint, signer: ChainSigner) -> str:
    if point.signature is None:
        return f"{what} is not signed"
    if point.key_id != signer.key_id:
        return f"{what} was signed with another key (key id {point.key_id}, ours {signer.key_id})"
    return f"{what} has a bad signature: it was changed without the key"
