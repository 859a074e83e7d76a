"""The restricted environment in which gateway conditions and script tasks run.

Code is compiled by RestrictedPython with its guards (attribute access through
``safer_getattr``, guarded item access, iteration and writes), so dunder access,
imports and the ``().__class__.__base__.__subclasses__()`` escape fail at compile
or run time. Only safe builtins and the helpers that ``processes/`` registers are
callable, and a time limit stops runaway loops.
"""
import ast
import sys
import time
from datetime import date, datetime, timedelta, timezone

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from .errors import TasklaneError

MAX_RANGE = 100_000
MAX_POWER_BITS = 100_000
_UNSAFE_BUILTINS = {"__build_class__", "setattr", "delattr", "id", "hash"}


class ScriptTimeoutError(TasklaneError):
    code = "script_timeout"


def _limited_range(*args):
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise ValueError(f"range() of more than {MAX_RANGE} items is not allowed in scripts")
    return result


def checked_pow(base, exponent):
    """``base ** exponent``, refused when the result would be enormous (it cannot be interrupted)."""
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0 \
            and abs(base) > 1 and base.bit_length() * exponent > MAX_POWER_BITS:
        raise ValueError("the result of ** would be too large for a script")
    if isinstance(exponent, (int, float)) and abs(exponent) > MAX_POWER_BITS:
        raise ValueError("exponent too large for a script")
    return base ** exponent


class _PowToCall(ast.NodeTransformer):
    """``a ** b`` becomes ``checked_pow(a, b)``: CPython computes powers without a pause."""

    def visit_BinOp(self, node):  # noqa: N802 - ast.NodeTransformer's naming
        self.generic_visit(node)
        if isinstance(node.op, ast.Pow):
            call = ast.Call(func=ast.Name(id="checked_pow", ctx=ast.Load()), args=[node.left, node.right],
                            keywords=[])
            return ast.copy_location(call, node)
        return node


def _inplacevar(op, x, y):
    ops = {"+=": lambda: x + y, "-=": lambda: x - y, "*=": lambda: x * y, "/=": lambda: x / y,
           "//=": lambda: x // y, "%=": lambda: x % y, "|=": lambda: x | y, "&=": lambda: x & y}
    if op not in ops:
        raise SyntaxError(f"operator {op} is not allowed in scripts")
    return ops[op]()


def _builtins():
    allowed = {k: v for k, v in safe_builtins.items() if k not in _UNSAFE_BUILTINS}
    allowed.update({
        "range": _limited_range, "list": list, "tuple": tuple, "dict": dict, "set": set,
        "frozenset": frozenset, "min": min, "max": max, "sum": sum, "any": any, "all": all,
        "sorted": sorted, "reversed": reversed, "enumerate": enumerate, "zip": zip,
        "map": map, "filter": filter,
        "datetime": datetime, "date": date, "timedelta": timedelta, "timezone": timezone,
        "checked_pow": checked_pow,
    })
    return allowed


BUILTINS = _builtins()
GUARDS = {
    "_getattr_": safer_getattr,
    "_getitem_": default_guarded_getitem,
    "_getiter_": default_guarded_getiter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
    "_inplacevar_": _inplacevar,
}


def compile_expression(source, mode):
    """Compile restricted code.

    :param mode: ``"eval"`` for conditions and expressions, ``"exec"`` for scripts
    :raises SyntaxError: the code does not compile or uses a forbidden construct
    """
    tree = ast.parse(source, filename=SCRIPT_FILENAME, mode=mode)
    imports = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    if imports:
        raise SyntaxError(f"Line {imports[0].lineno}: import statements are not allowed; "
                          "call a registered helper instead")
    tree = ast.fix_missing_locations(_PowToCall().visit(tree))
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compiler(tree, filename=SCRIPT_FILENAME)
    if result.errors:
        raise SyntaxError("; ".join(result.errors))
    return result.code


def unknown_calls(source, mode, known):
    """Names called in ``source`` that are neither builtins, ``known`` nor defined in it."""
    tree = ast.parse(source, mode=mode)
    defined = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.Lambda))
               if hasattr(n, "name")}
    defined |= {t.id for n in ast.walk(tree) if isinstance(n, ast.Assign)
                for t in n.targets if isinstance(t, ast.Name)}
    called = {n.func.id for n in ast.walk(tree)
              if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    return sorted(called - set(BUILTINS) - set(known) - defined)


SCRIPT_FILENAME = "<script>"


class _Deadline:
    """Stops Python-level code that runs past its time limit, in any thread.

    A trace function checks the clock on every opcode executed by the script itself
    (``while True: pass`` on one line jumps back without a new line event) and on every
    function call the script's helpers make; it is installed only while restricted code
    runs. Helpers (trusted, registered code) are not traced line by line: that made a
    helper's database work through SQLAlchemy some ten times slower, enough to pass the
    limit on a loaded machine, while a script's own loop is still stopped.
    """

    def __init__(self, seconds):
        self.seconds = seconds

    def __enter__(self):
        self.deadline = time.monotonic() + self.seconds
        self.previous = sys.gettrace()
        sys.settrace(self._global_trace)
        return self

    def __exit__(self, *exc):
        sys.settrace(self.previous)

    def _global_trace(self, frame, event, arg):
        if frame.f_code.co_filename == SCRIPT_FILENAME:
            frame.f_trace_opcodes = True
            return self._local_trace
        if time.monotonic() > self.deadline:   # a call made by a helper
            raise ScriptTimeoutError(f"script ran longer than {self.seconds:g} s and was stopped")
        return None

    def _local_trace(self, frame, event, arg):
        if time.monotonic() > self.deadline:
            raise ScriptTimeoutError(f"script ran longer than {self.seconds:g} s and was stopped")
        return self._local_trace


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """A SpiffWorkflow script environment that runs only restricted code."""

    def __init__(self, helpers, timeout):
        super().__init__({"__builtins__": BUILTINS, **GUARDS, **helpers})
        self.helpers = helpers
        self.timeout = timeout
        self._cache = {}

    def _code(self, source, mode):
        key = (source, mode)
        if key not in self._cache:
            self._cache[key] = compile_expression(source, mode)
        return self._cache[key]

    def evaluate(self, expression, context, external_context=None):
        code = self._code(expression, "eval")
        scope = {**self.globals, **(external_context or {}), **context}
        with _Deadline(self.timeout):
            return eval(code, scope)  # noqa: S307 - restricted bytecode, guarded globals

    def execute(self, script, context, external_context=None):
        clashes = set(self.helpers) & set(context)
        if clashes:
            raise ValueError(f"task data overwrites the helper function(s) {sorted(clashes)}")
        code = self._code(script, "exec")
        external = external_context or {}
        scope = {**self.globals, **external, **context}
        with _Deadline(self.timeout):
            exec(code, scope)  # noqa: S102 - restricted bytecode, guarded globals
        hidden = set(self.globals) | set(external)
        result = {k: v for k, v in scope.items()
                  if k not in hidden and not k.startswith("_") and not callable(v)}
        context.clear()
        context.update(result)
        return True

    def call_service(self, context, **kwargs):
        raise TasklaneError("service tasks are not supported; use a script task calling a helper")


class RestrictedScriptEngine(PythonScriptEngine):
    """Validates with the restricted compiler, so parsing catches what running would."""

    def validate(self, expression):
        compile_expression(expression, "exec")


def script_engine(helpers, timeout):
    """A SpiffWorkflow script engine with only ``helpers`` callable.

    :param helpers: mapping of name -> function registered by ``processes/``
    :param timeout: seconds one condition or script may run
    """
    return RestrictedScriptEngine(environment=RestrictedEnvironment(helpers, timeout))
