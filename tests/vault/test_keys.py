"""Master keys: where they come from, how they rotate, and the primitives built on them."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

from gardien.errors import ConfigurationError
from gardien.vault import (
    BlindIndex,
    CorruptCiphertextError,
    EnvKeyProvider,
    FieldCipher,
    KeyFileError,
    KeyFilePermissionError,
    KeyFileProvider,
    KeyRing,
    MasterKey,
    MasterKeyProvider,
    MissingKeyError,
    WrongKeyError,
    create_key_file,
    derive_subkey,
    load_master_keys,
    rotate_key_file,
)


def env_value(key: MasterKey) -> str:
    return base64.b64encode(key.material).decode()


def test_master_key_repr_and_str_never_show_the_material() -> None:
    key = MasterKey.generate()
    for shown in (repr(key), str(key), f"{key}", repr(KeyRing([key], key.key_id, key.key_id))):
        assert key.material.hex() not in shown
        assert base64.b64encode(key.material).decode() not in shown
        assert str(key.material) not in shown
    assert key.key_id in repr(key)


def test_key_id_is_eight_hex_digits_derived_from_the_material() -> None:
    key = MasterKey.generate()
    assert len(key.key_id) == 8
    assert int(key.key_id, 16) >= 0
    assert MasterKey.from_material(key.material).key_id == key.key_id
    assert MasterKey.generate().key_id != key.key_id


def test_a_master_key_must_have_32_bytes() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        MasterKey("abcd1234", b"short")


def test_create_key_file_writes_an_owner_only_file_that_loads(tmp_path: Path) -> None:
    path = tmp_path / "gardien.key"
    key = create_key_file(path)
    assert path.stat().st_mode & 0o777 == 0o600
    provider = KeyFileProvider(path)
    assert provider.current() == key
    assert provider.index_key() == key
    assert isinstance(provider, MasterKeyProvider)


def test_create_key_file_is_0600_even_with_a_permissive_umask(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        create_key_file(tmp_path / "gardien.key")
    finally:
        os.umask(previous)
    assert (tmp_path / "gardien.key").stat().st_mode & 0o777 == 0o600


def test_create_key_file_refuses_to_overwrite_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "gardien.key"
    first = create_key_file(path)
    with pytest.raises(KeyFileError, match="refusing to overwrite"):
        create_key_file(path)
    assert KeyFileProvider(path).current() == first


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o644, 0o606])
def test_a_key_file_readable_by_others_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "gardien.key"
    create_key_file(path)
    path.chmod(mode)
    with pytest.raises(KeyFilePermissionError, match="chmod 600") as raised:
        KeyFileProvider(path)
    assert raised.value.code == "key_file_too_open"
    assert isinstance(raised.value, ConfigurationError)


def test_a_key_file_with_mode_0400_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "gardien.key"
    key = create_key_file(path)
    path.chmod(0o400)
    assert KeyFileProvider(path).current() == key


def test_rotation_adds_a_current_key_and_keeps_older_keys_and_the_index_key(
    tmp_path: Path,
) -> None:
    path = tmp_path / "gardien.key"
    first = create_key_file(path)
    second = rotate_key_file(path)
    third = rotate_key_file(path)
    provider = KeyFileProvider(path)
    assert provider.current() == third
    assert provider.get(first.key_id) == first
    assert provider.get(second.key_id) == second
    assert provider.index_key() == first
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["gardien.key"]


def test_missing_key_message_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(MissingKeyError) as raised:
        load_master_keys(None, None)
    message = str(raised.value)
    assert "no master key is configured" in message
    assert "gardien key create" in message
    assert "GARDIEN_MASTER_KEY" in message
    assert raised.value.code == "missing_master_key"
    assert isinstance(raised.value, ConfigurationError)

    with pytest.raises(MissingKeyError, match=r"nowhere\.key does not exist; create"):
        load_master_keys(tmp_path / "nowhere.key", None)


def test_load_master_keys_from_the_environment() -> None:
    key = MasterKey.generate()
    provider = load_master_keys(None, f"  {env_value(key)}\n")
    assert provider.current() == key
    assert provider.index_key() == key
    assert provider.source == "GARDIEN_MASTER_KEY"


@pytest.mark.parametrize(
    ("value", "problem"),
    [("not base64!", "not valid base64"), (base64.b64encode(b"x" * 16).decode(), "16 bytes")],
)
def test_a_bad_environment_key_is_a_configuration_error(value: str, problem: str) -> None:
    with pytest.raises(ConfigurationError, match=problem):
        EnvKeyProvider(value)


def test_a_key_file_and_a_different_environment_key_are_ambiguous(tmp_path: Path) -> None:
    path = tmp_path / "gardien.key"
    in_file = create_key_file(path)
    assert load_master_keys(path, env_value(in_file)).current() == in_file
    with pytest.raises(ConfigurationError, match="different keys; unset one"):
        load_master_keys(path, env_value(MasterKey.generate()))


def write_document(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document))
    path.chmod(0o600)
    return path


def test_a_damaged_key_in_the_file_is_detected_by_its_id(tmp_path: Path) -> None:
    path = tmp_path / "gardien.key"
    create_key_file(path)
    document = json.loads(path.read_text())
    material = bytearray(base64.b64decode(document["keys"][0]["material"]))
    material[0] ^= 1
    document["keys"][0]["material"] = base64.b64encode(bytes(material)).decode()
    write_document(path, document)
    with pytest.raises(KeyFileError, match="damaged or mistyped"):
        KeyFileProvider(path)


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ("not json", "not valid JSON"),
        ("[" * 100_000, "not a Gardien key file"),
        ({"format": "other"}, "not a Gardien key file"),
        ({"format": "gardien-master-keys", "version": 9}, "version 9"),
        ({"format": "gardien-master-keys", "version": 1, "keys": []}, 'no "keys"'),
        (
            {"format": "gardien-master-keys", "version": 1, "keys": [{"id": "x"}]},
            'needs an "id" and a "material"',
        ),
    ],
)
def test_a_malformed_key_file_names_its_problem(
    tmp_path: Path, document: object, problem: str
) -> None:
    path = tmp_path / "gardien.key"
    if isinstance(document, str):
        path.write_text(document)
        path.chmod(0o600)
    else:
        write_document(path, document)
    with pytest.raises(KeyFileError, match=problem) as raised:
        KeyFileProvider(path)
    assert str(path) in str(raised.value)


def test_a_key_file_whose_current_key_is_absent_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "gardien.key"
    create_key_file(path)
    document = json.loads(path.read_text())
    document["current"] = "00000000"
    write_document(path, document)
    with pytest.raises(KeyFileError, match='"current" must name one of its keys'):
        KeyFileProvider(path)


def test_subkeys_differ_per_label_and_per_master_key() -> None:
    one, two = MasterKey.generate(), MasterKey.generate()
    assert len(derive_subkey(one, "field-cipher")) == 32
    assert derive_subkey(one, "a") == derive_subkey(one, "a")
    assert derive_subkey(one, "a") != derive_subkey(one, "b")
    assert derive_subkey(one, "a") != derive_subkey(two, "a")
    assert derive_subkey(one, "a") != one.material


def test_blind_index_is_deterministic_keyed_and_separated_by_kind() -> None:
    ring = EnvKeyProvider(env_value(MasterKey.generate()))
    index = BlindIndex(ring)
    email = index.digest("email", "alice@example.org")
    assert len(email) == 32
    assert index.digest("email", "alice@example.org") == email
    assert index.digest("email", "bob@example.org") != email
    assert index.digest("customer_number", "alice@example.org") != email
    other = BlindIndex(EnvKeyProvider(env_value(MasterKey.generate())))
    assert other.digest("email", "alice@example.org") != email


def test_blind_index_survives_rotation(tmp_path: Path) -> None:
    path = tmp_path / "gardien.key"
    create_key_file(path)
    before = BlindIndex(KeyFileProvider(path)).digest("email", "alice@example.org")
    rotate_key_file(path)
    rotate_key_file(path)
    after = BlindIndex(KeyFileProvider(path)).digest("email", "alice@example.org")
    assert after == before


def test_field_cipher_round_trips_and_never_repeats_a_ciphertext() -> None:
    cipher = FieldCipher(EnvKeyProvider(env_value(MasterKey.generate())))
    first = cipher.encrypt(b"alice@example.org", b"identifier:1")
    second = cipher.encrypt(b"alice@example.org", b"identifier:1")
    assert first != second
    assert b"alice" not in first
    assert cipher.decrypt(first, b"identifier:1") == b"alice@example.org"
    assert cipher.decrypt(second, b"identifier:1") == b"alice@example.org"
    assert cipher.decrypt(cipher.encrypt(b"", b""), b"") == b""


def test_field_cipher_refuses_a_value_moved_to_another_record() -> None:
    cipher = FieldCipher(EnvKeyProvider(env_value(MasterKey.generate())))
    token = cipher.encrypt(b"alice@example.org", b"identifier:1")
    with pytest.raises(CorruptCiphertextError, match="another record"):
        cipher.decrypt(token, b"identifier:2")


def test_field_cipher_detects_every_flipped_byte() -> None:
    cipher = FieldCipher(EnvKeyProvider(env_value(MasterKey.generate())))
    token = cipher.encrypt(b"alice@example.org", b"identifier:1")
    for position in range(len(token)):
        damaged = bytearray(token)
        damaged[position] ^= 0x01
        with pytest.raises((CorruptCiphertextError, WrongKeyError)) as raised:
            cipher.decrypt(bytes(damaged), b"identifier:1")
        if raised.type is WrongKeyError:
            assert position < 2 + len(cipher.key_id_of(token))


def test_field_cipher_under_the_wrong_master_key_names_the_missing_key() -> None:
    written = FieldCipher(EnvKeyProvider(env_value(key := MasterKey.generate())))
    token = written.encrypt(b"alice@example.org", b"identifier:1")
    reader = FieldCipher(EnvKeyProvider(env_value(MasterKey.generate())))
    with pytest.raises(WrongKeyError, match=key.key_id) as raised:
        reader.decrypt(token, b"identifier:1")
    assert raised.value.code == "wrong_master_key"
    assert "GARDIEN_MASTER_KEY does not hold" in str(raised.value)


def test_field_values_written_before_a_rotation_still_decrypt_after(tmp_path: Path) -> None:
    path = tmp_path / "gardien.key"
    first = create_key_file(path)
    token = FieldCipher(KeyFileProvider(path)).encrypt(b"+33612345678", b"phone:7")
    second = rotate_key_file(path)
    cipher = FieldCipher(KeyFileProvider(path))
    assert cipher.decrypt(token, b"phone:7") == b"+33612345678"
    assert cipher.key_id_of(token) == first.key_id
    assert cipher.key_id_of(cipher.encrypt(b"+33612345678", b"phone:7")) == second.key_id


@pytest.mark.parametrize("token", [b"", b"\x01", b"\x02\x08abcdefgh", b"\x01\x08abcd1234short"])
def test_field_cipher_rejects_malformed_tokens(token: bytes) -> None:
    cipher = FieldCipher(EnvKeyProvider(env_value(MasterKey.generate())))
    with pytest.raises((CorruptCiphertextError, WrongKeyError)):
        cipher.decrypt(token, b"")


def test_reencrypt_moves_a_field_to_the_current_key_so_the_old_one_can_retire() -> None:
    old, new = MasterKey.generate(), MasterKey.generate()
    token = FieldCipher(KeyRing([old], old.key_id, old.key_id)).encrypt(b"alice", b"row:1")
    both = FieldCipher(KeyRing([old, new], new.key_id, old.key_id))
    moved = both.reencrypt(token, b"row:1")
    assert both.key_id_of(moved) == new.key_id
    assert both.reencrypt(moved, b"row:1") is moved
    only_new = FieldCipher(KeyRing([new], new.key_id, new.key_id))
    assert only_new.decrypt(moved, b"row:1") == b"alice"
    with pytest.raises(WrongKeyError):
        only_new.decrypt(token, b"row:1")
