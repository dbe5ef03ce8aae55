from tests.factories import publish_as_written

def test_dump(client, city, db):
    p, _ = city.submit(title="協働で公園にベンチを置く")
    publish_as_written(p); db.commit()
    for url in ["/", "/propose", "/proposals", f"/proposals/{p.id}"]:
        html = client.get(url + "?lang=ja-easy").get_data(as_text=True)
        open("/tmp/easy/" + (url.strip("/").replace("/", "_") or "index") + ".html", "w").write(html)
    html = client.post("/propose?lang=ja-easy", data={}).get_data(as_text=True)
    open("/tmp/easy/propose_err.html", "w").write(html)
