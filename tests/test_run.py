"""`tasklane run` on a fresh instance folder: migrates, deploys, starts web and worker, stops cleanly."""
import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request

import pytest

from tests.conftest import wait_for
from workers import embedded

# These start `tasklane run` on the embedded defaults whatever the environment says, so a
# pass against PostgreSQL and Redis servers would only repeat them: they run in the
# embedded pass (`-m embedded`, .ci/run) and whenever no server is named.
pytestmark = [pytest.mark.embedded, pytest.mark.slow,
              pytest.mark.skipif(bool(os.environ.get("DATABASE_URL") or os.environ.get("REDIS_URL")),
                                 reason="runs in the embedded pass, without DATABASE_URL / REDIS_URL")]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _health(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return json.loads(response.read())
    except OSError:
        return None


def test_run_starts_everything_on_embedded_defaults_and_stops_on_ctrl_c(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(TASKLANE_INSTANCE_DIR=str(tmp_path / "instance"), TASKLANE_WEB_WORKERS="1")
    log = open(tmp_path / "run.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "tasklane.cli", "run", "--port", str(port)], cwd=tmp_path,
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        health = wait_for(lambda: (_health(port) or {}).get("checks", {}).get("redis", {}).get("workers")
                          and _health(port), timeout=60)
        assert health["ok"] is True
        assert health["checks"]["database"]["backend"] == "sqlite"
        assert (tmp_path / "instance" / "tasklane.sqlite").exists()
        output = (tmp_path / "run.log").read_text()
        assert "deployed: lead_handling.bpmn -> lead_handling v1" in output
        assert f"Tasklane is running at http://127.0.0.1:{port}" in output
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0
        assert _health(port) is None
        assert not embedded.is_running(tmp_path / "instance")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        embedded.stop(tmp_path / "instance")
        log.close()


def test_setup_on_embedded_defaults_leaves_no_redis_server_running(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(TASKLANE_INSTANCE_DIR=str(tmp_path / "instance"), TASKLANE_ENV="development")
    result = subprocess.run([sys.executable, "-m", "tasklane.cli", "setup"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    try:
        assert result.returncode == 0, result.stderr
        assert "demo cases started: 200" in result.stdout
        assert not embedded.is_running(tmp_path / "instance")
    finally:
        embedded.stop(tmp_path / "instance")
