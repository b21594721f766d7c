"""The published contracts of identity's events in interlude.shared, which every other service
reads, agree with identity's own events: same versions, and only fields identity writes."""

import pytest

from interlude.identity.domain import events as ev
from interlude.shared.events import published


@pytest.mark.parametrize("name", published.identity.names())
def test_published_contracts_follow_identitys_events(name):
    contract, own = published.identity.type_of(name), ev.registry.type_of(name)
    assert contract.schema_version == own.schema_version, (
        f"{name} is v{own.schema_version} in identity: add its upcaster to the published "
        "contract in interlude.shared.events.published")
    assert set(contract.model_fields) <= set(own.model_fields)
