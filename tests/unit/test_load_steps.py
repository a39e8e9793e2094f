"""The load test's arithmetic, without running it: the steps asked for, a step's CPU per
request and the machine's share, and the profile summed by view."""

from __future__ import annotations

import inspect
from functools import wraps

import pytest

from benchmarks.load.cpu import CpuUse
from benchmarks.load.profile import Frame, summary, view_of
from benchmarks.load.steps import seconds, users_list


def test_users_are_one_number_or_a_list_of_steps():
    assert users_list("50") == [50]
    assert users_list("50,100,150") == [50, 100, 150]


@pytest.mark.parametrize("text", ["", "50,", "fifty", "50,0", "-5"])
def test_users_refuse_what_is_not_a_list_of_positive_numbers(text):
    with pytest.raises(ValueError, match="users|user"):
        users_list(text)


def test_run_times_read_as_locust_reads_them():
    assert [seconds(t) for t in ("20s", "5m", "1m30s", "1h", "90")] == [20, 300, 90, 3600, 90]
    with pytest.raises(ValueError, match="run time"):
        seconds("five minutes")


def test_cpu_per_request_is_scc_processes_cpu_over_the_requests_served():
    used = CpuUse(wall_s=60.0, cores=2, web=30.0, worker=1.5, database=12.0, locust=6.0,
                  machine_busy=90.0, machine_counted=120.0)

    # Check the web workers and the scc worker count, PostgreSQL and locust do not
    assert used.per_request_ms(1500) == pytest.approx(21.0)
    assert used.per_request_ms(0) == 0.0
    # Check the machine's share is what its cores counted busy
    assert used.machine_share == pytest.approx(0.75)
    assert "21.0 ms a request" in used.summary(1500)
    assert used.as_dict(1500)["scc_ms_per_request"] == 21.0


def _guard(view):
    @wraps(view)
    def guarded(*args, **kwargs):
        return view(*args, **kwargs)

    return guarded


def test_a_profile_is_summed_by_the_view_under_its_decorators():
    here = inspect.getsourcefile(_guard)
    wrapper_line = inspect.getsourcelines(_guard)[1] + 3
    flask = "/venv/lib/python3.11/site-packages/flask/app.py"
    dispatch = f"Flask.dispatch_request ({flask}:902)"
    guarded = f"_guard.<locals>.guarded ({here}:{wrapper_line})"
    folded = "\n".join([
        f'process 1:"gunicorn";{dispatch};{guarded};case_file (/app/web/case_file.py:40);'
        "render (/app/jinja2/environment.py:1293) 30",
        f'process 1:"gunicorn";{dispatch};{guarded};case_file (/app/web/case_file.py:52) 10',
        f'process 1:"gunicorn";{dispatch};index (/app/web/dashboard.py:24) 15',
        'process 1:"gunicorn";select (/usr/lib/python3.11/selectors.py:468) 5',
    ])

    frames = [Frame.parse(part) for part in (dispatch, guarded,
                                             "case_file (/app/web/case_file.py:40)")]
    assert view_of(frames) == frames[2]
    text = summary(folded, 10)
    assert "60 samples" in text
    assert "40  66.7%  case_file (/app/web/case_file.py)" in text
    assert "busiest view, case_file (/app/web/case_file.py): 40 samples" in text
    assert "30  75.0%  render (/app/jinja2/environment.py)" in text
