"""Optimizers and learning-rate schedules, with PyTorch's names and formulas. `EarlyStopping`
belongs to training (`autograd.train`); it is importable from here too.

from autograd import optim
from autograd.train import EarlyStopping
opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-3)
sched = optim.lr_scheduler.Exponential(opt, gamma=0.97)   # or optim.Exponential
stopper = EarlyStopping("val_loss", patience=10)
"""

from autograd.early_stopping import EarlyStopping
from autograd.optim import lr_scheduler
from autograd.optim.course_l2 import CourseL2
from autograd.optim.lr_scheduler import Cosine, Exponential, LinearSaturated, LRScheduler, Step
from autograd.optim.optimizers import SGD, Adagrad, Adam, AdamW, Optimizer, RMSprop

__all__ = [
    "Optimizer",
    "SGD",
    "Adam",
    "AdamW",
    "Adagrad",
    "RMSprop",
    "CourseL2",
    "lr_scheduler",
    "LRScheduler",
    "LinearSaturated",
    "Exponential",
    "Step",
    "Cosine",
    "EarlyStopping",
]
