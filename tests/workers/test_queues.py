"""rq jobs are bound to their queue where they are declared (``@job("timers")``)."""
import pytest

from engine.errors import ConfigError
from workers import jobs
from workers.queues import job


def test_each_job_is_bound_to_its_queue_where_it_is_declared():
    bound = {f.__name__: f.queue_name for f in (jobs.fire_timer, jobs.deliver, jobs.run_periodic)}
    assert bound == {"fire_timer": "timers", "deliver": "notifications", "run_periodic": "default"}


def test_a_job_declared_for_a_queue_no_worker_listens_to_is_refused():
    with pytest.raises(ConfigError, match="emails"):
        job("emails")
