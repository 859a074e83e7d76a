"""Completions over HTTP for bench/web.py: gunicorn, signed-in clients."""
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from web_common import (
    FAMILY,
    GIVEN,
    PASSWORD,
    PROCESS_KEY,
    REDIS_URL,
    ROOT,
    csrf_token,
    percentiles,
    team_users,
)

# --- completions over HTTP --------------------------------------------------------------------------


def start_calls(app, count, rng):
    """Start ``count`` instances of the web process; the ids of their open user tasks."""
    import engine
    from engine.db import db
    from engine.models import HumanTask

    with app.app_context():
        ids = [engine.start(PROCESS_KEY, actor="bench", data={
            "customer_name": f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}",
            "phone": f"+849{rng.randrange(10**8):08d}"}).id for _ in range(count)]
        tasks = dict(db.session.query(HumanTask.instance_id, HumanTask.id)
                     .filter(HumanTask.definition_key == PROCESS_KEY, HumanTask.state == "open"))
        db.session.rollback()
    return [tasks[i] for i in ids]


def time_engine(app, task_ids):
    """Completions per second of ``engine.complete_task`` in this process, one thread."""
    import engine

    with app.app_context():
        began = time.perf_counter()
        for task_id in task_ids:
            engine.complete_task(task_id, actor="sales01", data={})
        seconds = time.perf_counter() - began
    return {"completions": len(task_ids), "seconds": seconds, "per_second": len(task_ids) / seconds}


class Browser:
    """One user's HTTP session: a new connection per request (gunicorn's sync workers close it)."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, form=None, *, keep_cookies=True):
        """``(status, headers, body)``. Without ``keep_cookies`` the session cookie stays as it was,
        so flashed messages of redirects not followed do not pile up in it."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body, headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        if keep_cookies:
            for header in response.headers.get_all("Set-Cookie") or []:
                self.cookies.update((k, m.value) for k, m in SimpleCookie(header).items())
        return response.status, response.headers, data

    def sign_in(self, username):
        """Through the real form: the CSRF token from the page, then the post; a token for later posts."""
        _, _, page = self.request("GET", "/login")
        self.token = csrf_token(page.decode())
        status, _, _ = self.request(
            "POST", "/login", {"username": username, "password": PASSWORD, "csrf_token": self.token})
        assert status == 302, f"sign-in of {username}: {status}"
        return self

    def complete(self, task_id, *, follow):
        """Complete a task through its form; with ``follow``, load the page it redirects to.

        :returns: whether the task was completed (302 to the inbox, and a 200 if followed)
        """
        status, headers, _ = self.request("POST", f"/tasks/{task_id}", {"csrf_token": self.token},
                                          keep_cookies=follow)
        if status != 302 or not headers.get("Location", "").endswith("/inbox"):
            return False
        return not follow or self.request("GET", "/inbox")[0] == 200


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def launch_gunicorn(settings, workers, folder):
    """gunicorn with ``workers`` processes in its own session; ``(process, port, log path)``."""
    port = free_port()
    env = {**os.environ, **settings}
    log = Path(folder) / "gunicorn.log"
    command = [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers),
               "--bind", f"127.0.0.1:{port}", "--error-logfile", str(log), "tasklane.app:create_app()"]
    process = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{log_tail(log)}")
        try:
            if Browser(port).request("GET", "/login")[0] == 200:
                return process, port, log
        except OSError:
            pass
        time.sleep(0.2)
    stop(process)
    raise RuntimeError(f"gunicorn did not answer within 60 s:\n{log_tail(log)}")


def log_tail(log, lines=30):
    """The end of gunicorn's log, for an error message (the run's folder is deleted after it)."""
    return "\n".join(log.read_text().splitlines()[-lines:]) if log.exists() else "(no log)"


def stop(process):
    """SIGTERM to the process group this benchmark started; SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def complete_over_http(browsers, task_ids, *, follow):
    """Each browser completes its share of ``task_ids`` in its own thread; rate and latencies."""
    shares = [task_ids[n::len(browsers)] for n in range(len(browsers))]
    latencies, failures = [], []
    barrier = threading.Barrier(len(browsers) + 1)

    def work(browser, share):
        barrier.wait()
        for task_id in share:
            began = time.perf_counter()
            ok = browser.complete(task_id, follow=follow)
            latencies.append(1000 * (time.perf_counter() - began))
            if not ok:
                failures.append(task_id)

    threads = [threading.Thread(target=work, args=pair) for pair in zip(browsers, shares, strict=True)]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    done = len(task_ids) - len(failures)
    return {"completions": done, "failures": len(failures), "seconds": seconds,
            "per_second": done / seconds, "latency_ms": percentiles(latencies)}


def run_http(app, settings, args, folder, rng):
    """Engine in-process, then HTTP completions (POST only, then following the redirect)."""
    warmup = 10 * args.clients
    engine_ids = start_calls(app, args.engine_completions + 20, rng)
    time_engine(app, engine_ids[:20])
    result = {"engine": time_engine(app, engine_ids[20:])}
    ids = start_calls(app, warmup + args.completions + args.follow_completions, rng)
    process, port, log = launch_gunicorn(settings, args.workers, folder)
    try:
        browsers = [Browser(port).sign_in(name) for name, _ in team_users("sales")[:args.clients]]
        complete_over_http(browsers, ids[:warmup], follow=False)
        timed = ids[warmup:warmup + args.completions]
        result["http"] = complete_over_http(browsers, timed, follow=False)
        if args.follow_completions:
            result["http_follow"] = complete_over_http(browsers, ids[warmup + args.completions:], follow=True)
    finally:
        stop(process)
    result["gunicorn_log_errors"] = sum("Traceback" in line for line in log.read_text().splitlines())
    result["clients"], result["workers"] = args.clients, args.workers
    result["verified_completed"] = completed_count(app, ids)
    return result


def completed_count(app, task_ids):
    from engine.db import db
    from engine.models import HumanTask

    with app.app_context():
        count = db.session.query(HumanTask).filter(HumanTask.id.in_(task_ids),
                                                   HumanTask.state == "completed").count()
        db.session.rollback()
    return count


def forget_redis_keys(prefix):
    import redis

    conn = redis.Redis.from_url(REDIS_URL)
    for key in conn.scan_iter(match=f"{prefix}*"):
        conn.delete(key)
