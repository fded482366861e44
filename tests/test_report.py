"""The Model Report's figures, drawn from a card alone."""

import pytest

from app.report import training_plot

HISTORY = [
    {"epoch": 1, "train_loss": 1.9, "train_accuracy": 0.31, "val_loss": 1.5, "val_accuracy": 0.45},
    {"epoch": 2, "train_loss": 1.2, "train_accuracy": 0.62, "val_loss": 1.0, "val_accuracy": 0.71},
]


def test_accuracy_curves_read_in_percent(qtbot):
    plot = training_plot(HISTORY, "accuracy")
    qtbot.addWidget(plot)
    curves = plot.getPlotItem().listDataItems()
    assert [list(curve.getData()[1]) for curve in curves] == [pytest.approx([31, 62]), pytest.approx([45, 71])]
    axis = plot.getPlotItem().getAxis("left")
    assert axis.labelText == "accuracy (%)"
    plot.show()
    qtbot.waitExposed(plot)
    assert axis.autoSIPrefixScale == 1  # no "(x0.001)" rescaling of the axis


def test_curves_without_validation_show_training_only(qtbot):
    history = [{key: value for key, value in record.items() if not key.startswith("val")} for record in HISTORY]
    plot = training_plot(history, "loss")
    qtbot.addWidget(plot)
    assert [list(curve.getData()[1]) for curve in plot.getPlotItem().listDataItems()] == [[1.9, 1.2]]
