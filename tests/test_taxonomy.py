"""The taxonomy's codes and labels map both ways, and every subclass has exactly one dimension."""

from mseed_multilingual.core import taxonomy as t


def test_five_dimensions_and_31_subclasses_with_unique_codes_and_labels():
    assert [d.code for d in t.DIMENSIONS] == ["value_violation", "discrimination",
                                              "business_misconduct", "rights_infringement",
                                              "specific_services"]
    assert len(t.SUBCLASSES) == 31
    assert len({s.code for s in t.SUBCLASSES}) == 31
    assert len({s.label_zh for s in t.SUBCLASSES}) == 31
    per_dim = {d: sum(s.dimension == d for s in t.SUBCLASSES) for d in t.DIMENSION_CODES}
    assert per_dim == {"value_violation": 8, "discrimination": 9, "business_misconduct": 5,
                       "rights_infringement": 7, "specific_services": 2}


def test_round_trip_code_label_code():
    for sub in t.SUBCLASSES:
        assert t.subclass_from_label(sub.label_zh) is sub
        assert t.subclass_from_label(sub.code) is sub
        assert t.dimension_of(sub.code) == sub.dimension
    for dim in t.DIMENSIONS:
        assert t.dimension_from_label(dim.label_zh) is dim
        assert t.dimension_from_label(dim.code) is dim
        assert t.dimension_from_label(dim.name.upper()) is dim


def test_unknown_labels_are_none_and_labels_are_trimmed():
    assert t.subclass_from_label("不存在的类别") is None
    assert t.dimension_from_label("") is None
    assert t.subclass_from_label(" 民族歧视内容 ").code == "ethnic_discrimination"
