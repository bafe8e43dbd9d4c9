"""Does every private part of nbgrader, nbclient, jupyter_client and SQLAlchemy the course
relies on (``instructor/private_apis.py``) still exist with the signature we were written
against? An upgraded pin that changes one fails here, by name."""

from instructor.private_apis import PRIVATE_APIS, problems


def test_every_private_api_we_rely_on_is_still_there():
    """Is every private API of the registry still there, with the signature we rely on?"""
    assert problems() == []


def test_the_registry_names_where_each_one_is_used():
    """Does every entry say how and where it is used?"""
    for api in PRIVATE_APIS:
        assert api.how in ("override", "call", "reads") and api.used_in, api.target
