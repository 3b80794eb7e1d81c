"""The Compare tab's matrix of who is significantly better than whom, from the pairs' Holm p-values."""

from podium.web.compare_tab import significance_matrix


def _pair(a, b, difference, p_holm):
    return {"model_a": a, "model_b": b, "difference": difference, "p_holm": p_holm}


def test_each_cell_reads_row_against_column_and_mirrors_its_opposite():
    pairs = [_pair("x", "y", 0.10, 0.001), _pair("x", "z", -0.02, 0.40), _pair("y", "z", -0.20, 0.0004)]
    matrix = significance_matrix(pairs, ["x", "y", "z"]).set_index("Model")
    assert list(matrix.columns) == ["x", "y", "z"]
    assert matrix.loc["x", "y"] == "▲ better" and matrix.loc["y", "x"] == "▼ worse"
    assert matrix.loc["y", "z"] == "▼ worse" and matrix.loc["z", "y"] == "▲ better"
    assert matrix.loc["x", "z"] == matrix.loc["z", "x"] == "= no difference (p 0.40)"
    assert all(matrix.loc[m, m] == "" for m in "xyz")


def test_a_difference_is_significant_only_below_the_level():
    matrix = significance_matrix([_pair("a", "b", 0.3, 0.05)], ["a", "b"]).set_index("Model")
    assert matrix.loc["a", "b"].startswith("= no difference")  # p = 0.05 is not below 0.05
