"""The Model Report's figures, drawn from a card alone."""

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QImage, QPainter, QPalette
from PySide6.QtWidgets import QApplication

from app import presentation
from app.report import ModelReport
from app.report_figures import per_class_plot, reliability_view, training_plot
from models.card import Calibration, Card, Inference, Reliability, TestScores, TrainingRun, Unfamiliarity, UnfamiliarSet

HISTORY = [
    {"epoch": 1, "train_loss": 1.9, "train_accuracy": 0.31, "val_loss": 1.5, "val_accuracy": 0.45},
    {"epoch": 2, "train_loss": 1.2, "train_accuracy": 0.62, "val_loss": 1.0, "val_accuracy": 0.71},
]
RECIPE = {"augment": "crop-flip", "label_smoothing": 0.1, "mixup": 0.0, "cutmix": 0.0}


def run(history: list[dict], recipe: dict = RECIPE, **more) -> TrainingRun:
    return TrainingRun(command="python -m training m", recipe=recipe, epochs=len(history), history=history, **more)


def legend_names(plot: pg.PlotWidget) -> list[str]:
    return [label.text for _, label in plot.getPlotItem().legend.items]


def test_accuracy_curves_read_in_percent(qtbot):
    plot = training_plot([run(HISTORY)], "accuracy")
    qtbot.addWidget(plot)
    curves = plot.getPlotItem().listDataItems()
    assert [list(curve.getData()[1]) for curve in curves] == [pytest.approx([31, 62]), pytest.approx([45, 71])]
    axis = plot.getPlotItem().getAxis("left")
    assert axis.labelText == "accuracy (%)"
    plot.show()
    qtbot.waitExposed(plot)
    assert axis.autoSIPrefixScale == 1  # no "(x0.001)" rescaling of the axis
    assert legend_names(plot) == ["training (augmented)", "validation"]


def test_the_training_loss_says_it_is_the_smoothed_objective(qtbot):
    plot = training_plot([run(HISTORY)], "loss")
    qtbot.addWidget(plot)
    assert legend_names(plot) == ["training (augmented, label smoothing 0.1)", "validation"]


def test_the_training_loss_names_outlier_exposure_which_adds_to_it(qtbot):
    plot = training_plot([run(HISTORY, {**RECIPE, "outliers": 0.5})], "loss")
    qtbot.addWidget(plot)
    assert legend_names(plot)[0] == "training (augmented, label smoothing 0.1, outlier exposure 0.5)"
    accuracy = training_plot([run(HISTORY, {**RECIPE, "outliers": 0.5})], "accuracy")
    qtbot.addWidget(accuracy)
    assert legend_names(accuracy)[0] == "training (augmented)"  # measured on the digits alone


def test_a_warm_restart_continues_the_curves_after_a_marked_epoch(qtbot):
    runs = [run(HISTORY), run(HISTORY[:1])]
    plot = training_plot(runs, "loss")
    qtbot.addWidget(plot)
    epochs, values = plot.getPlotItem().listDataItems()[0].getData()
    assert list(epochs) == [1, 2, 3] and list(values) == [1.9, 1.2, 1.9]
    lines = [item for item in plot.getPlotItem().items if isinstance(item, pg.InfiniteLine)]
    assert [line.value() for line in lines] == [2.5]


def test_curves_without_validation_show_training_only(qtbot):
    history = [{key: value for key, value in record.items() if not key.startswith("val")} for record in HISTORY]
    plot = training_plot([run(history, {})], "loss")
    qtbot.addWidget(plot)
    assert [list(curve.getData()[1]) for curve in plot.getPlotItem().listDataItems()] == [[1.9, 1.2]]


def test_per_class_bars_print_their_accuracy_above_a_cut_axis(qtbot):
    plot = per_class_plot([0.992, 0.998, 0.95], ["0", "1", "2"])
    qtbot.addWidget(plot)
    texts = [item.toPlainText() for item in plot.getPlotItem().items if isinstance(item, pg.TextItem)]
    assert texts == ["99.2", "99.8", "95.0"]
    low, high = plot.getPlotItem().viewRange()[1]
    assert 0 < low < 95 and high > 99.8


@pytest.mark.parametrize("mirror", [True, False])
def test_the_header_says_when_answers_average_the_mirror_image(qtbot, mirror):
    inference = Inference(mirror_average=True, single_view_test_accuracy=0.9123) if mirror else Inference()
    test = TestScores(accuracy=0.93, macro_f1=0.92, per_class_accuracy=[0.9, 0.96], confusion_matrix=[[9, 1], [0, 10]])
    report = ModelReport(Card("m", "mnist", ["a", "b"], test=test, inference=inference), "")
    qtbot.addWidget(report)
    said = report.header.text()
    assert "test accuracy 93.00%" in said
    assert ("mirror image (91.23% from the picture alone)" in said) == mirror


def test_an_open_report_takes_a_new_application_font_when_it_comes_to_the_front(qtbot):
    """Presentation mode changes the application's font and palette; reports left open take them
    when looked at, not all at once on the GUI thread."""
    test = TestScores(accuracy=0.93, macro_f1=0.92, per_class_accuracy=[0.9, 0.96], confusion_matrix=[[9, 1], [0, 10]])
    report = ModelReport(Card("m", "mnist", ["a", "b"], test=test), "")
    qtbot.addWidget(report)
    report.show()
    qtbot.waitUntil(report.isActiveWindow)
    normal = QApplication.font()
    assert report.font().pointSize() == normal.pointSize()
    layouts = []
    report.header.installEventFilter(filter_for(QEvent.Type.FontChange, layouts))
    try:
        presentation.set_fonts(True)
        qtbot.wait(20)
        assert report.font().pointSize() == normal.pointSize() and not layouts
        QApplication.sendEvent(report, QEvent(QEvent.Type.WindowActivate))
        assert report.font().pointSize() == QApplication.font().pointSize() > normal.pointSize()
        window = QPalette.ColorRole.Window
        assert report.palette().color(window) == QApplication.palette().color(window)
        assert layouts  # its labels were told of their new font
    finally:
        presentation.set_fonts(False)


def filter_for(kind: QEvent.Type, seen: list) -> QObject:
    class Filter(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == kind:
                seen.append(watched)
            return False

    return Filter(QApplication.instance())


def test_a_star_marks_where_averaged_weights_ended_a_run(qtbot):
    averaged = run(HISTORY, weight_average={"epochs": 2, "val_accuracy": 0.75})
    plot = training_plot([run(HISTORY), averaged], "accuracy")
    qtbot.addWidget(plot)
    stars = [item for item in plot.getPlotItem().listDataItems() if item.opts["symbol"] == "star"]
    assert [list(map(list, star.getData())) for star in stars] == [[[4.0], [75.0]]]
    assert "validation, weights averaged over the last epochs" in legend_names(plot)
    assert len(training_plot([run(HISTORY)], "accuracy").getPlotItem().listDataItems()) == 2


def test_the_calibrated_diagram_is_drawn_only_where_a_temperature_was_fitted(qtbot):
    raw = Reliability(ece=0.05, count=[0, 3, 7], confidence=[0.0, 0.5, 0.9], accuracy=[0.0, 0.33, 0.86])
    calibrated = Reliability(ece=0.01, count=[0, 4, 6], confidence=[0.0, 0.6, 0.8], accuracy=[0.0, 0.5, 0.83])
    both = ["raw probabilities: ECE 5.00%", "calibrated, T = 0.80: ECE 1.00%"]
    for calibration, titles in (
        (Calibration(1.0, None, raw, raw), both[:1]),
        (Calibration(0.8, "validation split", raw, calibrated), both),
    ):
        view = reliability_view(calibration)
        qtbot.addWidget(view)
        plots = [item for item in view.ci.items if isinstance(item, pg.PlotItem)]
        assert [plot.titleLabel.text for plot in plots if plot.titleLabel.text] == titles
        # Under each diagram, its bin counts as bars, not as numbers that run into each other.
        histograms = [plot for plot in plots if not plot.titleLabel.text]
        assert len(histograms) == len(titles)
        assert not any(isinstance(item, pg.TextItem) for plot in plots for item in plot.items)


def test_the_raw_and_calibrated_diagrams_both_span_all_confidence_though_their_bins_do_not(qtbot):
    raw = Reliability(ece=0.05, count=[0, 0, 3, 7], confidence=[0.0, 0.0, 0.6, 0.9], accuracy=[0.0, 0.0, 0.5, 0.86])
    calibrated = Reliability(ece=0.01, count=[0, 0, 0, 10], confidence=[0.0, 0.0, 0.0, 0.9], accuracy=[0, 0, 0, 0.9])
    view = reliability_view(Calibration(0.8, "validation split", raw, calibrated))
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    plots = [item for item in view.ci.items if isinstance(item, pg.PlotItem)]
    for plot in plots:
        low, high = plot.getViewBox().viewRange()[0]
        assert low <= 0 and high >= 1, (plot.titleLabel.text, low, high)


def test_the_per_class_axis_stops_at_100_percent(qtbot):
    plot = per_class_plot([0.99, 1.0, 0.97], ["a", "b", "c"])
    qtbot.addWidget(plot)
    plot.resize(400, 300)
    plot.show()
    qtbot.waitExposed(plot)
    ticks = [int(label) for label in drawn_tick_labels(plot.getAxis("left"))]
    assert max(ticks) == 100 and min(ticks) >= 92


def drawn_tick_labels(axis: pg.AxisItem) -> list[str]:
    """The labels an axis draws, as it works them out for painting."""
    image = QImage(1, 1, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _, _, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [text for _, _, text in texts]


def test_confusion_counts_read_on_their_cells(qtbot):
    from PySide6.QtCore import QPointF

    from app.report_figures import ConfusionView
    from app.theme import WCAG_AA, contrast

    matrix = np.array([[980, 3, 2], [12, 1, 40], [1, 7, 500]])  # no zero: the colours must still start at 0
    view = ConfusionView(matrix, ["a", "b", "c"])
    qtbot.addWidget(view)
    view.resize(400, 400)
    view.show()
    qtbot.wait(10)
    shown = view.grab().toImage()
    box = view.getViewBox()
    for item in (item for item in view.getPlotItem().items if isinstance(item, pg.TextItem)):
        # The cell's colour as painted, a little inside its corner, away from the number.
        corner = item.pos() - QPointF(0.4, 0.4)
        where = view.mapFromScene(box.mapViewToScene(corner))
        cell = shown.pixelColor(where.x(), where.y())
        assert contrast(item.color, cell) >= WCAG_AA, item.toPlainText()


def test_the_unfamiliar_inputs_page_gives_the_cards_threshold_and_figures(qtbot):
    entry = Unfamiliarity(
        "mahalanobis",
        123.4,
        "by hand",
        {"MNIST test": 0.04},
        {"letters": UnfamiliarSet(770, 0.991, 0.95)},
        {"mahalanobis": {"letters": 0.991}, "energy": {"letters": 0.934}},
    )
    report = ModelReport(Card("m", "mnist", ["a", "b"], unfamiliarity=entry), "")
    qtbot.addWidget(report)
    said = report.page("Unfamiliar inputs").widget().text()
    assert "123" in said and "mahalanobis" in said and "MNIST test 4.0%" in said
    assert "0.991" in said and "95%" in said and "0.934" in said
    plain = ModelReport(Card("m", "mnist", ["a", "b"]), "")
    qtbot.addWidget(plain)
    assert "Unfamiliar inputs" not in [plain.tabs.tabText(i) for i in range(plain.tabs.count())]


def test_a_report_in_presentation_mode_fits_the_screen_and_names_every_tab_where_it_can(qtbot):
    test = TestScores(accuracy=0.93, macro_f1=0.92, per_class_accuracy=[0.9, 0.96], confusion_matrix=[[9, 1], [0, 10]])
    card = Card("m", "mnist", ["a", "b"], test=test, test_set="MNIST test set, a long name that runs on " * 3)
    presentation.set_fonts(True)
    try:
        report = ModelReport(card, "")
        qtbot.addWidget(report)
        report.show()
        room = report.screen().availableGeometry().width()  # 800 on the offscreen platform
        assert report.width() <= room
        assert report.width() >= report.tabs.tabBar().sizeHint().width() or report.width() == room
        assert report.header.minimumSizeHint().width() <= report.width()  # the long header wraps
    finally:
        presentation.set_fonts(False)


def test_every_figures_title_is_in_ink_and_in_the_letters_of_presentation_mode(qtbot):
    from app.theme import WCAG_AA, contrast

    raw = Reliability(ece=0.05, count=[0, 3, 7], confidence=[0.0, 0.5, 0.9], accuracy=[0.0, 0.33, 0.86])
    test = TestScores(accuracy=0.93, macro_f1=0.92, per_class_accuracy=[0.9, 0.96], confusion_matrix=[[9, 1], [0, 10]])
    calibration = Calibration(0.8, "validation split", raw, raw)
    card = Card("m", "mnist", ["a", "b"], test=test, calibration=calibration, training=run(HISTORY))
    presentation.set_fonts(True)
    try:
        report = ModelReport(card, "")
        qtbot.addWidget(report)
        report.show()
        background = report.palette().window().color()
        size = f"{QApplication.font().pointSize()}pt"
        titles = [item.titleLabel for item in report.page("Calibration").ci.items if isinstance(item, pg.PlotItem)]
        titles.append(report.page("Confusion").getPlotItem().titleLabel)
        for curves in report.page("Training").findChildren(pg.PlotWidget):  # and the curves' legends
            titles += [label for _, label in curves.getPlotItem().legend.items]
        titles = [title for title in titles if title.text]
        assert len(titles) == 3 + 2 * 2
        for title in titles:
            shown = pg.mkColor(title.opts["color"] or pg.getConfigOption("foreground"))  # as pyqtgraph writes it
            assert contrast(shown, background) >= WCAG_AA, title.text
            assert title.opts["size"] == size, title.text
    finally:
        presentation.set_fonts(False)


def test_an_open_reports_axis_titles_take_presentation_modes_letters_when_it_comes_to_the_front(qtbot):
    from tests.test_layout import axis_titles

    raw = Reliability(ece=0.05, count=[0, 3, 7], confidence=[0.0, 0.5, 0.9], accuracy=[0.0, 0.33, 0.86])
    test = TestScores(accuracy=0.93, macro_f1=0.92, per_class_accuracy=[0.9, 0.96], confusion_matrix=[[9, 1], [0, 10]])
    card = Card("m", "mnist", ["a", "b"], test=test, calibration=Calibration(0.8, "validation split", raw, raw))
    report = ModelReport(card, "")
    qtbot.addWidget(report)
    report.show()
    for page in ("Calibration", "Confusion", "Per class"):
        report.page(page)
    titles = axis_titles(report)
    assert len(titles) >= 6
    try:
        presentation.set_fonts(True)
        QApplication.sendEvent(report, QEvent(QEvent.Type.WindowActivate))
        assert all(title.font().pointSize() == QApplication.font().pointSize() for title in titles)
    finally:
        presentation.set_fonts(False)
