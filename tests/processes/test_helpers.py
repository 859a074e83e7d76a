"""The script helpers of every procedure make one table, and a name declared twice stops
the start instead of one silently replacing the other."""
import pytest

import processes
from engine.errors import ConfigError
from processes import common
from processes.leads import helpers as lead_handling
from processes.pipeline import helpers as pipeline
from processes.referrals import helpers as referral


def test_every_procedures_helpers_are_registered_under_their_own_names():
    for table in (common.HELPERS, lead_handling.HELPERS, pipeline.HELPERS, referral.HELPERS):
        assert {name: processes.HELPERS[name] for name in table} == table


def test_a_helper_name_declared_by_two_procedures_stops_the_start():
    def record_order():
        return "forged"

    with pytest.raises(ConfigError, match="'record_order' is declared twice"):
        processes.merge_helpers(lead_handling.HELPERS, {"record_order": record_order})
