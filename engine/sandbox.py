"""The restricted environment in which gateway conditions and script tasks run.

Code is compiled by RestrictedPython with its guards (attribute access through
``safer_getattr``, guarded item access, iteration and writes), so dunder access,
imports and the ``().__class__.__base__.__subclasses__()`` escape fail at compile
or run time. Only safe builtins and the helpers that ``processes/`` registers are
callable. A time limit that scripts cannot catch stops runaway loops, the operations
CPython cannot pause are size-checked (engine/limits.py), an address-space cap and a
check of the data a script leaves back them up; docs/security.md has the rules.
"""
import ast
import copy
import json
import re
from datetime import date, datetime, timedelta, timezone

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import full_write_guard, guarded_iter_unpack_sequence, guarded_unpack_sequence
from RestrictedPython.transformer import RestrictingNodeTransformer
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from . import limits
from .errors import CaseDataTooLargeError, TasklaneError, describe
from .guards import SCRIPT_FILENAME, Deadline, Expired, MemoryCap

MAX_RANGE = 100_000
# Names of the exceptions a script could use to stop or outlive its own time limit.
_FORBIDDEN_NAMES = {"BaseException", "SystemExit", "KeyboardInterrupt", "GeneratorExit"}
_UNSAFE_BUILTINS = {"__build_class__", "setattr", "delattr", "id", "hash", *_FORBIDDEN_NAMES}
_OPERATORS = {ast.Pow: "_pow_", ast.Mult: "_mul_", ast.Add: "_add_", ast.LShift: "_lshift_",
              ast.Mod: "_mod_"}


class ScriptTimeoutError(TasklaneError):
    code = "script_timeout"


class ScriptExitError(TasklaneError):
    """A script (or a helper it called) raised ``SystemExit`` or ``GeneratorExit``."""

    code = "script_exit"


def _limited_range(*args):
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise ValueError(f"range() of more than {MAX_RANGE} items is not allowed in scripts")
    return result


def _located(new, node):
    for child in ast.walk(new):
        ast.copy_location(child, node)
    return new


def _call(name, args, node):
    return _located(ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=args, keywords=[]), node)


def _tick(node):
    return _located(ast.Expr(value=_call("_tick_", [], node)), node)


class SandboxPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus what keeps a script inside its limits.

    - ``class`` statements, a bare ``except:`` and the names of the exceptions that are
      not errors (``BaseException``, ``SystemExit``, ...) are refused at compile time;
    - every loop body, comprehension, function, ``except`` and ``finally`` block starts
      with a check of the time limit (``_tick_()``), which keeps raising once the time is
      up, even after the trace function (which CPython removes when it raises) is gone;
    - ``**``, ``*``, ``+``, ``<<``, ``%`` and f-string format specs become the checked
      functions of engine/limits.py.
    """

    def visit_ClassDef(self, node):  # noqa: N802 - ast.NodeTransformer's naming
        self.error(node, "class statements are not allowed in scripts; use a dict")
        return node

    def visit_Name(self, node):  # noqa: N802
        if node.id in _FORBIDDEN_NAMES:
            self.error(node, f'"{node.id}" is not allowed in scripts; catch or raise Exception '
                             "or one of its subclasses")
        return super().visit_Name(node)

    def visit_ExceptHandler(self, node):  # noqa: N802
        if node.type is None:
            self.error(node, "a bare 'except:' is not allowed in scripts; write 'except Exception:'")
        node = super().visit_ExceptHandler(node)
        node.body.insert(0, _tick(node))
        return node

    def visit_Try(self, node):  # noqa: N802
        node = super().visit_Try(node)
        if node.finalbody:
            node.finalbody.insert(0, _tick(node.finalbody[0]))
        return node

    def _ticking_body(self, node, visited):
        visited.body.insert(0, _tick(node))
        return visited

    def visit_While(self, node):  # noqa: N802
        return self._ticking_body(node, super().visit_While(node))

    def visit_For(self, node):  # noqa: N802
        return self._ticking_body(node, super().visit_For(node))

    def visit_FunctionDef(self, node):  # noqa: N802
        return self._ticking_body(node, super().visit_FunctionDef(node))

    def visit_Lambda(self, node):  # noqa: N802
        node = super().visit_Lambda(node)
        node.body = _located(ast.BoolOp(op=ast.And(), values=[_call("_tick_", [], node), node.body]), node)
        return node

    def visit_comprehension(self, node):
        node = super().visit_comprehension(node)
        node.ifs.insert(0, _call("_tick_", [], node.iter))
        return node

    def visit_BinOp(self, node):  # noqa: N802
        node = super().visit_BinOp(node)
        name = _OPERATORS.get(type(node.op))
        return _call(name, [node.left, node.right], node) if name else node

    def visit_FormattedValue(self, node):  # noqa: N802
        node = super().visit_FormattedValue(node)
        if node.format_spec is None:
            return node
        call = _call("_format_", [node.value, ast.Constant(node.conversion)], node)
        call.args.append(node.format_spec)
        return _located(ast.FormattedValue(value=call, conversion=-1, format_spec=None), node)


def _builtins():
    allowed = {k: v for k, v in safe_builtins.items() if k not in _UNSAFE_BUILTINS}
    allowed.update({
        "range": _limited_range, "list": list, "tuple": tuple, "dict": dict, "set": set,
        "frozenset": frozenset, "min": min, "max": max, "sum": limits.checked_sum, "any": any, "all": all,
        "sorted": sorted, "reversed": reversed, "enumerate": enumerate, "zip": zip,
        "map": map, "filter": filter, "pow": limits.power, "round": limits.checked_round,
        "datetime": datetime, "date": date, "timedelta": timedelta, "timezone": timezone,
    })
    return allowed


BUILTINS = _builtins()
GUARDS = {
    "_getattr_": limits.guarded_getattr,
    "_getitem_": default_guarded_getitem,
    "_getiter_": default_guarded_getiter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
    "_inplacevar_": limits.inplace,
    "_pow_": limits.power,
    "_mul_": limits.multiply,
    "_add_": limits.add,
    "_lshift_": limits.lshift,
    "_mod_": limits.modulo,
    "_format_": limits.format_value,
}


def compile_expression(source, mode):
    """Compile restricted code.

    :param mode: ``"eval"`` for conditions and expressions, ``"exec"`` for scripts
    :raises SyntaxError: the code does not compile or uses a forbidden construct
    """
    tree = ast.parse(source, filename=SCRIPT_FILENAME, mode=mode)
    imports = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    if imports:
        raise _refused(f"Line {imports[0].lineno}: import statements are not allowed; "
                       "call a registered helper instead", source)
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compiler(tree, filename=SCRIPT_FILENAME, policy=SandboxPolicy)
    if result.errors:
        raise _refused("; ".join(result.errors), source)
    return result.code


def _refused(message, source):
    """A SyntaxError with the line of the first problem: SpiffWorkflow fails on one without."""
    error = SyntaxError(message)
    found = re.match(r"Line (\d+):", message)
    error.lineno = min(int(found.group(1)), len(source.splitlines())) if found else 1
    error.lineno = max(error.lineno, 1)
    return error


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


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """A SpiffWorkflow script environment that runs only restricted code.

    :param max_data_bytes: the most task data (as JSON) a script may leave behind
    :param memory_bytes: how much the process may grow while a script runs (:class:`engine.guards.MemoryCap`)
    """

    def __init__(self, helpers, timeout, *, max_data_bytes=None, memory_bytes=None, operators=None):
        super().__init__({"__builtins__": BUILTINS, **GUARDS, **helpers})
        self.helpers = helpers
        self.operators = operators or {}
        self.timeout = timeout
        self.max_data_bytes = max_data_bytes
        self.memory_bytes = memory_bytes
        self._cache = {}

    def _code(self, source, mode):
        key = (source, mode)
        if key not in self._cache:
            self._cache[key] = compile_expression(source, mode)
        return self._cache[key]

    def _run(self, code, scope):
        """Run ``code`` within the limits; what a script raises that is not an ``Exception``
        comes out as one, so that it is an ordinary script error everywhere."""
        deadline = Deadline(self.timeout, scope)
        try:
            with MemoryCap(self.memory_bytes), deadline:
                return eval(code, scope)  # noqa: S307 - restricted bytecode, guarded globals
        except Expired as expired:
            raise ScriptTimeoutError(str(expired)) from None
        except (SystemExit, GeneratorExit) as error:
            raise ScriptExitError(f"the script raised {type(error).__name__}, "
                                  "which scripts may not raise") from None

    def evaluate(self, expression, context, external_context=None):
        code = self._code(expression, "eval")
        return self._run(code, {**self.globals, **(external_context or {}), **context})

    def execute(self, script, context, external_context=None):
        clashes = set(self.helpers) & set(context)
        if clashes:
            raise ValueError(f"task data overwrites the helper function(s) {sorted(clashes)}")
        code = self._code(script, "exec")
        external = external_context or {}
        scope = {**self.globals, **external, **context}
        self._run(code, scope)
        hidden = set(self.globals) | set(external)
        result = {k: v for k, v in scope.items()
                  if k not in hidden and not k.startswith("_") and not callable(v)}
        self._check_size(result)
        context.clear()
        context.update(result)
        return True

    def _check_size(self, data):
        if not self.max_data_bytes:
            return
        size = len(json.dumps(data, default=str, separators=(",", ":")))
        if size > self.max_data_bytes:
            raise CaseDataTooLargeError(f"the script left {size:,} bytes of data, more than the limit "
                                        f"of {self.max_data_bytes:,} bytes a case may hold",
                                        limit=self.max_data_bytes)

    def call_service(self, context, operation_name=None, operation_params=None, **kwargs):
        """Run the operator a service task names (``spiffworkflow:serviceTaskOperator``)
        with its evaluated parameters and a copy of the task data; its result, as JSON,
        becomes the task's result variable."""
        operator = self.operators.get(operation_name)
        if operator is None:  # validation refuses this; a version deployed before may not
            raise LookupError(f"no service operator '{operation_name}' is registered here")
        params = {name: param["value"] for name, param in (operation_params or {}).items()}
        result = operator(params, copy.deepcopy(dict(context)))
        self._check_size({"result": result})
        return json.dumps(result, default=str)


class RestrictedScriptEngine(PythonScriptEngine):
    """Validates with the restricted compiler, so parsing catches what running would."""

    def validate(self, expression):
        compile_expression(expression, "exec")

    def call_service(self, task, **kwargs):
        """SpiffWorkflow's own fails with a NameError on any error (it names a variable it
        does not have); an operator's error names the task instead."""
        try:
            return self.environment.call_service(task.data, **kwargs)
        except TasklaneError:
            raise
        except Exception as error:  # noqa: BLE001 - the operator's failure, shown on the case
            raise WorkflowTaskException(f"service operator '{kwargs.get('operation_name')}' failed: "
                                        f"{describe(error)}", task=task, exception=error) from error


def script_engine(helpers, timeout, *, max_data_bytes=None, memory_bytes=None, operators=None):
    """A SpiffWorkflow script engine with only ``helpers`` callable.

    :param helpers: mapping of name -> function registered by ``processes/``
    :param timeout: seconds one condition or script may run
    :param max_data_bytes: the most task data a script may leave (None: no check)
    :param memory_bytes: address space a running script may add (None: no cap)
    :param operators: name -> ``operator(params, data)`` for service tasks
    """
    return RestrictedScriptEngine(environment=RestrictedEnvironment(
        helpers, timeout, max_data_bytes=max_data_bytes, memory_bytes=memory_bytes, operators=operators))
