"""Hand calculations on scalar graphs: expressions as text (`autograd.handcalc.expr`: the safe
parser behind ``autograd draw`` and ``autograd check``) and the checker of a student's claimed
numbers (`autograd.handcalc.check`), class grading (`grade`) and per-student exercises with
their practice pages (`generate`). They work on `Value` graphs through the node protocol of
`autograd.graph` and its one chain rule, `autograd.graph.backprop`; they draw only
through `autograd.viz` (generate: the blank graphs, keys and practice pages).
"""
