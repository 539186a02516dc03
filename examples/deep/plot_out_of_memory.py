"""
=============================================
Training on data that does not fit in memory
=============================================

:class:`~skdir.nn.DIRRegressor` takes arrays. When the features are too large
for memory, train the same building blocks (:class:`~skdir.nn.DIRNetwork`,
:class:`~skdir.nn.FDS`, the weighted losses of :mod:`skdir.nn.losses`) with a
skorch net on a :class:`torch.utils.data.Dataset` that reads rows from disk.

The label distribution only needs the targets, one number per sample, which
fit in memory even when the features do not (10^8 targets take 400 MB in
float32): the :class:`~skdir.LabelSpace`, the LDS weights and the FDS bins
are computed from them as usual. Here the features are a NumPy memory-mapped ``.npy`` file;
an HDF5 or Zarr array, or a directory of images, works the same way.
"""

# %%
# A feature matrix on disk
# ------------------------
# Written block by block, so that it never sits in memory as a whole.
import os
import shutil
import tempfile

import matplotlib.pyplot as plt
import numpy as np
import torch
from skorch import NeuralNetRegressor
from skorch.callbacks import Callback

from skdir import LabelSpace, LDSWeighter
from skdir.metrics import shot_metrics
from skdir.nn import FDS, MLP, DIRNetwork
from skdir.nn.losses import MSELoss

n, p, block = 20_000, 8, 5_000
folder = tempfile.mkdtemp()
path = os.path.join(folder, "X.npy")
rng = np.random.RandomState(0)
X_file = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(n, p))
y = np.empty(n, dtype=np.float32)
for start in range(0, n, block):
    X_block = rng.normal(size=(block, p)).astype(np.float32)
    X_file[start:start + block] = X_block
    y[start:start + block] = np.exp(0.8 * X_block[:, 0] + 0.1 * rng.normal(size=block))
X_file.flush()
del X_file

X = np.load(path, mmap_mode="r")  # nothing is read until a row is asked for

# %%
# Label space from the targets alone
# ----------------------------------
# One fitted label space for the weights, the FDS bins and the shot groups.
space = LabelSpace(n_bins=50, many_threshold=500, few_threshold=50).fit(y)
weights = LDSWeighter(label_space=space).fit_transform(y).astype(np.float32)


# %%
# A dataset that reads rows on demand
# -----------------------------------
# Each item is a dict of the network's inputs (the features, and the label
# that FDS needs) and the target. The per-sample weight rides along in the
# dict so that the loss can use it.
class DiskDataset(torch.utils.data.Dataset):
    def __init__(self, X, y, weights):
        self.X, self.y, self.weights = X, y, weights

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        inputs = {
            "X": torch.from_numpy(np.array(self.X[i])),
            "labels": self.y[i:i + 1],
            "sample_weight": self.weights[i:i + 1],
        }
        return inputs, self.y[i:i + 1]


class WeightedNet(NeuralNetRegressor):
    """Pass each batch's weights to the loss; DIRNetwork returns (pred, features)."""

    def get_loss(self, y_pred, y_true, X=None, training=False):
        pred, _features = y_pred
        weight = X.get("sample_weight") if isinstance(X, dict) else None
        return self.criterion_(pred, y_true, weight)


class EndFDSEpoch(Callback):
    """Fold the epoch's feature statistics into FDS and smooth them."""

    def on_epoch_end(self, net, **kwargs):
        net.module_.fds.end_epoch()


# %%
# Training
# --------
# ``iterator_train__num_workers`` reads batches in parallel processes on a
# real data set; ``device="cuda"`` moves each batch to the GPU as it is used.
network = DIRNetwork(MLP(p, (32,)), torch.nn.Linear(32, 1), fds=FDS(32, space))
torch.manual_seed(0)
net = WeightedNet(
    network,
    criterion=MSELoss,
    optimizer=torch.optim.Adam,
    lr=3e-3,
    max_epochs=3,
    batch_size=256,
    train_split=None,
    iterator_train__shuffle=True,
    callbacks=[EndFDSEpoch()],
    device="cpu",
    verbose=0,  # the per-epoch losses are in net.history (plotted below)
)
net.fit(DiskDataset(X, y, weights), y=None)

# %%
# Prediction reads the rows the same way, batch by batch; in evaluation mode
# FDS leaves the features unchanged.
pred = net.predict(DiskDataset(X, y, weights)).ravel()
res = shot_metrics(y, pred, label_space=space)
print({group: round(res[group]["mae"], 3) for group in ("all", "many", "medium", "few")})

fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(net.history[:, "epoch"], net.history[:, "train_loss"], "o-")
ax.set_xlabel("epoch")
ax.set_ylabel("weighted training loss")
fig.tight_layout()
plt.show()

# %%
# The temporary file is no longer needed.
del X
shutil.rmtree(folder)
