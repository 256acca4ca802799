from fmtr.sources.catalog import documents, editions, read_catalog


def test_packaged_catalog_lists_every_edition_and_region() -> None:
    entries = read_catalog()
    assert len(entries) == 141
    names = editions(entries)
    assert len(names) == 22
    assert names[0] == "FY1999-2000" and names[-1] == "FY2020-2021"
    assert all(len(e.sha256) == 64 for e in entries)


def test_documents_group_regions_of_one_file() -> None:
    docs = {d.file: d for d in documents(read_catalog())}
    mixed = docs["FY2000-2001/3164.pdf"]
    assert [e.region for e in mixed.entries] == ["Africa", "East Asia and Pacific"]
    assert mixed.region_of_page(5) == "Africa"
    assert mixed.region_of_page(25) == "East Asia and Pacific"
    assert len(docs["FY2005-2006/75058.pdf"].entries) == 1


def test_report_page_offset_comes_from_the_note() -> None:
    docs = {d.file: d for d in documents(read_catalog())}
    # "pages 99-172 of the official report": PDF page 1 is report page 99.
    assert docs["FY2016-2017/Africa.pdf"].report_page_offset == 98
    assert docs["FY2008-2009/152766.pdf"].report_page_offset is None
