"""The confidence lab: the input changed by knobs while the bars follow, and a knob swept through
its range to show every class's probability along it."""
