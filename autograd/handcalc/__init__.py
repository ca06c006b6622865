"""Hand calculations on scalar graphs: expressions as text (`autograd.handcalc.expr`: the safe
parser behind ``autograd draw`` and ``autograd check``) and the checker of a student's claimed
numbers (`autograd.handcalc.check`). Both work on `Value` graphs through the node protocol of
`autograd.graph` and its one chain rule, `autograd.graph.backprop`; they draw nothing
themselves (diagrams are `autograd.viz`'s).
"""
