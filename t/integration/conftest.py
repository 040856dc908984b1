"""pytest glue: the same Home that run.py builds, as the fixture `h`, so that
`pytest-3 t/integration/test_queue.py -k sigterm` runs one test. run.py stays the
runner of make check (no dependency beyond python3); this file only adapts it."""

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, os.path.join(HERE, '..', 'lib'))
sys.path.insert(0, HERE)
import nqtest  # noqa: E402
import run     # noqa: E402


def pytest_addoption(parser):
    parser.addoption('--nq-build', default=os.path.join(SRC, 'build-it'),
                     help='the make O= directory to build and install from (default: build-it)')


@pytest.fixture(scope='session')
def nq_home(request):
    """Build and install once per session, under /tmp, as run.py does."""
    if os.getuid() != 0:
        pytest.skip('the integration tests run as root')
    builddir = os.path.abspath(request.config.getoption('--nq-build'))
    return nqtest.Home(run.build(SRC, builddir), SRC, builddir)


@pytest.fixture
def h(nq_home):
    """A fresh conf-home for each test; its programs are killed afterwards."""
    nq_home.reset()
    try:
        yield nq_home
    finally:
        nq_home.kill_all()
