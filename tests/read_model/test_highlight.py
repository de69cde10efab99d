from browse.highlight import highlight


def test_marks_every_match_case_insensitively():
    assert highlight("Jane Doe and JANE", "jane") == "<mark>Jane</mark> Doe and <mark>JANE</mark>"


def test_a_hostile_name_stays_inert():
    marked = highlight("<script>alert(1)</script>", "script")

    assert "<script>" not in marked
    assert marked == "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;"


def test_the_query_never_matches_inside_an_escape():
    assert highlight("Tom & Jerry", "amp") == "Tom &amp; Jerry"
    assert highlight("<b>", "<b") == "<mark>&lt;b</mark>&gt;"


def test_no_query_is_plain_escaped_text():
    assert highlight('"Quoted" & co', "") == "&quot;Quoted&quot; &amp; co"
