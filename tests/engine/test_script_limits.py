"""A script cannot outlive its time limit by catching it, cannot swallow or raise the
exceptions that are not errors, and cannot make CPython do enormous work in one step:
powers, repetition, padding, formats and joins are refused before they start."""
import resource
import subprocess
import sys
import time

import pytest

from engine.errors import CaseDataTooLargeError
from engine.limits import MAX_INT_BITS, MAX_LENGTH, LimitError
from engine.sandbox import RestrictedEnvironment, ScriptExitError, ScriptTimeoutError, compile_expression
from tests.conftest import ROOT

TIME_LIMIT = 0.3

CATCHERS = {
    "except-exception-then-loop": "try:\n    while True: pass\nexcept Exception:\n    pass\nwhile True: pass",
    "loop-in-finally": "try:\n    while True: pass\nfinally:\n    while True: pass",
    "catch-inside-the-loop": ("while True:\n    try:\n        while True: pass\n"
                              "    except Exception:\n        pass"),
    "catch-in-a-function": ("def spin():\n    try:\n        while True: pass\n    except Exception:\n"
                            "        return spin()\nspin()"),
    "comprehension-after-a-catch": ("try:\n    while True: pass\nexcept Exception:\n    pass\n"
                                    "x = [i for i in range(10**5) for j in range(10**5)]"),
}

CHILD = """
import sys, time
from engine.sandbox import RestrictedEnvironment
for script in sys.argv[1:]:
    began = time.monotonic()
    try:
        RestrictedEnvironment({}, LIMIT).execute(script, {})
        outcome = "finished"
    except Exception as error:
        outcome = type(error).__name__
    print(outcome, round(time.monotonic() - began, 2), flush=True)
""".replace("LIMIT", str(TIME_LIMIT))


def test_a_script_that_catches_its_time_limit_is_stopped_all_the_same():
    # In a child process: a limit that can be caught would hang the test run.
    scripts = list(CATCHERS.values())
    try:
        result = subprocess.run([sys.executable, "-c", CHILD, *scripts], cwd=ROOT, capture_output=True,
                                text=True, timeout=5 + len(scripts) * TIME_LIMIT)
    except subprocess.TimeoutExpired as expired:
        pytest.fail(f"a script outlived its {TIME_LIMIT} s limit; finished before it: {expired.stdout!r}")
    lines = result.stdout.split("\n")[:len(scripts)]
    assert [line.split()[0] for line in lines] == ["ScriptTimeoutError"] * len(scripts), result.stderr
    assert all(float(line.split()[1]) < TIME_LIMIT + 1 for line in lines), lines


@pytest.mark.parametrize(("script", "message"), [
    ("class Lead:\n    pass", "class statements are not allowed"),
    ("try:\n    x = 1\nexcept:\n    pass", "a bare 'except:' is not allowed"),
    ("try:\n    x = 1\nexcept BaseException:\n    pass", '"BaseException" is not allowed'),
    ("try:\n    x = 1\nexcept (ValueError, SystemExit):\n    pass", '"SystemExit" is not allowed'),
    ("raise SystemExit", '"SystemExit" is not allowed'),
    ("raise KeyboardInterrupt()", '"KeyboardInterrupt" is not allowed'),
    ("stop = GeneratorExit", '"GeneratorExit" is not allowed'),
], ids=["class", "bare-except", "except-base-exception", "except-system-exit", "raise-system-exit",
        "raise-keyboard-interrupt", "generator-exit"])
def test_classes_and_exceptions_that_are_not_errors_are_refused_when_compiling(script, message):
    with pytest.raises(SyntaxError, match=message):
        compile_expression(script, "exec")


def test_system_exit_raised_by_a_helper_comes_out_as_an_ordinary_error():
    def leave():
        raise SystemExit(3)

    with pytest.raises(ScriptExitError, match="raised SystemExit"):
        RestrictedEnvironment({"leave": leave}, TIME_LIMIT).execute("leave()", {})


HUGE = [
    "pow(10, 10**7)", "10 ** 10 ** 7", "pow(3, 10**3000, 10**3000)", "1 << 10**9",
    "(10**30000) * (10**30000)",
    "'x' * 10**9", "10**8 * 'x'", "[0] * 10**8", "(0,) * 10**8", "'x' * 600_000 + 'y' * 600_000",
    "'x'.center(10**9)", "'x'.ljust(10**9)", "'x'.rjust(10**9, '-')", "'7'.zfill(10**9)",
    "str.center('x', 10**9)", "'\\t'.expandtabs(10**9)", "'ab'.replace('', 'y' * 10**6)",
    "','.join(['x' * 1000] * 10000)", "'%1000000000d' % 1", "'%*d' % (10**9, 1)", "'%.1000000000f' % 1.5",
    "f'{1:>1000000000}'", "f'{1:>{10**9}}'", "'x'.encode() * 10**9", "(1).to_bytes(10**9, 'big')",
    "round(1, -10**7)", "'x'.translate({120: 'y' * 10**6}) * 2",
]


@pytest.mark.parametrize("expression", HUGE)
def test_enormous_c_level_work_is_refused_before_it_starts(expression):
    sandbox = RestrictedEnvironment({}, TIME_LIMIT, memory_bytes=256 * 2**20)
    began = time.monotonic()
    with pytest.raises(LimitError):
        sandbox.execute(f"result = {expression}", {})
    assert time.monotonic() - began < 0.1


def test_in_place_operators_are_checked_as_the_plain_ones():
    sandbox = RestrictedEnvironment({}, TIME_LIMIT)
    for script in ("x = 'x'\nx *= 10**8", "x = [1]\nx += [0] * 999_999 + [2]", "x = 10\nx **= 10**7",
                   "x = 1\nx <<= 10**9", "x = ['x']\nx.extend(range(10**5))\nx.extend(x * 10)"):
        with pytest.raises(LimitError):
            sandbox.execute(script, {})


def test_ordinary_arithmetic_formatting_and_text_work_within_the_limits():
    context = {"amount": 1234.5, "names": ["An", "Bình"]}
    RestrictedEnvironment({}, TIME_LIMIT).execute("\n".join([
        "label = f'{amount:>10,.2f}|{names[0]!r:<6}|{len(names):03d}'",
        "line = '%-5s|%5.1f|%*d' % ('ab', 2.25, 4, 7)",
        "padded = 'x'.center(7, '*') + '7'.zfill(3) + ', '.join(names)",
        f"big = 2 ** {MAX_INT_BITS - 1} > 0",
        "total = sum([1, 2, 3]) + pow(2, 10, 1000) + round(2.675, 2) * 0",
        f"filler = len('-' * {MAX_LENGTH})",
        "items = [0] * 3 + [1]",
        "text = '%d%%' % 50",
    ]), context)
    assert context["label"] == "  1,234.50|'An'  |002"
    assert context["line"] == "ab   |  2.2|   7"
    assert context["padded"] == "***x***007An, Bình"
    assert context["big"] is True and context["total"] == 30 and context["filler"] == MAX_LENGTH
    assert context["items"] == [0, 0, 0, 1] and context["text"] == "50%"


def test_a_script_may_not_leave_more_data_than_a_case_may_hold():
    sandbox = RestrictedEnvironment({}, TIME_LIMIT, max_data_bytes=10_000)
    context = {"kept": "yes"}
    with pytest.raises(CaseDataTooLargeError, match="the script left 12,0.. bytes of data"):
        sandbox.execute("notes = ['x' * 1000 for i in range(12)]", context)
    assert context == {"kept": "yes"}


def test_memory_kept_alive_by_a_loop_runs_into_the_cap_which_is_lifted_afterwards():
    before = resource.getrlimit(resource.RLIMIT_AS)
    sandbox = RestrictedEnvironment({}, 5, memory_bytes=64 * 2**20)
    began = time.monotonic()
    with pytest.raises(MemoryError):
        sandbox.execute("keep = []\nwhile True:\n    keep.append('y' * 1000000)", {})
    assert time.monotonic() - began < 3
    assert resource.getrlimit(resource.RLIMIT_AS) == before
    assert len("z" * 200 * 2**20) == 200 * 2**20   # the process may grow again


def test_a_timeout_is_an_ordinary_error_once_outside_the_script():
    with pytest.raises(ScriptTimeoutError):
        RestrictedEnvironment({}, 0.05).execute("while True:\n    pass", {})
    assert issubclass(ScriptTimeoutError, Exception)


def test_gateway_conditions_are_held_to_the_same_limits():
    sandbox = RestrictedEnvironment({}, TIME_LIMIT)
    for condition in ("pow(10, 10**7) > 1", "len('x' * 10**9) > 0", "len(f'{1:>{10**9}}') > 0"):
        with pytest.raises(LimitError):
            sandbox.evaluate(condition, {})
    with pytest.raises(ScriptTimeoutError):
        sandbox.evaluate("[i for i in range(10**5) for j in range(10**5)]", {})
    assert sandbox.evaluate("amount * 2 > 10 and 'ok'.center(4) == ' ok '", {"amount": 6}) is True


def test_the_limit_counts_the_scripts_computing_not_the_time_its_helpers_wait():
    def wait_for_the_database():
        time.sleep(TIME_LIMIT * 2)   # as a helper's query on a loaded server: no CPU of ours
        return "row"

    sandbox = RestrictedEnvironment({"fetch": wait_for_the_database}, TIME_LIMIT)
    scope = {}
    sandbox.execute("first = fetch()\nsecond = fetch()\ndone = first + second", scope)
    assert scope["done"] == "rowrow"
    began = time.monotonic()
    with pytest.raises(ScriptTimeoutError):
        sandbox.execute("fetch()\nwhile True:\n    pass", {})
    assert time.monotonic() - began < TIME_LIMIT * 2 + TIME_LIMIT * 4   # its wait, then its limit
