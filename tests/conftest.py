import pytest
from django.core.management import call_command


@pytest.fixture(scope="session", autouse=True)
def collected_static():
    # The suite runs with DEBUG off, so pages link hashed, compressed static
    # files exactly as in production; those only exist after collectstatic.
    call_command("collectstatic", interactive=False, verbosity=0)
