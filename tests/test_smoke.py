def test_submit_routes_to_primary(city):
    proposal, token = city.submit()
    assert proposal.lead_department.code == "parks"
    assert proposal.assignee.email == "parks@city.test"
    assert proposal.state == "submitted"
    assert proposal.receipt.startswith("T-")
