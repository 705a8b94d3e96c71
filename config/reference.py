"""Reference data every layer shares: the hubs and the industries, each with its Korean and English name.

A leaf module (standard library only) so that services, the web app, the fixtures, the CLI and the
benchmarks agree on one list without importing each other.
"""
from __future__ import annotations

HUBS: dict[str, tuple[str, str]] = {
    # key: (Korean name, English name)
    "ochang": ("충북 청주 오창", "Ochang, Cheongju"),
    "osong": ("충북 청주 오송", "Osong, Cheongju"),
    "changwon": ("경남 창원", "Changwon"),
    "gimhae": ("경남 김해", "Gimhae"),
    "sacheon": ("경남 사천·진주", "Sacheon / Jinju"),
    "busan_centum": ("부산 센텀시티", "Busan Centum City"),
    "daegu_suseong": ("대구 수성알파시티", "Daegu Suseong Alpha City"),
    "sejong": ("세종", "Sejong"),
    "cheonan_asan": ("충남 천안·아산", "Cheonan / Asan"),
    "daejeon": ("대전 대덕", "Daedeok, Daejeon"),
    "pangyo": ("경기 성남 판교", "Pangyo, Seongnam"),
    "seoul": ("서울", "Seoul"),
}

INDUSTRIES: dict[str, tuple[str, str]] = {
    "semiconductor": ("반도체", "Semiconductor"),
    "battery": ("이차전지", "Secondary battery"),
    "bio": ("바이오·제약", "Bio / pharma"),
    "medical_device": ("의료기기", "Medical devices"),
    "aerospace": ("항공우주", "Aerospace"),
    "auto_parts": ("자동차 부품", "Auto parts"),
    "machinery": ("기계·조선", "Machinery / shipbuilding"),
    "display": ("디스플레이", "Display"),
    "chemical": ("화학", "Chemical"),
    "food": ("식품", "Food"),
}


def reference_name(names: dict[str, tuple[str, str]], key: str | None, language: str) -> str:
    """A hub's or an industry's name in `language` (Korean for "ko", else English); an unknown key as it is."""
    if not key:
        return ""
    pair = names.get(key)
    if pair is None:
        return key
    return pair[0] if language == "ko" else pair[1]
