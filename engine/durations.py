"""ISO 8601 durations read exactly as SpiffWorkflow reads timer durations, for code
outside the engine that computes due times (such as configurable waits)."""
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition


def parts(duration):
    """The parts of an ISO 8601 duration, largest first: ``"P1DT12H"`` gives
    ``{"days": 1, "hours": 12}`` (the words a page shows it in are the page's business).

    :raises ValueError: not an ISO 8601 duration
    """
    try:
        parsed = TimerEventDefinition.parse_iso_duration(str(duration))
    except Exception as error:  # noqa: BLE001 - SpiffWorkflow raises assorted errors on bad input
        raise ValueError(f"not an ISO 8601 duration: {duration!r}") from error
    return {unit: value for unit, value in parsed.items() if value}


def after(start, duration):
    """``start`` plus the ISO 8601 ``duration`` ("PT2H", "P3D", "P1M").

    :raises ValueError: not an ISO 8601 duration
    """
    try:
        parsed = TimerEventDefinition.parse_iso_duration(str(duration))
    except Exception as error:  # noqa: BLE001 - SpiffWorkflow raises assorted errors on bad input
        raise ValueError(f"not an ISO 8601 duration: {duration!r}") from error
    return start + TimerEventDefinition.get_timedelta_from_start(parsed, start)
