"""The key signing session cookies (issue 16 item 1): the platform refuses to start with no
key, a known default or a short one unless development mode is on; ``make run`` makes one."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from factories import TEST_SECRET_KEY

from promcluster import dbadmin
from promcluster.app import create_app
from promcluster.auth.keys import InsecureKey, signing_key
from promcluster.config import Settings

_SCRIPT = Path(sys.executable).with_name("promcluster")
PROMCLUSTER = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "promcluster.cli"]
WEAK = ["", "change-me-in-production", "test", "secret", "short-but-random-Zx81", "ab" * 20]


def settings(**values) -> Settings:
    return Settings(_env_file=None, database_url="sqlite://", **values)


@pytest.mark.parametrize("key", WEAK)
def test_create_app_refuses_a_weak_key(key):
    with pytest.raises(InsecureKey) as exc:
        create_app(settings(secret_key=key))
    assert "PROMCLUSTER_SECRET_KEY" in str(exc.value)
    assert "PROMCLUSTER_SECRET_KEY_FILE" in str(exc.value)


@pytest.mark.parametrize("key", WEAK)
def test_development_mode_accepts_a_weak_key(key):
    chosen = signing_key(settings(secret_key=key, dev_mode=True))
    assert chosen == key or (key == "" and len(chosen) >= 32)


def test_the_key_is_read_from_a_file(tmp_path):
    path = tmp_path / "secret_key"
    path.write_text(TEST_SECRET_KEY + "\n")
    assert signing_key(settings(secret_key_file=path)) == TEST_SECRET_KEY
    assert signing_key(settings(secret_key="x" * 5 + TEST_SECRET_KEY, secret_key_file=path)) == (
        "x" * 5 + TEST_SECRET_KEY
    )
    with pytest.raises(InsecureKey, match="не удалось прочитать"):
        signing_key(settings(secret_key_file=tmp_path / "missing"))
    path.write_text("test")
    with pytest.raises(InsecureKey):
        signing_key(settings(secret_key_file=path))


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROMCLUSTER_")}
    return {**env, **values}


def test_serve_refuses_to_start_with_the_old_default(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    dbadmin.upgrade(url)  # a database that is ready: the key alone stops the server
    for env in (
        _env(PROMCLUSTER_DATABASE_URL=url),
        _env(PROMCLUSTER_DATABASE_URL=url, PROMCLUSTER_SECRET_KEY="change-me-in-production"),
    ):
        done = subprocess.run(
            [*PROMCLUSTER, "serve", "--port", "1"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 2, done.stderr
        assert "Сервер не запущен" in done.stderr
        assert "PROMCLUSTER_SECRET_KEY" in done.stderr


def test_commands_that_do_not_serve_need_no_key(tmp_path):
    done = subprocess.run(
        [*PROMCLUSTER, "db", "upgrade", "--database", f"sqlite:///{tmp_path / 'db.sqlite'}"],
        env=_env(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
