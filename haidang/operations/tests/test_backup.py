"""Backup and restore, round trip on the database this test session runs on (SQLite, or PostgreSQL in CI's
PostgreSQL pass): everything comes back, and a wrong key, a changed archive or a full database is refused
before anything is touched."""

import json
import re
import shutil

import pytest

from haidang.operations.tests.installation import ROOT, installation

SCRIPTS = ROOT / "haidang/operations/tests/scripts"


def _script(inst, name: str) -> str:
    result = inst.manage("shell", input=(SCRIPTS / name).read_text(), env={"LOG_REQUESTS": "false"})
    return result.stdout


def _digest(inst) -> str:
    found = re.search(r"^DIGEST .*$", _script(inst, "digest.py"), re.MULTILINE)
    assert found, "no digest"
    return found.group(0)


def _tables(inst) -> str:
    result = inst.manage(
        "shell", "-c", "from django.db import connection; print(len(connection.introspection.table_names()))"
    )
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """An installation as `make run` leaves it, plus a stored file and a sealed case file, and its backup."""
    base = tmp_path_factory.mktemp("backup")
    with installation(base, purpose="backup_a", admin_map=True, demo=True) as inst:
        assert "FILES ADDED" in _script(inst, "add_files.py")
        archive = base / "haidang.hdbak"
        out = inst.manage("backup", "--output", str(archive)).stdout
        assert str(archive) in out, out
        yield inst, archive, _digest(inst)


def _keys(inst) -> dict:
    return json.loads((inst.var_dir / "local-keys.json").read_text())


def _use_keys(inst, keys: dict) -> None:
    (inst.var_dir / "local-keys.json").write_text(json.dumps(keys))


def test_the_archive_is_sealed_and_names_only_its_key(source):
    inst, archive, _ = source
    content = archive.read_bytes()
    assert content.startswith(b"HAIDANG-BACKUP\x00\x01")
    assert b'"key_id": "b1"' in content[:400]
    # Nothing of the data in clear: no table name, no demonstration name, no manifest.
    for clear in (b"audit_entry", b"minh ho", b"manifest", b"CREATE TABLE", b"SQLite format"):
        assert clear not in content


def test_round_trip_into_an_empty_installation_with_the_same_keys(source, tmp_path):
    inst, archive, digest = source
    with installation(tmp_path, purpose="backup_b", migrate=False) as target:
        _use_keys(target, _keys(inst))
        target.manage("restore", str(archive))
        assert _digest(target) == digest
        # The restored installation serves: migrations applied, the audit log verifies on its own.
        target.manage("verify_audit")
        assert "[ ]" not in target.manage("showmigrations", "operations").stdout


def test_other_field_keys_are_refused_before_anything_is_touched(source, tmp_path):
    inst, archive, _ = source
    with installation(tmp_path, purpose="backup_c", migrate=False) as target:
        keys = _keys(target)
        keys["BACKUP_KEYS"] = _keys(inst)["BACKUP_KEYS"]  # The archive opens, but the data's keys are not these.
        _use_keys(target, keys)
        refused = target.manage("restore", str(archive), check=False)
        assert refused.returncode != 0
        assert "'k1'" in refused.stderr and "FIELD_HASH_KEY" in refused.stderr
        assert _tables(target) == "0"


def test_another_backup_key_or_a_changed_archive_is_refused(source, tmp_path):
    inst, archive, _ = source
    with installation(tmp_path, purpose="backup_d", migrate=False) as target:
        keys = _keys(inst)
        keys["BACKUP_KEYS"] = _keys(target)["BACKUP_KEYS"]
        _use_keys(target, keys)
        refused = target.manage("restore", str(archive), check=False)
        assert refused.returncode != 0 and "b1" in refused.stderr
        _use_keys(target, _keys(inst))
        changed = tmp_path / "changed.hdbak"
        shutil.copy(archive, changed)
        with open(changed, "r+b") as handle:
            handle.seek(archive.stat().st_size // 2)
            byte = handle.read(1)
            handle.seek(-1, 1)
            handle.write(bytes([byte[0] ^ 0x01]))
        refused = target.manage("restore", str(changed), check=False)
        assert refused.returncode != 0
        cut = tmp_path / "cut.hdbak"
        cut.write_bytes(archive.read_bytes()[:-100])
        assert target.manage("restore", str(cut), check=False).returncode != 0
        assert _tables(target) == "0"


def test_a_database_with_data_is_replaced_only_when_asked(source, tmp_path):
    inst, archive, digest = source
    with installation(tmp_path, purpose="backup_e") as target:
        _use_keys(target, _keys(inst))
        refused = target.manage("restore", str(archive), check=False)
        assert refused.returncode != 0
        target.manage("restore", str(archive), "--replace")
        assert _digest(target) == digest
