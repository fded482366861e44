"""The Inside the Network dock: the layers follow the drawing, the input is a point on the map of
the test set, its nearest test images open in the browser, and compared models' heat maps stand
side by side."""

from pathlib import Path

import pytest
import torch
from PySide6.QtCore import QRect, Qt

from app.actions import Tab
from app.core.session import InsidePage
from models import datasets
from models.registry import MNIST, spec
from tests.conftest import ONE, SEVEN, pen_strokes


def write_map(name: str, data_dir: Path) -> None:
    """The map of the tiny test set in an installed model's features, as the evaluation writes it."""
    import models
    from training import data_map

    classifier = models.load(name, "cpu")
    test = datasets.load(MNIST.name, "test", data_dir)
    path, digest = spec(name).map_path, classifier.weights_digest
    data_map.write(classifier.network, spec(name), test.images, test.labels, path, digest, torch.device("cpu"))


@pytest.fixture
def window(install_untrained, tiny_mnist, open_window):
    install_untrained("mnist_cnn")
    write_map("mnist_cnn", tiny_mnist)
    return open_window(tiny_mnist)


def settled(window, qtbot):
    qtbot.waitUntil(lambda: window.session.questions.settled and window.session.answer is not None, timeout=10000)
    return window.session.answer


def star(dock) -> tuple[float, float] | None:
    """Where the map's star stands, as drawn."""
    x, y = dock.map.star.getData()
    return (float(x[0]), float(y[0])) if len(x) else None


def tile_image(dock, row: int, position: int):
    return dock.layers.tiles[row][position].pixmap.toImage()


def test_the_layers_and_the_place_on_the_map_follow_the_drawing(window, qtbot):
    window.commands["inside"].trigger()
    dock = window.inside
    assert dock.isVisible() and window.session.inside_page is InsidePage.LAYERS
    pen_strokes(window.canvas, ONE)
    one = settled(window, qtbot)
    assert one.looked_into == "mnist_cnn" and one.layers is not None and one.place is None
    assert [stage.name for stage in one.layers.stages] == ["features.1", "features.3", "features.4"]
    assert [len(row) for row in dock.layers.tiles] == [8, 8, 8]
    drawn_one = tile_image(dock, 0, 0)
    with qtbot.waitSignal(window.answerShown, timeout=10000):  # turned to the map: asked again, for it
        dock.pages.setCurrentWidget(dock.map)
    one = window.session.answer
    assert one.layers is None and one.place is not None and len(one.neighbours) == 8
    assert star(dock) == pytest.approx(tuple(one.place))
    window.canvas.clear()
    pen_strokes(window.canvas, SEVEN)
    seven = settled(window, qtbot)
    assert star(dock) == pytest.approx(tuple(seven.place)) != pytest.approx(tuple(one.place))
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        dock.pages.setCurrentWidget(dock.layers)
    assert tile_image(dock, 0, 0) != drawn_one  # the seven's maps, not the one's
    # Closed, the dock costs nothing: the answers carry none of it.
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        window.commands["inside"].trigger()
    assert window.session.inside_page is None
    answer = window.session.answer
    assert answer.looked_into is None and answer.layers is None and answer.place is None


def test_clearing_the_canvas_clears_the_layers(window, qtbot):
    window.show_inside(True)
    pen_strokes(window.canvas, ONE)
    settled(window, qtbot)
    assert window.inside.layers.tiles
    window.canvas.clear()
    qtbot.waitUntil(lambda: not window.inside.layers.tiles, timeout=5000)
    assert not window.inside.layers.detail.isVisible()


def test_the_menu_entry_follows_the_docks_own_close_button_not_its_place_in_a_tab_group(window, qtbot):
    window.show_inside(True)
    # Behind another dock of its tab group, a dock reports itself invisible, yet it is open.
    window.inside.visibilityChanged.emit(False)
    assert window.commands["inside"].isChecked()
    window.inside.close()  # its own button
    assert not window.commands["inside"].isChecked() and window.session.inside_page is None


def test_a_click_on_a_map_shows_it_large_with_its_filter(window, qtbot):
    window.show_inside(True)
    pen_strokes(window.canvas, ONE)
    settled(window, qtbot)
    layers = window.inside.layers
    qtbot.mouseClick(layers.tiles[0][2], Qt.MouseButton.LeftButton)
    assert layers.detail.isVisible() and layers.filter.pixmap is not None
    assert "filter that made it" in layers.said.text()
    qtbot.mouseClick(layers.tiles[2][0], Qt.MouseButton.LeftButton)  # the max-pool: no single filter
    assert layers.filter.pixmap is None and "no single filter" in layers.said.text()


def test_a_neighbour_opens_that_test_image_in_the_browser(window, qtbot):
    window.show_tab(Tab.BROWSE)
    qtbot.waitUntil(lambda: MNIST.name in window.browser.panel.sets, timeout=10000)
    window.show_tab(Tab.DRAW)
    window.show_inside(True)
    window.inside.pages.setCurrentWidget(window.inside.map)
    pen_strokes(window.canvas, SEVEN)
    answer = settled(window, qtbot)
    strip = window.inside.map
    assert answer.neighbours is not None
    assert all(view.pixmap is not None for view in strip.neighbour_views)  # the test set is read: pictures show
    qtbot.mouseClick(strip.neighbour_views[2], Qt.MouseButton.LeftButton)
    assert window.tabs.currentIndex() == Tab.BROWSE.value
    assert window.browser.selection.current() == answer.neighbours[2]


def test_a_test_set_other_than_the_one_mapped_is_neither_shown_nor_opened(
    install_untrained, tiny_mnist, open_window, qtbot
):
    import models
    from training import data_map

    install_untrained("mnist_cnn")
    classifier = models.load("mnist_cnn", "cpu")
    test = datasets.load(MNIST.name, "test", tiny_mnist)
    path, digest = spec("mnist_cnn").map_path, classifier.weights_digest
    # The same pictures in another order: the same size, another set.
    data_map.write(classifier.network, spec("mnist_cnn"), test.images[::-1], test.labels[::-1], path, digest,
                   torch.device("cpu"))  # fmt: skip
    window = open_window(tiny_mnist)
    window.show_tab(Tab.BROWSE)
    qtbot.waitUntil(lambda: MNIST.name in window.browser.panel.sets, timeout=10000)
    shown = window.browser.selection.current()
    window.show_tab(Tab.DRAW)
    window.show_inside(True)
    window.inside.pages.setCurrentWidget(window.inside.map)
    pen_strokes(window.canvas, SEVEN)
    assert settled(window, qtbot).neighbours is not None
    strip = window.inside.map
    assert all(view.pixmap is None for view in strip.neighbour_views)
    qtbot.mouseClick(strip.neighbour_views[0], Qt.MouseButton.LeftButton)
    assert window.tabs.currentIndex() == Tab.DRAW.value and window.browser.selection.current() == shown
    assert "not the one this map was made from" in strip.near_caption.text()


def test_a_model_without_a_map_says_how_to_make_one(install_untrained, tiny_mnist, open_window, qtbot):
    install_untrained("mnist_cnn")
    window = open_window(tiny_mnist)
    window.show_inside(True)
    pen_strokes(window.canvas, ONE)
    assert settled(window, qtbot).layers is not None
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        window.inside.pages.setCurrentWidget(window.inside.map)
    answer = window.session.answer
    assert answer.place is None and answer.neighbours is None
    assert "training.data_map mnist_cnn" in window.inside.map.caption.text()


def test_compared_models_heat_maps_stand_side_by_side(install_untrained, tiny_mnist, open_window, qtbot):
    install_untrained("mnist_cnn")
    install_untrained("vit_mnist")
    window = open_window(tiny_mnist)
    window.show_inside(True)
    window.inside.pages.setCurrentWidget(window.inside.side_by_side)
    window.picker.compare.setChecked(True)
    window.commands["explain"].trigger()
    pen_strokes(window.canvas, ONE)
    answer = settled(window, qtbot)
    assert set(answer.heats) == {"mnist_cnn", "vit_mnist"}
    assert all(heat.shape == (28, 28) for heat in answer.heats.values())
    side_by_side = window.inside.side_by_side
    assert set(side_by_side.views) == {"mnist_cnn", "vit_mnist"}
    views = dict(side_by_side.views)
    pen_strokes(window.canvas, SEVEN)  # the answers while the pen is down carry no heat maps
    assert side_by_side.views == views and side_by_side.note.text().startswith("Heat maps side by side")
    settled(window, qtbot)
    window.picker.compare.setChecked(False)
    assert not settled(window, qtbot).heats  # one model: its heat map is the one over the drawing


@pytest.mark.parametrize("width", [340, 900])
def test_the_maps_legend_lies_off_the_map_and_names_every_class_the_mistakes_and_the_star(qtbot, width):
    import numpy as np

    from app.inside.map_view import MapView
    from models.data_map import DataMap
    from models.registry import CIFAR10

    rng = np.random.default_rng(0)
    labels = np.arange(200) % 10
    data_map = DataMap(
        np.zeros(4), np.eye(2, 4), np.array([0.5, 0.2]), rng.normal(size=(200, 2)), labels, labels, "t", "w"
    )
    view = MapView(4)
    qtbot.addWidget(view)
    font = view.font()
    font.setPointSize(15)  # presentation mode's letters
    view.setFont(font)
    view.resize(width, 600)
    view.show()
    view.show_map("m", "M", data_map, CIFAR10.classes, None)
    qtbot.waitExposed(view)
    from PySide6.QtGui import QTextDocument

    key = QTextDocument()
    key.setHtml(view.legend.text())
    said = key.toRawText()
    # Every entry, and never broken within one: its words are held together.
    assert all(name.replace(" ", "\xa0") in said for name in [*CIFAR10.classes, "your input"])
    assert "mistakes" in view.mark_mistakes.text() and view.mark_mistakes.isVisible()
    plot, key = view.plot, view.legend
    # Wrapped whole, in the narrow dock too, once the layout has settled.
    qtbot.waitUntil(lambda: key.heightForWidth(key.width()) <= key.height(), timeout=2000)
    on_page = [QRect(w.mapTo(view, w.rect().topLeft()), w.size()) for w in (plot, key)]
    assert not on_page[0].intersects(on_page[1])  # no point and no star lies under it


def test_the_mistakes_are_marked_on_the_map_until_the_box_takes_them_off(qtbot):
    import numpy as np

    from app.inside.map_view import MapView
    from models.data_map import DataMap
    from models.registry import MNIST

    labels = np.arange(100) % 10
    answers = labels.copy()
    answers[:7] = (answers[:7] + 1) % 10  # seven mistakes
    places = np.random.default_rng(0).normal(size=(100, 2))
    data_map = DataMap(np.zeros(4), np.eye(2, 4), np.array([0.5, 0.2]), places, labels, answers, "t", "w")
    view = MapView(4)
    qtbot.addWidget(view)
    view.show()

    def points_on_show() -> int:
        return sum(len(item.points()) for item in view.plot.listDataItems() if item.isVisible())

    view.show_map("m", "M", data_map, MNIST.classes, None)
    assert "7 mistakes" in view.mark_mistakes.text()
    assert points_on_show() == 107
    view.mark_mistakes.setChecked(False)
    assert points_on_show() == 100
    view.show_map("other", "Other", data_map, MNIST.classes, None)  # the choice holds for the next model's map
    assert points_on_show() == 100
    view.mark_mistakes.setChecked(True)
    assert points_on_show() == 107
    view.show_map("none", "None", None, MNIST.classes, None)
    assert points_on_show() == 0 and not view.mark_mistakes.isVisible()


def test_the_maps_neighbours_show_whole_in_presentation_mode_on_a_1024x768_projector(window, qtbot):
    from PySide6.QtCore import QPoint

    from app.scrolling import VerticalScroll

    window.commands["presentation"].setChecked(True)
    window.resize(1024, 768)
    window.show_inside(True)
    view = window.inside.map
    window.inside.pages.setCurrentWidget(view)
    pen_strokes(window.canvas, SEVEN)
    settled(window, qtbot)
    qtbot.waitUntil(lambda: view.nearest is not None, timeout=10000)
    viewport = view.findChild(VerticalScroll).viewport()
    label = view.neighbour_labels[0]
    qtbot.waitUntil(lambda: label.mapTo(viewport, QPoint(0, label.height())).y() <= viewport.height(), timeout=3000)


def test_the_neighbours_names_never_widen_the_map(qtbot):
    import numpy as np

    from app.inside.map_view import MapView
    from models.data_map import DataMap
    from models.registry import CIFAR10

    labels = np.zeros(20, int)  # every neighbour an "airplane", read as an "automobile"
    data_map = DataMap(np.zeros(4), np.eye(2, 4), np.ones(2), np.zeros((20, 2)), labels, labels + 1, "t", "w")
    view = MapView(8)
    qtbot.addWidget(view)
    font = view.font()
    font.setPointSize(15)  # presentation mode's letters
    view.setFont(font)
    view.show_map("m", "M", data_map, CIFAR10.classes, None)
    view.show_neighbours(np.arange(8), None)
    assert view.neighbour_labels[0].text() == "airplane (× automobile)"
    assert view.minimumSizeHint().width() <= 8 * 40 + 7 * 2 + 40  # the pictures' least, not the names'


def test_a_short_map_page_scrolls_rather_than_squeeze_the_map_to_a_strip(qtbot):
    import numpy as np

    from app.inside.map_view import LEAST_MAP_HEIGHT, MapView
    from models.data_map import DataMap

    labels = np.arange(200) % 10
    data_map = DataMap(np.zeros(4), np.eye(2, 4), np.ones(2), np.zeros((200, 2)), labels, labels, "t", "w")
    view = MapView(8)
    qtbot.addWidget(view)
    font = view.font()
    font.setPointSize(15)  # presentation mode's letters: a long caption above the map
    view.setFont(font)
    view.resize(340, 300)
    view.show()
    view.show_map("m", "M", data_map, MNIST.classes, None)
    qtbot.waitUntil(lambda: view.plot.height() >= LEAST_MAP_HEIGHT)
    assert view.minimumSizeHint().height() < 300  # the page scrolls: the dock may be short
