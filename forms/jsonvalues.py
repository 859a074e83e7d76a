"""JSON values as task data may hold them: finite numbers, string keys, bounded depth."""
import math

MAX_DEPTH = 32


def plain_json(value, depth=0):
    """Whether ``value`` is JSON that can be stored: finite numbers, string keys, bounded depth."""
    if depth > MAX_DEPTH:
        return False
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str | int | bool) or value is None:
        return True
    if isinstance(value, list):
        return all(plain_json(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain_json(v, depth + 1) for k, v in value.items())
    return False


def same_json(a, b):
    """JSON equality: ``1 == 1.0`` but ``True != 1``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b


def refuse_constant(name):
    """``json.loads(parse_constant=...)``: ``NaN`` and ``Infinity`` are not JSON."""
    raise ValueError(name)
