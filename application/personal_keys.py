"""Sealing and opening the personal values of entries with keys kept apart from the log.

An entry's personal values (``domain.personal_data``) are stored as
``{"_type_": "personal", "_data_": [key id, commitment, sealed, shape]}``: AES-GCM under the
key of their subject in that case file, the salt of the commitment sealed with the value, the
key id and commitment bound in as associated data. A key destroyed (``KeyStore.destroy``)
leaves the value unreadable wherever the log was copied; it is then read as the erasure's
note, and its commitment, which the hash chain covers, is still there.
"""

from __future__ import annotations

import binascii
import hashlib
import secrets
import threading
import time
from base64 import b64encode
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import JSONTranscoder, Transcoding
from eventsourcing.utils import Environment

from domain.personal_data import (
    SEALED_TYPES,
    Erased,
    ErasedList,
    ErasedRecord,
    Erasure,
    Personal,
    PersonalList,
    PersonalRecord,
    commit,
    person_key,
    plain_bytes,
)

TYPE = "personal"
"""The transcoding's name in the stored JSON."""

SHAPES = {"s": Personal, "r": PersonalRecord, "l": PersonalList}
ERASED_SHAPES = {"s": Erased, "r": ErasedRecord, "l": ErasedList}


@dataclass(frozen=True)
class KeyRecord:
    """One key as the key store lists it (never its material)."""

    key_id: str
    case_file: UUID
    person: str | None  # the person's id in the key store; None: the case file's free text
    created_on: date | None
    erasure: Erasure | None = None


class KeyStore(Protocol):
    """Where the keys are kept, apart from the log (``adapters.key_store``)."""

    def key_for(self, case_file: UUID, subject: str | None, name: str | None
                ) -> tuple[str, bytes]:
        """The key id and key for ``subject`` (a person, as ``person_key`` folds them, or None
        for the case file's free text) in ``case_file``, made if there is none yet. ``name``
        is how the person was named, for the person record."""

    def keys_for(self, wanted: list[tuple[UUID, str | None, str | None]]
                 ) -> list[tuple[str, bytes]]:
        """``key_for`` of each of ``wanted``, in one transaction (an import's thousands)."""

    def keys(self, key_ids: Iterable[str]) -> dict[str, bytes | Erasure]:
        """The keys asked for that exist: their material, or why it was destroyed."""

    def all_keys(self) -> dict[str, bytes | Erasure]:
        """Every key, for a reading of the whole log (a rebuild)."""

    def case_file_keys(self, key_id: str) -> dict[str, bytes | Erasure]:
        """Every key of the case file ``key_id`` belongs to (``key_id`` among them, if it
        exists): what reading that case file will ask for next, in one query."""

    def generation(self) -> int:
        """A number that changes whenever a key is destroyed."""

    def destroy(self, key_ids: Iterable[str], erasure: Erasure, by: str) -> int:
        """Destroys these keys' material, keeping why; returns how many were destroyed."""

    def key_records(self, *, case_file: UUID | None = None, person: str | None = None
                    ) -> list[KeyRecord]:
        """The keys of a case file, of a person (by id), or all."""

    def people(self, query: str) -> list[dict[str, Any]]:
        """The person records whose name or contact contain ``query`` (case folded)."""

    def person(self, person_id: str) -> dict[str, Any] | None: ...

    def add_contact(self, subject: str, contact: str) -> None:
        """Notes a contact (an email, a login) of the person ``subject`` names."""


class MemoryKeyStore:
    """Keys in this process's memory: for tests and an in-memory store, whose entries die
    with the process too."""

    def __init__(self) -> None:
        self._keys: dict[str, bytes | Erasure] = {}
        self._records: dict[str, KeyRecord] = {}
        self._ids: dict[tuple[UUID, str | None], str] = {}
        self._people: dict[str, dict[str, Any]] = {}
        self._person_ids: dict[str, str] = {}
        self._generation = 0
        self._lock = threading.Lock()

    def key_for(self, case_file: UUID, subject: str | None, name: str | None
                ) -> tuple[str, bytes]:
        with self._lock:
            key_id = self._ids.get((case_file, subject))
            if key_id is None or not isinstance(self._keys[key_id], bytes):
                person = None
                if subject is not None:
                    person = self._person_ids.get(subject)
                    if person is None:
                        person = self._person_ids[subject] = secrets.token_hex(8)
                        self._people[person] = {"person": person, "name": name or subject,
                                                "contacts": []}
                key_id = new_key_id()
                self._keys[key_id] = new_key()
                self._records[key_id] = KeyRecord(key_id, case_file, person, None)
                self._ids[case_file, subject] = key_id
            return key_id, self._keys[key_id]  # type: ignore[return-value]

    def keys_for(self, wanted: list[tuple[UUID, str | None, str | None]]
                 ) -> list[tuple[str, bytes]]:
        return [self.key_for(*one) for one in wanted]

    def preload(self, keys: dict[str, bytes | Erasure]) -> None:
        """Keys read elsewhere (a rebuild's process reads the keys its parent has)."""
        self._keys.update(keys)

    def keys(self, key_ids: Iterable[str]) -> dict[str, bytes | Erasure]:
        return {k: self._keys[k] for k in key_ids if k in self._keys}

    def all_keys(self) -> dict[str, bytes | Erasure]:
        return dict(self._keys)

    def case_file_keys(self, key_id: str) -> dict[str, bytes | Erasure]:
        record = self._records.get(key_id)
        if record is None:  # preloaded, without its record
            return self.keys([key_id])
        return {k: self._keys[k] for k, r in self._records.items()
                if r.case_file == record.case_file}

    def generation(self) -> int:
        return self._generation

    def destroy(self, key_ids: Iterable[str], erasure: Erasure, by: str) -> int:
        destroyed = 0
        with self._lock:
            for key_id in key_ids:
                if isinstance(self._keys.get(key_id), bytes):
                    self._keys[key_id] = erasure
                    self._records[key_id] = KeyRecord(
                        **{**vars(self._records[key_id]), "erasure": erasure})
                    destroyed += 1
            self._generation += 1
        return destroyed

    def key_records(self, *, case_file: UUID | None = None, person: str | None = None
                    ) -> list[KeyRecord]:
        return [r for r in self._records.values()
                if (case_file is None or r.case_file == case_file)
                and (person is None or r.person == person)]

    def people(self, query: str) -> list[dict[str, Any]]:
        folded = " ".join(query.split()).casefold()
        return [p for p in self._people.values()
                if folded in p["name"].casefold()
                or any(folded in c.casefold() for c in p["contacts"])]

    def person(self, person_id: str) -> dict[str, Any] | None:
        return self._people.get(person_id)

    def add_contact(self, subject: str, contact: str) -> None:
        if (person := self._person_ids.get(subject)) is not None:
            contacts = self._people[person]["contacts"]
            if contact not in contacts:
                contacts.append(contact)


PROCESS_KEYS = MemoryKeyStore()
"""The keys of case files opened without a key store: they live as long as this process."""


def new_key_id() -> str:
    return secrets.token_hex(8)


def new_key() -> bytes:
    """A fresh 256-bit AES key."""
    return secrets.token_bytes(32)


def cipher(key: bytes) -> AESCipher:
    """AES-GCM under ``key``: each sealing has its own random nonce and is authenticated."""
    return AESCipher(Environment(env={AESCipher.CIPHER_KEY: b64encode(key).decode("ascii")}))


READ_ALL_AFTER = 1_000
"""Case files whose keys were fetched one case file at a time (all of a case file's keys at
its first unknown key) before every key is read at once: a web worker meets a few hundred case
files an hour; a rebuild, a verification or a subject access search reads them all."""


class Keyring:
    """The keys this process has used, kept in memory, and the sealing and opening with them.

    A key destroyed by another process is noticed within ``recheck`` seconds (the store's
    generation is read at most that often); then every key and every cached reading is
    dropped (``on_erasure`` listeners), so nothing opened before is shown again."""

    def __init__(self, store: KeyStore, *, recheck: float = 1.0) -> None:
        self.store = store
        self.recheck = recheck
        self._cipher = getattr(store, "cipher", cipher)
        """AES-GCM under a key: the key store's own (on the library it keeps keys for), or
        the eventsourcing library's cipher."""
        self._opening: dict[str, AESCipher | bytes | Erasure] = {}
        """By key id: the cipher, the key itself until its first use (a store's every key
        read at once is hundreds of thousands, and most are never used here), or why it
        was destroyed."""
        self._sealing: dict[tuple[Any, str | None], tuple[str, AESCipher]] = {}
        self._generation = store.generation()
        self._checked = time.monotonic()
        self._listeners: list[Any] = []
        self._noted: set[tuple[str, str]] = set()
        self._misses = 0
        self._lock = threading.Lock()
        self.codec: JSONTranscoder = JSONTranscoder()
        """How a structured value is written inside its seal: the application's own
        transcoder (dates kept as dates), set when the transcoding is registered."""

    def on_erasure(self, listener: Any) -> None:
        self._listeners.append(listener)

    def current(self, *, now: bool = False) -> None:
        """Drops what this process knows if a key was destroyed since it last looked."""
        if not now and time.monotonic() - self._checked < self.recheck:
            return
        generation = self.store.generation()
        self._checked = time.monotonic()
        if generation != self._generation:
            self.forget(generation)

    def forget(self, generation: int | None = None) -> None:
        with self._lock:
            self._opening.clear()
            self._sealing.clear()
            self._misses = 0
            self._generation = self.store.generation() if generation is None else generation
        for listener in self._listeners:
            listener()

    def prepare(self, events: Iterable[Any]) -> None:
        """Makes, in one go, the keys the personal values of these entries (about to be
        stored) need and this process does not have yet: an import of thousands of schools
        then writes to the key store once, not once a school."""
        wanted: dict[tuple[Any, str | None], str | None] = {}
        for event in events:
            for value in vars(event).values():
                for one in (value if type(value) is list else (value,)):
                    if (isinstance(one, SEALED_TYPES) and getattr(one, "sealed", 1) is None
                            and (one.case_file, one.subject) not in self._sealing):
                        wanted.setdefault((one.case_file, one.subject),
                                          str(one) if isinstance(one, str) and one.subject
                                          else None)
        if len(wanted) < 2:
            return  # one key: made as it is sealed
        found = self.store.keys_for([(case_file, subject, name)
                                     for (case_file, subject), name in wanted.items()])
        for pair, (key_id, key) in zip(wanted, found, strict=True):
            self._sealing[pair] = (key_id, self._cipher(key))

    def load_all(self) -> None:
        """Reads every key at once (a rebuild reads the whole log)."""
        keys = self.store.all_keys()
        with self._lock:
            for key_id, key in keys.items():
                self._opening[key_id] = key

    def hold(self, key_ids: Iterable[str]) -> None:
        """Keeps at hand for opening exactly these keys, those not yet at hand read at once: a
        check of the log a part at a time holds each part's keys, never every key (England's
        are hundreds of thousands: seconds to read, hundreds of MB to hold)."""
        wanted = set(key_ids)
        with self._lock:
            held = {k: v for k, v in self._opening.items() if k in wanted}
        held.update(self.store.keys([k for k in wanted if k not in held]))  # ciphers when used
        with self._lock:
            self._opening = held

    def destroy(self, key_ids: Iterable[str], erasure: Erasure, by: str) -> int:
        destroyed = self.store.destroy(list(key_ids), erasure, by)
        self.forget()
        return destroyed

    # Sealing --------------------------------------------------------------------------

    def seal(self, value: Any) -> list[Any]:
        """The stored form of a personal value."""
        if value.sealed is not None:
            return value.sealed
        if isinstance(value, (Erased, ErasedRecord, ErasedList)):
            raise ValueError("an erased value has no stored form of its own")
        key_id, sealer = self._sealer(value.case_file, value.subject, value)
        if value.subject is not None:
            self._note_contacts(value.subject, value)
        shape = "s" if isinstance(value, str) else "r" if isinstance(value, dict) else "l"
        plain = value.salt + (str(value).encode("utf-8") if isinstance(value, str)
                              else self.codec.encode(_bare(value)))
        sealed = sealer.encrypt(plain)
        value.sealed = [key_id, value.commitment, b64encode(sealed).decode("ascii"), shape]
        return value.sealed

    def _note_contacts(self, subject: str, value: Any) -> None:
        """A person's email or login, as their person record's contacts (subject access
        finds people by them)."""
        found = [value] if isinstance(value, str) else (
            [value[k] for k in ("email", "operator") if isinstance(value.get(k), str)]
            if isinstance(value, dict) else [])
        for contact in found:
            contact = str(contact).strip()
            if contact and person_key(contact) != subject and (subject, contact) not in self._noted:
                self.store.add_contact(subject, contact)
                self._noted.add((subject, contact))

    def _sealer(self, case_file: Any, subject: str | None, value: Any) -> tuple[str, AESCipher]:
        if case_file is None:
            raise ValueError("a personal value to be stored needs its case file")
        found = self._sealing.get((case_file, subject))
        if found is None:
            name = str(value) if subject is not None and isinstance(value, str) else None
            key_id, key = self.store.key_for(case_file, subject, name)
            found = self._sealing[case_file, subject] = (key_id, self._cipher(key))
        return found

    # Opening --------------------------------------------------------------------------

    def open(self, data: list[Any]) -> Any:
        """The value a stored form holds, or the erasure's note where its key is gone."""
        key_id, commitment, sealed, shape = data
        opener = self._opening.get(key_id)
        if opener is None:
            opener = self._opener(key_id)
        if type(opener) is bytes:
            opener = self._opening[key_id] = self._cipher(opener)
        if type(opener) is Erasure:
            return ERASED_SHAPES[shape](opener, commitment, data)
        plain = opener.decrypt(_from_base64(sealed))
        salt = plain[:16]
        if shape == "s":
            # Built and checked inline: a rebuild opens hundreds of thousands
            value: Any = _new_str(Personal, plain[16:].decode("utf-8"))
            value.__dict__ = {"subject": None, "case_file": None, "salt": salt,
                              "commitment": commitment, "sealed": data}
            committed = _sha256(plain).hexdigest()  # salt and value, as commit() makes it
        else:
            value = SHAPES[shape](self.codec.decode(plain[16:]), salt=salt,
                                  commitment=commitment, sealed=data)
            committed = commit(salt, plain_bytes(_bare(value)))
        if committed != commitment:
            raise AlteredValue(f"A personal value sealed under key {key_id} is not the one "
                               "its entry's hash link covers")
        return value

    def _opener(self, key_id: str) -> AESCipher | bytes | Erasure:
        self._misses += 1
        if self._misses == READ_ALL_AFTER:
            self.load_all()  # a reading of much of the log: one query, not one a case file
            if (opener := self._opening.get(key_id)) is not None:
                return opener
        found = self.store.case_file_keys(key_id)
        if key_id not in found:
            raise MissingKey(f"The key {key_id} of a personal value is not in the key store "
                             "(SCC_KEY_STORE_URL must be the key store of this log)")
        with self._lock:
            for other, key in found.items():
                self._opening.setdefault(other, key)
        return self._opening[key_id]


class AlteredValue(ValueError):
    """A sealed value was swapped for another sealed under the same key."""


_new_str = str.__new__
_from_base64 = binascii.a2b_base64
_sha256 = hashlib.sha256


class MissingKey(LookupError):
    """An entry's personal value names a key the key store never had."""


def missing_key(error: BaseException | None) -> str | None:
    """Why an entry could not be read, if it was for a key the key store does not have (the
    library wraps what a transcoding raises): a wrong key store, not an altered entry."""
    found = _behind(error, MissingKey)
    return None if found is None else str(found)


def altered_value(error: BaseException | None) -> bool:
    """Whether an entry could not be read because a sealed value in it is not the one its
    commitment (which its link covers) says: its content was altered."""
    return _behind(error, AlteredValue) is not None


def _behind(error: BaseException | None, kind: type[Exception]) -> BaseException | None:
    while error is not None and not isinstance(error, kind):
        error = error.__cause__ or error.__context__
    return error


def _bare(value: Any) -> Any:
    """A structured value as plain dicts and lists, for the JSON encoder."""
    return dict(value) if isinstance(value, dict) else list(value)


class _Stored:
    """A personal value on its way to the JSON encoder: the library's encoder meets str,
    dict and list subclasses as plain values, so they are swapped for this first."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class PersonalTranscoding(Transcoding):
    type = _Stored
    name = TYPE

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    def encode(self, obj: _Stored) -> list[Any]:
        return self.keyring.seal(obj.value)

    def decode(self, data: list[Any]) -> Any:
        return self.keyring.open(data)


class SealingTranscoder(JSONTranscoder):
    """The library's JSON transcoder, with personal values sealed on the way in."""

    def encode(self, obj: Any) -> bytes:
        return super().encode(_swapped(obj))


def _swapped(value: Any) -> Any:
    kind = type(value)
    if kind in _PLAIN:
        return value
    if isinstance(value, SEALED_TYPES):
        return _Stored(value)
    if kind is dict:
        swapped = None
        for name, item in value.items():
            if type(item) in _PLAIN:
                continue
            new = _swapped(item)
            if new is not item:
                swapped = swapped or dict(value)
                swapped[name] = new
        return value if swapped is None else swapped
    if kind is list or kind is tuple:
        items = [_swapped(item) for item in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    return value


_PLAIN = frozenset((str, int, bool, float, type(None)))


def register_personal_transcoding(transcoder: JSONTranscoder, keyring: Keyring) -> None:
    transcoder.register(PersonalTranscoding(keyring))
    keyring.codec = transcoder
