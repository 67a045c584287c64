"""Pytest settings shared by the integration tests."""


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "chaos: the long chaos run (over 50,000 documents, every _bulk fault, three SIGKILLs); "
        "runs by default, `-m 'not chaos'` leaves it out",
    )
