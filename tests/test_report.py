"""The Model Report's figures, drawn from a card alone."""

import pyqtgraph as pg
import pytest

from app.report import per_class_plot, training_plot

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


def test_per_class_bars_print_their_accuracy_above_a_cut_axis(qtbot):
    plot = per_class_plot([0.992, 0.998, 0.95], ["0", "1", "2"])
    qtbot.addWidget(plot)
    texts = [item.toPlainText() for item in plot.getPlotItem().items if isinstance(item, pg.TextItem)]
    assert texts == ["99.2", "99.8", "95.0"]
    low, high = plot.getPlotItem().viewRange()[1]
    assert 0 < low < 95 and high > 99.8
