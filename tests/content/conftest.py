import pytest

from content.initial_content import load_initial_content


@pytest.fixture
def site_content(db):
    """The real initial content, as `make run` loads it."""
    load_initial_content()
