"""Unmet needs are grouped by meaning, across languages."""
from matcher.grouping import group_by_meaning


def test_needs_about_the_same_problem_group_together_across_korean_and_english(encoder):
    needs = [
        "클린룸 파티클 농도를 실시간으로 모니터링하고 싶다",
        "We want real-time particle monitoring in our cleanroom",
        "복합재 적층 공정의 결함을 검사할 방법이 없다",
        "No way to inspect defects in composite layup",
    ]
    labels = group_by_meaning(encoder.encode(needs))
    assert labels[0] == labels[1]
    assert labels[2] == labels[3]
    assert labels[0] != labels[2]


def test_a_single_text_is_its_own_group(encoder):
    assert group_by_meaning(encoder.encode(["하나"])) == [0]
