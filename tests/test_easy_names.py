"""The readings of the city's names on easy-Japanese pages: suggested when a name is
written, stored with the row, and shown from there (intake/easy_names.py)."""

from __future__ import annotations

from sqlalchemy import update

from intake.i18n import furigana, reading_markup
from intake.models import Category, Department, District

from .staff_support import page

# Readings no analyser gives: seen on a page, they came from the row.
STORED = "｜公園《おおやけのその》・｜緑地《りょくち》"


def easy_form(client) -> str:
    return page(client.get("/propose?lang=ja-easy"))


def test_every_name_gets_its_readings_when_written(city, db):
    for row in (city.cat_parks, city.district_a, city.parks):
        db.refresh(row)
        assert row.name_readings == reading_markup.suggest(row.name("ja-easy"))
    assert city.cat_parks.name_readings == "｜公園《こうえん》・｜緑地《りょくち》"


def test_the_page_shows_the_stored_readings(client, city, db):
    """Readings stored with the name are what the page shows, not the analyser's."""
    db.get(Category, city.cat_parks.id).name_readings = STORED
    db.commit()
    assert "<ruby>公園<rt>おおやけのその</rt></ruby>" in easy_form(client)


def test_a_renamed_theme_gets_new_readings(client, city, db):
    theme = db.get(Category, city.cat_parks.id)
    theme.name_readings = STORED
    db.commit()
    theme.name_easy = "花と緑の広場"
    db.commit()
    assert theme.name_readings == reading_markup.suggest("花と緑の広場")
    html = easy_form(client)
    assert "<ruby>広場<rt>ひろば</rt></ruby>" in html
    assert "おおやけのその" not in html


def test_readings_that_no_longer_read_the_name_are_not_used(client, city, db):
    """A name changed by a statement (no unit of work, no suggestion): the analyser reads
    the new name; the old readings are not shown under it."""
    db.get(Category, city.cat_parks.id).name_readings = STORED
    db.commit()
    db.execute(update(Category).where(Category.id == city.cat_parks.id)
               .values(name_ja="公園・緑地・広場"))
    db.commit()
    html = easy_form(client)
    assert str(furigana.furigana("公園・緑地・広場")) in html
    assert "おおやけのその" not in html


def test_departments_and_districts_too(city, db):
    department = db.get(Department, city.parks.id)
    department.name_ja = "公園緑地整備課"
    district = db.get(District, city.district_a.id)
    district.name_ja = "大供小学校区"
    db.commit()
    assert department.name_readings == reading_markup.suggest("公園緑地整備課")
    assert district.name_readings == reading_markup.suggest("大供小学校区")


def test_the_seed_stores_the_readings_of_its_names(db):
    from sqlalchemy import select

    from intake.seed import load_defaults

    load_defaults(db)
    db.commit()
    rows = [*db.execute(select(Category)).scalars(), *db.execute(select(District)).scalars(),
            *db.execute(select(Department)).scalars()]
    assert rows
    assert all(row.name_readings == reading_markup.suggest(row.name("ja-easy")) for row in rows)
