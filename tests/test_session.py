"""The Qt-free core, headless: the session's rules, the filters of test images, the LRU."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.lru import LRU
from app.core.selection import Filters, Selection, Show, select
from app.core.session import InsidePage, NewestWins, Session
from models import card
from models.answering import Answer, Loaded
from models.registry import CIFAR10, MNIST, Preparation, spec


def ready(session: Session, *names: str) -> None:
    for name in names:
        session.model_ready(card.minimal(spec(name)))
    session.load_ended(Loaded(sorted(session.cards), "cpu", {}, ["cpu"]))


def test_only_the_newest_answer_is_shown_and_the_newest_input_asked_next():
    questions = NewestWins()
    assert questions.changed()  # nothing in flight: ask now
    first = questions.asked()
    assert not questions.changed() and not questions.changed()  # two moves of the pen meanwhile
    assert questions.received(first)  # the input moved on: ask again before painting
    second = questions.asked()
    assert questions.worth_showing(first)  # newer than anything on show
    assert not questions.received(second)
    assert questions.worth_showing(second) and questions.settled
    assert not questions.worth_showing(first)  # a straggler is never painted over a newer answer


def test_an_answer_for_an_input_that_is_gone_is_not_shown():
    questions = NewestWins()
    questions.changed()
    ident = questions.asked()
    questions.changed()
    questions.nothing_to_ask()  # the canvas was cleared meanwhile
    assert questions.received(ident)
    assert not questions.worth_showing(ident)


def test_the_session_offers_the_models_of_the_input_on_show():
    session = Session()
    offers = []
    session.offer_changed.connect(lambda _: offers.append(session.offered()))
    ready(session, "mnist_cnn", "vit_mnist", "vit_cifar10")
    assert session.dataset == MNIST.name and session.offered() == ["mnist_cnn", "vit_mnist"]
    assert session.picked() == "mnist_cnn"
    session.show_input(drawing=False, browsed=CIFAR10.name)
    assert session.offered() == ["vit_cifar10"] and offers[-1] == ["vit_cifar10"]
    session.show_input(drawing=True)
    assert session.picked() == "mnist_cnn"


def test_a_remembered_choice_waits_for_its_model_and_wins_once_it_is_ready():
    session = Session({MNIST.name: "vit_mnist"})
    choices = []
    session.choice_changed.connect(choices.append)
    session.model_ready(card.minimal(spec("mnist_cnn")))
    assert session.picked() == "mnist_cnn"  # a stand-in while the chosen model loads
    session.model_ready(card.minimal(spec("vit_mnist")))
    assert session.picked() == "vit_mnist" and choices == ["mnist_cnn", "vit_mnist"]
    assert session.load_order(["mnist_cnn", "vit_cifar10", "vit_mnist"]) == ["vit_mnist", "mnist_cnn", "vit_cifar10"]


def test_a_request_says_what_to_ask_and_explains_only_when_the_pen_is_up():
    session = Session()
    ready(session, "mnist_cnn", "vit_mnist")
    session.set_explaining(True)
    session.explain_class(7)
    session.set_calibrated(True)
    session.questions.changed()
    request = session.request(np.zeros((28, 28), np.uint8), Preparation.DRAWING, pen_down=True)
    assert request is not None and request.models == ("mnist_cnn",) and request.calibrated
    assert request.explain is None and request.preparation is Preparation.DRAWING
    request = session.request(np.zeros((28, 28), np.uint8), Preparation.DRAWING)
    assert request is not None and request.explain == "mnist_cnn" and request.target == 7
    session.set_compare(True)
    assert session.selected() == ["mnist_cnn", "vit_mnist"]
    session.set_explaining(False)
    assert session.target is None  # a new Explain starts from the top class


def test_a_heat_map_by_occlusion_is_asked_for_only_once_the_inputs_bars_are_on_show():
    session = Session()
    ready(session, "mnist_cnn")
    session.set_explaining(True)
    session.set_occluding(True)
    picture = np.zeros((28, 28), np.uint8)
    session.questions.changed()
    bars = session.request(picture, Preparation.DRAWING)
    assert bars is not None and bars.explain is None and bars.occlusion  # the bars first
    answer = Answer(bars.ident, {"mnist_cnn": np.full(10, 0.1, np.float32)})
    session.receive(answer)
    session.show_answer(answer)
    assert session.heat_to_follow(answer)
    session.questions.changed()
    heat = session.request(picture, Preparation.DRAWING, heat_pass=True)
    assert heat is not None and heat.explain == "mnist_cnn"
    with_heat = Answer(heat.ident, answer.probabilities, heat=np.zeros((28, 28), np.float32))
    session.receive(with_heat)
    session.show_answer(with_heat)
    assert not session.heat_to_follow(with_heat)  # asked once: no second heat pass, even where it failed
    session.set_occluding(False)  # the model's own heat map is quick: it comes with the bars
    session.questions.changed()
    quick = session.request(picture, Preparation.DRAWING)
    assert quick is not None and quick.explain == "mnist_cnn"


def test_the_inside_dock_asks_only_for_what_its_page_draws_and_some_of_it_once_the_pen_is_up():
    session = Session()
    ready(session, "mnist_cnn", "vit_mnist")
    session.questions.changed()
    drawing = np.zeros((28, 28), np.uint8)

    def asked(pen_down: bool = False) -> tuple:
        request = session.request(drawing, Preparation.DRAWING, pen_down=pen_down)
        assert request is not None
        return request.looked_into, request.place, request.neighbours, request.layers, request.every_heat

    assert asked() == (None, False, False, False, False)  # the dock is closed
    changes = []
    session.question_changed.connect(changes.append)
    session.set_inside_page(InsidePage.LAYERS)
    session.set_inside_page(InsidePage.LAYERS)  # no change: not asked again
    assert len(changes) == 1
    assert asked(pen_down=True) == ("mnist_cnn", False, False, False, False)
    assert asked() == ("mnist_cnn", False, False, True, False)
    session.set_inside_page(InsidePage.MAP)
    assert asked(pen_down=True) == ("mnist_cnn", True, False, False, False)  # the star follows the pen
    assert asked() == ("mnist_cnn", True, True, False, False)
    session.set_inside_page(InsidePage.SIDE_BY_SIDE)
    assert asked() == ("mnist_cnn", False, False, False, False)  # heat maps side by side need Compare and Explain
    session.set_compare(True)
    session.set_explaining(True)
    assert asked() == ("mnist_cnn", False, False, False, True)
    assert asked(pen_down=True)[4] is False
    session.choose("vit_mnist")
    assert asked()[0] == "vit_mnist"
    session.set_inside_page(None)
    assert asked() == (None, False, False, False, False)


def test_no_model_means_nothing_to_ask():
    session = Session()
    ready(session)
    session.questions.changed()
    assert session.request(np.zeros((28, 28), np.uint8), Preparation.DRAWING) is None
    assert session.questions.settled


def test_the_note_says_what_the_answer_is_not_what_is_ticked():
    session = Session()
    session.set_calibrated(True)
    raw = Answer(1, {"mnist_cnn": np.full(10, 0.1, np.float32)})
    assert session.note(raw) == "raw probabilities"
    explained = Answer(2, raw.probabilities, {"mnist_cnn": 2.0}, explained="mnist_cnn", target=3)
    assert session.note(explained) == "calibrated: temperature 2.00\nheat map: where MNIST CNN looked for “3”"


def test_a_model_without_a_fitted_temperature_is_not_said_to_have_one():
    session = Session()
    session.model_ready(card.minimal(spec("mnist_cnn")))  # no temperature fitted
    session.model_ready(card.minimal(spec("vit_mnist"), temperature=1.5))
    alone = Answer(1, {"mnist_cnn": np.full(10, 0.1, np.float32)}, {"mnist_cnn": 1.0})
    assert session.note(alone) == "raw probabilities: MNIST CNN has no fitted temperature"
    both = Answer(
        2, {**alone.probabilities, "vit_mnist": alone.probabilities["mnist_cnn"]}, {"mnist_cnn": 1.0, "vit_mnist": 1.5}
    )
    assert session.note(both) == "calibrated: temperature 1.50 (ViT); MNIST CNN has none"


def test_a_reloaded_model_forgets_its_test_set_answers():
    session = Session()
    ready(session, "mnist_cnn")
    session.scored("mnist_cnn", MNIST.name, np.eye(10, dtype=np.float32))
    assert session.answers_for("mnist_cnn", MNIST.name) is not None
    session.model_ready(card.minimal(spec("mnist_cnn")))  # moved to another device
    assert session.answers_for("mnist_cnn", MNIST.name) is None


LABELS = np.array([0, 1, 2, 0, 1, 2, 0, 1])
# Model answers: right for 0-2, wrong for 3 (sure), 4 (unsure) and 7 (surest).
ANSWERS = np.array(
    [[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [0.1, 0.8, 0.1],
     [0.4, 0.2, 0.4], [0.1, 0.1, 0.8], [0.7, 0.2, 0.1], [0.95, 0.03, 0.02]]
)  # fmt: skip


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(), list(range(8))),
        (Filters(true_class=0), [0, 3, 6]),
        (Filters(show=Show.MISTAKES), [7, 3, 4]),  # the surest mistakes first
        (Filters(true_class=1, show=Show.MISTAKES), [7, 4]),
        (Filters(show=Show.LEAST_CONFIDENT), [4, 6, 1, 2, 3, 5, 0, 7]),
        (Filters(true_class=0, show=Show.LEAST_CONFIDENT), [6, 3, 0]),
        (Filters(cell=(0, 1)), [3]),  # true 0, taken for 1
        (Filters(cell=(1, 0)), [4, 7]),
    ],
)
def test_filters_pick_and_order_the_test_images(filters, expected):
    assert select(8, LABELS, ANSWERS, filters).tolist() == expected


def test_without_answers_only_the_class_filters():
    assert select(8, LABELS, None, Filters(true_class=2, show=Show.MISTAKES)).tolist() == [2, 5]
    assert select(3, None, None, Filters(true_class=2)).tolist() == [0, 1, 2]  # own pictures have no labels


def test_the_models_disagree_where_any_other_model_answers_otherwise():
    other = ANSWERS.copy()
    other[[1, 4]] = [0.0, 0.0, 1.0]  # takes 1 for 2, and 4 for 2 (where the first said 0 or 2)
    assert select(8, LABELS, ANSWERS, Filters(show=Show.DISAGREE), [other]).tolist() == [1, 4]
    assert select(8, LABELS, ANSWERS, Filters(show=Show.DISAGREE), [ANSWERS]).tolist() == []
    assert select(8, LABELS, ANSWERS, Filters(show=Show.DISAGREE)).tolist() == []  # no model to disagree with
    assert Filters(show=Show.DISAGREE).need_every_model and not Filters(show=Show.MISTAKES).need_every_model


def test_the_selection_keeps_the_picture_on_show_across_filters():
    selection = Selection()
    changes = []
    selection.changed.connect(changes.append)
    selection.reset(8, LABELS)
    selection.go_to(3)
    selection.set_answers(ANSWERS)
    selection.filter(true_class=0)
    assert selection.current() == 3 and selection.position == 1  # kept by a filter of class
    selection.filter(true_class=None, show=Show.MISTAKES)
    assert selection.current() == 7 and selection.position == 0  # the order asked for starts at its head
    selection.step(1)
    assert selection.current() == 3
    selection.step(2)
    assert selection.current() == 7  # wraps around
    assert changes[-1] is False and changes[0] is True  # a move, after new offers
    selection.step(1)
    assert selection.current() == 3
    other = ANSWERS.copy()
    other[5] = [0.99, 0.005, 0.005]  # another model, surest of a mistake the first did not make
    selection.set_answers(other)
    assert selection.position == 0 and selection.current() == 5  # its surest mistake, not the picture kept
    assert selection.go_to(0) and selection.filters == Filters()  # the filter hiding it is dropped
    assert not selection.go_to(8)
    with pytest.raises(ValueError, match="8 images"):
        selection.set_answers(ANSWERS[:5])


def test_the_lru_forgets_the_least_recently_used_but_never_the_pinned():
    lru: LRU[str, int] = LRU(2)
    lru.put("a", 1)
    lru.pinned = "a"
    lru.put("b", 2)
    lru.put("c", 3)
    assert "a" in lru and "b" not in lru and len(lru) == 2
    lru.pinned = None
    lru.get("a")  # now the most recently used
    lru.put("d", 4)
    assert "c" not in lru and lru.get("a") == 1
    with pytest.raises(ValueError):
        LRU(0)
