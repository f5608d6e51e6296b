"""wengert.nn: modules, parameters, layers, initialisation and losses with torch.nn's
names and signatures, so model code ports by changing the import."""
from . import functional, init
from .module import Module, Parameter
from .layers import (AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, Dropout, Embedding, Flatten,
                     GELU, Identity, LayerNorm, Linear, LogSoftmax, MaxPool2d, ModuleList, ReLU,
                     Sequential, Sigmoid, Softmax, Tanh)

__all__ = ["functional", "init", "Module", "Parameter", "Identity", "Linear", "Conv2d",
           "MaxPool2d", "AvgPool2d", "Flatten", "Sequential", "ModuleList", "Embedding",
           "Dropout", "LayerNorm", "BatchNorm1d", "BatchNorm2d", "ReLU", "Tanh", "Sigmoid",
           "GELU", "Softmax", "LogSoftmax"]
