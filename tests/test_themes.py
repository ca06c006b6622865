"""Themes of `Style`: readable (WCAG AA contrast of every text against what it is written on),
and, for the colour-blind and grayscale themes, values and gradients told apart by more than
colour."""

import pytest

from autograd import Value
from autograd.viz import Style, draw
from autograd.viz.style import DEFAULT_STYLE, THEMES, contrast_ratio

AA = 4.5  # WCAG 2 level AA, ordinary text


def text_on_fills(style: Style) -> list[tuple[str, str, str]]:
    """(what, text colour, fill colour) for every text a diagram writes."""
    pairs = [
        (f"text on {fill}", style.text_color, getattr(style, fill))
        for fill in ("value_color", "grad_color", "op_color", "label_color", "highlight_fill",
                     "background")
    ]  # fmt: skip
    pairs += [
        ("local derivatives on the page", style.edge_label_color, style.background),
        ("note of a highlighted node", style.highlight_color, style.highlight_fill),
        ("cluster titles on the page", style.cluster_text_color, style.background),
    ]
    return pairs


@pytest.mark.parametrize("name", list(THEMES))
def test_every_theme_text_has_aa_contrast_against_its_fills(name):
    style = Style.theme(name)
    low = [(what, round(contrast_ratio(fg, bg), 2)) for what, fg, bg in text_on_fills(style)
           if contrast_ratio(fg, bg) < AA]  # fmt: skip
    assert not low, f"theme {name!r}: below {AA}:1: {low}"


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("white", "white") == pytest.approx(1.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # WebAIM
    with pytest.raises(ValueError, match="#rrggbb"):
        contrast_ratio("lightblue", "white")


def test_the_course_theme_is_the_default_and_its_dot_is_unchanged():
    assert Style.theme("course") == DEFAULT_STYLE
    x = Value(2.0, label="x")
    y = (x * x).tanh()
    y.label = "y"
    y.backward()
    assert draw(y).dot == draw(y, Style.theme("course")).dot
    assert 'bgcolor="white"' in draw(y).dot


@pytest.mark.parametrize("name", ["colorblind", "grayscale"])
def test_gradients_carry_a_mark_besides_their_colour(name):
    x = Value(0.5, label="x")
    y = x * 3.0
    y.label = "y"
    y.backward()
    dot = draw(y, Style.theme(name)).dot
    mark = Style.theme(name).grad_mark.strip()
    assert mark and f"{mark} 3" in dot and f"{mark} 1" in dot  # x.grad = 3, y.grad = 1
    assert f"{mark} gradient" in dot  # and the legend says so


def test_dark_theme_colours_the_page_and_the_text():
    x = Value(1.0, label="x")
    y = x + x
    y.label = "y"
    style = Style.theme("dark", decimals=2)
    dot = draw(y, style).dot
    assert f'bgcolor="{style.background}"' in dot and f'fontcolor="{style.text_color}"' in dot
    assert style.decimals == 2
    with pytest.raises(ValueError, match="unknown theme 'neon'; known: course, colorblind"):
        Style.theme("neon")


def test_themes_render(tmp_path):
    pytest.importorskip("pygraphviz")
    x = Value(1.0, label="x")
    y = x.tanh()
    y.label = "y"
    y.backward()
    for name in THEMES:
        assert "<svg" in draw(y, Style.theme(name)).svg()
