"""Charts for briefings: one module per chart, one style for all.

Every chart function takes results (and an optional matplotlib ``ax`` or ``fig``) and
returns the figure; none calls ``plt.show()``. The command line saves them.
"""
