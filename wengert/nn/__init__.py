"""wengert.nn: modules, parameters, layers, initialisation and losses with torch.nn's
names and signatures, so model code ports by changing the import."""
from . import functional, init, utils
from .module import Module, Parameter
from .layers import (AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, Dropout, Embedding, Flatten,
                     Identity, LayerNorm, Linear, MaxPool2d)
from .activations import (ELU, GELU, Hardtanh, LeakyReLU, LogSoftmax, ReLU, Sigmoid, SiLU,
                          Softmax, Softplus, Tanh)
from .containers import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .losses import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss, L1Loss,
                     MSELoss, NLLLoss, SmoothL1Loss)
from .pooling import AdaptiveAvgPool2d
from .recurrent import GRU, LSTM, RNN
from .attention import MultiheadAttention, TransformerEncoderLayer

__all__ = ["functional", "init", "Module", "Parameter", "Identity", "Linear", "Conv2d",
           "MaxPool2d", "AvgPool2d", "Flatten", "Sequential", "ModuleList", "Embedding",
           "Dropout", "LayerNorm", "BatchNorm1d", "BatchNorm2d", "ReLU", "Tanh", "Sigmoid",
           "GELU", "Softmax", "LogSoftmax", "utils", "LeakyReLU", "ELU", "SiLU", "Softplus",
           "Hardtanh", "ModuleDict", "ParameterList", "ParameterDict", "AdaptiveAvgPool2d",
           "L1Loss", "MSELoss", "SmoothL1Loss", "HuberLoss", "NLLLoss", "CrossEntropyLoss",
           "BCELoss", "BCEWithLogitsLoss", "KLDivLoss", "RNN", "LSTM", "GRU",
           "MultiheadAttention", "TransformerEncoderLayer"]
