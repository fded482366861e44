"""The Inside the Network dock: the layers follow the drawing, the input is a point on the map of
the test set, its nearest test images open in the browser, and compared models' heat maps stand
side by side."""

from pathlib import Path

import numpy as np
import pytest
import torch
from PySide6.QtCore import Qt

from app.actions import Tab
from models import datasets
from models.registry import MNIST, spec
from tests.conftest import ONE, SEVEN, pen_strokes


def write_map(name: str, data_dir: Path) -> None:
    """The map of the tiny test set in an installed model's features, as the evaluation writes it."""
    import models
    from training import data_map

    classifier = models.load(name, "cpu")
    test = datasets.load(MNIST.name, "test", data_dir)
    data_map.write(classifier.network, spec(name), test.images, test.labels, spec(name).map_path, torch.device("cpu"))


@pytest.fixture
def window(install_untrained, tiny_mnist, open_window):
    install_untrained("mnist_cnn")
    write_map("mnist_cnn", tiny_mnist)
    return open_window(tiny_mnist)


def settled(window, qtbot):
    qtbot.waitUntil(lambda: window.session.questions.settled and window.session.answer is not None, timeout=10000)
    return window.session.answer


def test_the_layers_and_the_place_on_the_map_follow_the_drawing(window, qtbot):
    window.actions["inside"].trigger()
    dock = window.inside
    assert dock.isVisible() and window.session.looking_inside
    pen_strokes(window.canvas, ONE)
    one = settled(window, qtbot)
    assert one.inside == "mnist_cnn" and one.layers is not None
    assert [stage.name for stage in one.layers.stages] == ["features.1", "features.3", "features.4"]
    assert [len(row) for row in dock.layers.tiles] == [8, 8, 8]
    assert dock.map.shown is None  # a page out of sight waits until it is turned to
    dock.pages.setCurrentWidget(dock.map)
    assert dock.map.shown == "mnist_cnn" and np.array_equal(dock.map.place, one.places["mnist_cnn"])
    assert one.neighbours is not None and len(one.neighbours) == 8
    window.canvas.clear()
    pen_strokes(window.canvas, SEVEN)
    seven = settled(window, qtbot)
    assert not np.array_equal(seven.places["mnist_cnn"], one.places["mnist_cnn"])
    assert np.array_equal(dock.map.place, seven.places["mnist_cnn"])  # the star moved with the drawing
    dock.pages.setCurrentWidget(dock.layers)
    assert dock.layers.inside is seven.layers
    assert not np.array_equal(seven.layers.stages[0].maps, one.layers.stages[0].maps)
    # Closed, the dock costs nothing: the answers carry no insides.
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        window.actions["inside"].trigger()
    assert not window.session.looking_inside
    assert window.session.answer.layers is None and not window.session.answer.places


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
    assert all(view.pixmap is not None for view in strip.neighbour_views)  # the test set is read: pictures show
    qtbot.mouseClick(strip.neighbour_views[2], Qt.MouseButton.LeftButton)
    assert window.tabs.currentIndex() == Tab.BROWSE.value
    assert window.browser.selection.current() == answer.neighbours[2]


def test_a_model_without_a_map_says_how_to_make_one(install_untrained, tiny_mnist, open_window, qtbot):
    install_untrained("mnist_cnn")
    window = open_window(tiny_mnist)
    window.show_inside(True)
    pen_strokes(window.canvas, ONE)
    answer = settled(window, qtbot)
    assert not answer.places and answer.neighbours is None and answer.layers is not None
    window.inside.pages.setCurrentWidget(window.inside.map)
    assert "training.data_map mnist_cnn" in window.inside.map.caption.text()


def test_compared_models_heat_maps_stand_side_by_side(install_untrained, tiny_mnist, open_window, qtbot):
    install_untrained("mnist_cnn")
    install_untrained("vit_mnist")
    window = open_window(tiny_mnist)
    window.show_inside(True)
    window.picker.compare.setChecked(True)
    window.actions["explain"].trigger()
    pen_strokes(window.canvas, ONE)
    answer = settled(window, qtbot)
    assert set(answer.heats) == {"mnist_cnn", "vit_mnist"}
    assert all(heat.shape == (28, 28) for heat in answer.heats.values())
    window.inside.pages.setCurrentWidget(window.inside.side_by_side)
    assert set(window.inside.side_by_side.views) == {"mnist_cnn", "vit_mnist"}
    window.picker.compare.setChecked(False)
    assert not settled(window, qtbot).heats  # one model: its heat map is the one over the drawing
