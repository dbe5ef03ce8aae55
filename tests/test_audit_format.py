"""The audit log's hashed form is fixed: ``teian audit verify`` spells the canonical JSON
out by hand for speed, and must give byte for byte what ``json.dumps`` gives, or every
chain written before would stop verifying."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from intake.audit import _canonical

texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
maybe = st.none() | texts
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(chain=texts, seq=st.integers(1, 10**9), proposal_id=st.none() | st.integers(1, 10**9),
       at=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
       actor=texts, actor_label=texts, action=texts, trigger=maybe, from_state=maybe,
       to_state=maybe, reason=texts, digest=st.none() | st.text("0123456789abcdef",
                                                                 min_size=64, max_size=64),
       data=st.dictionaries(texts, json_values, max_size=4), prev_hash=texts)
def test_the_hand_spelt_canonical_form_is_json_dumps(chain, seq, proposal_id, at, actor,
                                                      actor_label, action, trigger, from_state,
                                                      to_state, reason, digest, data, prev_hash):
    at = at.replace(tzinfo=UTC)
    content = {"chain": chain, "seq": seq, "proposal_id": proposal_id,
               "at": at.isoformat(timespec="microseconds"), "actor": actor,
               "actor_label": actor_label, "action": action, "trigger": trigger,
               "from": from_state, "to": to_state, "data": data, "prev": prev_hash}
    if digest is None:
        content["reason"] = reason
    else:
        content["reason_sha256"] = digest
    expected = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert _canonical(chain, seq, proposal_id, at, actor, actor_label, action, trigger,
                      from_state, to_state, reason, digest, data, prev_hash) == expected.encode()
