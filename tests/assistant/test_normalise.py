from __future__ import annotations

import pytest

from assistant.understanding.normalise import MAX_CHARS, clean, normalise, replace_words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Gmn cara bikin KK?", "bagaimana cara bikin kartu keluarga"),
        ("brp biaya paspor", "berapa biaya paspor"),
        ("sy udh booking tp mau ganti tgl 5", "saya sudah booking tapi mau ganti tanggal 5"),
        ("ga jadi, gak usah, nggak deh", "tidak jadi tidak usah tidak deh"),
        ("yg dgn utk jg bs", "yang dengan untuk juga bisa"),
        ("knp dmn kpn", "kenapa di mana kapan"),
        ("mau antri di kanim", "mau antre di kantor imigrasi"),
        ("antrian e-KTP", "antrean ktp elektronik"),
        ("passport or pasport", "paspor or paspor"),
        ("bokking dukcapil", "booking dukcapil"),
        ("akte lahir", "akta lahir"),
    ],
)
def test_chat_words_become_plain_indonesian(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_english_words_the_slang_list_knows_stay_english() -> None:
    # indoNLP's list alone would give "tapi", "itu", "ini", "sama", "sok", "di".
    assert normalise("I want to see it in May, am I so late? do tell") == (
        "i want to see it in may am i so late do tell"
    )


def test_repeated_letters_are_cut_to_the_known_word() -> None:
    assert normalise("HALOOOOO minnnn, makasihhh") == "halo min terima kasih"


def test_typos_of_domain_words_are_repaired() -> None:
    assert normalise("syrat pasport") == "syarat paspor"
    assert normalise("reskedul booking") == "reschedule booking"


def test_markup_urls_and_entities_are_dropped() -> None:
    text = '<script>alert("hai")</script><b>syarat</b> &amp; biaya https://evil.example/x?a=1'
    assert normalise(text) == "alert hai syarat biaya"


@pytest.mark.parametrize(
    "text", ["", "   \n\t ", "😀🙏🔥", "<br/><p></p>", "?!...", "\u200b\u200d"]
)
def test_nothing_left_when_there_is_no_word(text: str) -> None:
    assert normalise(text) == ""


def test_binary_input_does_not_crash_and_keeps_only_words() -> None:
    text = bytes(range(256)).decode("latin-1")
    assert all(token.isalnum() for token in clean(text).replace("-", "").split(" ") if token)


def test_huge_input_is_cut_before_any_work() -> None:
    text = "paspor " * 100_000
    assert len(clean(text)) <= MAX_CHARS
    assert normalise(text).startswith("paspor paspor")


def test_odd_whitespace_and_fullwidth_letters_are_plain() -> None:
    assert clean("Ｐａｓｐｏｒ\u00a0\u2003baru\r\n") == "paspor baru"


def test_replace_words_keeps_digits_punctuation_and_the_words_asked_for() -> None:
    assert replace_words("bsk, tgl 5/12 jm 10.30 (kanim jakpus)") == (
        "besok, tanggal 5/12 jam 10.30 (kantor imigrasi jakarta pusat)"
    )
    assert replace_words("2nd jan", keep={"jan"}) == "2nd jan"
    assert replace_words("jan") == "jangan"  # the slang list's reading, hence `keep`
