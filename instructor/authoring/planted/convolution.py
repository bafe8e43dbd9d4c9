"""Tests of the tests for Assignment 9: convolution and max pooling, by loops and by im2col, and a
small convolutional network on the digits."""

from instructor.authoring.edits import Edit, Mistake, Variant

ASSIGNMENT = "09_convolution"
NOTEBOOK = "convolution"

FAST_CONV = ("test_conv_forward_fast", "test_conv_backward_fast")
NETWORK = ("test_cnn_backward", "test_train_cnn")

MISTAKES = [
    # the arithmetic
    Mistake(
        "output size with the padding counted on one side only",
        (Edit("conv_output_size", "(size + 2 * pad - kernel)", "(size + pad - kernel)"),),
        loses=("test_conv_output_size",),
    ),
    Mistake(
        "output size by true division: a float, and too large when it is not exact",
        (Edit("conv_output_size", "// stride + 1", "/ stride + 1"),),
        loses=("test_conv_output_size",),
    ),
    Mistake(
        "zero padding applied to every axis, the batch and channel axes too",
        (Edit("zero_pad", "np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))",
              "np.pad(x, pad)"),),
        loses=("test_zero_pad", "test_conv_forward_naive"),
    ),
    Mistake(
        "all the padding after the image (bottom and right only)",
        (Edit("zero_pad", "(pad, pad), (pad, pad)", "(0, 2 * pad), (0, 2 * pad)"),),
        loses=("test_zero_pad", "test_conv_forward_naive"),
    ),
    # the forward pass by loops
    Mistake(
        "kernel flipped: a true convolution where PyTorch's cross-correlation is asked for",
        (Edit("conv_forward_naive", "np.sum(window * w[f])",
              "np.sum(window * w[f, :, ::-1, ::-1])"),),
        loses=("test_conv_forward_naive",),
    ),
    Mistake(
        "stride ignored where the window starts",
        (Edit("conv_forward_naive",
              "xp[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW]",
              "xp[n, :, i:i + HH, j:j + WW]"),),
        loses=("test_conv_forward_naive",),
    ),
    Mistake(
        "bias forgotten",
        (Edit("conv_forward_naive", "np.sum(window * w[f]) + b[f]", "np.sum(window * w[f])"),),
        loses=("test_conv_forward_naive",),
    ),
    # the reference gradient
    Mistake(
        "autograd run with an upstream gradient of ones: out.sum().backward()",
        (Edit("torch_gradients", "out.backward(torch.tensor(dout, dtype=torch.float64))",
              "out.sum().backward()"),),
        loses=("test_torch_gradients",),
    ),
    # the backward pass by loops
    Mistake(
        "stride ignored in the backward pass",
        (Edit("conv_backward_naive", "slice(i * stride, i * stride + HH)", "slice(i, i + HH)"),
         Edit("conv_backward_naive", "slice(j * stride, j * stride + WW)", "slice(j, j + WW)")),
        loses=("test_conv_backward_dx", "test_conv_backward_dw"),
    ),
    Mistake(
        "dx returned with the padding still on",
        (Edit("conv_backward_naive", "return dxp[:, :, pad:pad + H, pad:pad + W], dw, db",
              "return dxp, dw, db"),),
        loses=("test_conv_backward_dx",),
    ),
    Mistake(
        "db summed over the images' own axis instead of over the images and positions",
        (Edit("conv_backward_naive", "dout.sum(axis=(0, 2, 3))", "dout.sum(axis=(1, 2, 3))"),),
        loses=("test_conv_backward_db",),
    ),
    Mistake(
        "dw overwritten at every position instead of added up",
        (Edit("conv_backward_naive", "dw[f] += xp", "dw[f] = xp"),),
        loses=("test_conv_backward_dw",),
    ),
    Mistake(
        "dx overwritten where windows overlap",
        (Edit("conv_backward_naive", "dxp[n, :, rows, cols] += ", "dxp[n, :, rows, cols] = "),),
        loses=("test_conv_backward_dx",),
    ),
    # max pooling by loops
    Mistake(
        "stride ignored in max pooling",
        (Edit("maxpool_forward_naive",
              "x[n, c, i * stride:i * stride + pool, j * stride:j * stride + pool]",
              "x[n, c, i:i + pool, j:j + pool]"),),
        loses=("test_maxpool_forward_naive",),
    ),
    Mistake(
        "average pooling instead of max pooling",
        (Edit("maxpool_forward_naive", "window.max()", "window.mean()"),),
        loses=("test_maxpool_forward_naive",),
    ),
    Mistake(
        "max-pool gradient sent to every entry of the window",
        (Edit("maxpool_backward_naive",
              "r, q = np.unravel_index(np.argmax(window), window.shape)\n"
              "                    dx[n, c, i * stride + r, j * stride + q] += dout[n, c, i, j]",
              "dx[n, c, i * stride:i * stride + pool, j * stride:j * stride + pool] += "
              "dout[n, c, i, j]"),),
        loses=("test_maxpool_backward_naive", "test_maxpool_ties"),
    ),
    Mistake(
        "max-pool gradient sent to every tied maximum",
        (Edit("maxpool_backward_naive",
              "r, q = np.unravel_index(np.argmax(window), window.shape)\n"
              "                    dx[n, c, i * stride + r, j * stride + q] += dout[n, c, i, j]",
              "dx[n, c, i * stride:i * stride + pool, j * stride:j * stride + pool] += "
              "(window == window.max()) * dout[n, c, i, j]"),),
        loses=("test_maxpool_ties",),
    ),
    Mistake(
        "ties broken towards the last maximum",
        (Edit("maxpool_backward_naive", "np.unravel_index(np.argmax(window), window.shape)",
              "np.unravel_index(window.size - 1 - np.argmax(window.reshape(-1)[::-1]), "
              "window.shape)"),),
        loses=("test_maxpool_ties",),
    ),
    Mistake(
        "max-pool gradient overwritten where windows overlap",
        (Edit("maxpool_backward_naive", "j * stride + q] += dout", "j * stride + q] = dout"),),
        loses=("test_maxpool_backward_naive",),
    ),
    # im2col and the fast forward pass
    Mistake(
        "im2col flattens a window row, column, channel: not the order of w.reshape(F, -1)",
        (Edit("im2col", "np.zeros((N, H_out, W_out, C, kh, kw))",
              "np.zeros((N, H_out, W_out, kh, kw, C))"),
         Edit("im2col", "cols[:, :, :, :, r, q] =", "cols[:, :, :, r, q, :] =")),
        loses=("test_im2col", *FAST_CONV),
    ),
    Mistake(
        "im2col rows ordered by position first, then by image",
        (Edit("im2col", "np.zeros((N, H_out, W_out, C, kh, kw))",
              "np.zeros((H_out, W_out, N, C, kh, kw))"),
         Edit("im2col", "at_offset.transpose(0, 2, 3, 1)", "at_offset.transpose(2, 3, 0, 1)")),
        loses=("test_im2col", *FAST_CONV, "test_cnn_forward"),
    ),
    Mistake(
        "filters flattened row, column, channel: mismatched with im2col's columns",
        (Edit("conv_forward_fast", "w.reshape(n_filters, -1).T",
              "w.transpose(0, 2, 3, 1).reshape(n_filters, -1).T"),),
        loses=("test_conv_forward_fast",),
    ),
    Mistake(
        "the product reshaped straight to (N, F, H_out, W_out), without the transpose",
        (Edit("conv_forward_fast", "rows.reshape(N, H_out, W_out, n_filters).transpose(0, 3, 1, 2)",
              "rows.reshape(N, n_filters, H_out, W_out)"),),
        loses=("test_conv_forward_fast", "test_cnn_forward"),
    ),
    # col2im and the fast backward pass
    Mistake(
        "col2im overwrites overlapping windows instead of adding them",
        (Edit("col2im", "q:q + stride * W_out:stride] += \\",
              "q:q + stride * W_out:stride] = \\"),),
        loses=("test_col2im", "test_conv_backward_fast"),
    ),
    Mistake(
        "col2im keeps the padding",
        (Edit("col2im", "return dxp[:, :, pad:pad + H, pad:pad + W]", "return dxp"),),
        loses=("test_col2im", "test_conv_backward_fast"),
    ),
    Mistake(
        "dout reshaped to rows without moving the filter axis last",
        (Edit("conv_backward_fast", "dout.transpose(0, 2, 3, 1).reshape(-1, n_filters)",
              "dout.reshape(-1, n_filters)"),),
        loses=("test_conv_backward_fast", *NETWORK),
    ),
    # max pooling, fast
    Mistake(
        "fast max-pool gradient sent to every entry of the window",
        (Edit("maxpool_fast",
              "dwindows[np.arange(len(windows)), windows.argmax(axis=1)] = dout.reshape(-1)",
              "dwindows[:] = dout.reshape(-1, 1)"),),
        loses=("test_maxpool_backward_fast", *NETWORK),
    ),
    Mistake(
        "fast max-pool gradient sent to every tied maximum",
        (Edit("maxpool_fast",
              "dwindows = np.zeros(windows.shape)\n"
              "    dwindows[np.arange(len(windows)), windows.argmax(axis=1)] = dout.reshape(-1)",
              "dwindows = (windows == windows.max(axis=1, keepdims=True)) * dout.reshape(-1, 1)"),),
        loses=("test_maxpool_backward_fast",),
    ),
    # cost and receptive field
    Mistake(
        "multiply-adds without the channels",
        (Edit("conv_multiply_adds", "positions * C * HH * WW", "positions * HH * WW"),),
        loses=("test_conv_multiply_adds",),
    ),
    Mistake(
        "receptive field: the jump multiplied by the stride before the size grows",
        (Edit("receptive_field",
              "        size += (kernel - 1) * jump\n        jump *= stride",
              "        jump *= stride\n        size += (kernel - 1) * jump"),),
        loses=("test_receptive_field",),
    ),
    # the network
    Mistake(
        "ReLU's gradient forgotten in the network's backward pass",
        (Edit("cnn_backward", "maxpool_backward_fast(dpooled, a, 2, 2) * (z > 0)",
              "maxpool_backward_fast(dpooled, a, 2, 2)"),),
        loses=NETWORK,
    ),
    Mistake(
        "pooled maps flattened channels last, unlike PyTorch's Flatten",
        (Edit("cnn_forward", "flat = pooled.reshape(len(X), -1)",
              "flat = pooled.transpose(0, 2, 3, 1).reshape(len(X), -1)"),),
        loses=("test_cnn_forward", *NETWORK),
    ),
    Mistake(
        "dense weight of the PyTorch twin reshaped instead of transposed",
        (Edit("make_torch_cnn", 'params["W2"].T', 'params["W2"].reshape(10, -1)'),),
        loses=("test_make_torch_cnn",),
    ),
    Mistake(
        "parameters trained in place: the arrays given to train_cnn change",
        (Edit("train_cnn", "    params = {name: value.copy() for name, value in params.items()}\n",
              ""),),
        loses=("test_train_cnn",),
    ),
]

LOOPS_AND_EINSUM = '''
def conv_forward_naive(x, w, b, stride=1, pad=0):
    HH, WW = w.shape[2:]
    H_out = conv_output_size(x.shape[2], HH, stride, pad)
    W_out = conv_output_size(x.shape[3], WW, stride, pad)
    xp = zero_pad(x, pad)
    out = np.empty((x.shape[0], w.shape[0], H_out, W_out))
    for j in range(W_out):
        for i in range(H_out):
            window = xp[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
            out[:, :, i, j] = np.einsum("nchw,fchw->nf", window, w) + b
    return out
'''

BACKWARD_BY_POSITION = '''
def conv_backward_naive(dout, x, w, stride=1, pad=0):
    HH, WW = w.shape[2:]
    xp = np.pad(x.astype(float), ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp, dw = np.zeros_like(xp), np.zeros(w.shape)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            g = dout[:, :, i, j]                      # (N, F)
            rows, cols = slice(i * stride, i * stride + HH), slice(j * stride, j * stride + WW)
            dxp[:, :, rows, cols] += np.tensordot(g, w, axes=(1, 0))
            dw += np.tensordot(g, xp[:, :, rows, cols], axes=(0, 0))
    H, W = x.shape[2:]
    return dxp[:, :, pad:pad + H, pad:pad + W], dw, np.einsum("nfij->f", dout)
'''

STRIDED = '''
def im2col(x, kh, kw, stride=1, pad=0):
    xp = np.ascontiguousarray(np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))))
    N, C, Hp, Wp = xp.shape
    H_out, W_out = (Hp - kh) // stride + 1, (Wp - kw) // stride + 1
    sn, sc, sh, sw = xp.strides
    view = np.lib.stride_tricks.as_strided(
        xp, shape=(N, H_out, W_out, C, kh, kw),
        strides=(sn, sh * stride, sw * stride, sc, sh, sw), writeable=False)
    return view.reshape(N * H_out * W_out, C * kh * kw)
'''

WINDOW_VIEW_FORWARD = '''
def conv_forward_fast(x, w, b, stride=1, pad=0):
    view = np.lib.stride_tricks.sliding_window_view(zero_pad(x, pad), w.shape[2:], axis=(2, 3))
    windows = view[:, :, ::stride, ::stride]
    return np.einsum("nchwij,fcij->nfhw", windows, w, optimize=True) + b[None, :, None, None]
'''

ADD_AT = '''
def col2im(cols, x_shape, kh, kw, stride=1, pad=0):
    N, C, H, W = x_shape
    H_out = (H + 2 * pad - kh) // stride + 1
    W_out = (W + 2 * pad - kw) // stride + 1
    n, i, j, c, r, q = np.indices((N, H_out, W_out, C, kh, kw)).reshape(6, -1)
    dxp = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    np.add.at(dxp, (n, c, i * stride + r, j * stride + q), cols.reshape(-1))
    return dxp[:, :, pad:pad + H, pad:pad + W]
'''

SCANNING_POOL = '''
def maxpool_backward_naive(dout, x, pool=2, stride=2):
    dx = np.zeros(x.shape)
    for n, c, i, j in np.ndindex(*dout.shape):
        best, where = -np.inf, None
        for r in range(pool):
            for q in range(pool):
                value = x[n, c, i * stride + r, j * stride + q]
                if value > best:
                    best, where = value, (i * stride + r, j * stride + q)
        dx[n, c, where[0], where[1]] += dout[n, c, i, j]
    return dx
'''

VIEW_POOL = '''
def _windows(x, pool, stride):
    view = np.lib.stride_tricks.sliding_window_view(x, (pool, pool), axis=(2, 3))
    return view[:, :, ::stride, ::stride]


def maxpool_forward_fast(x, pool=2, stride=2):
    return _windows(x, pool, stride).max(axis=(4, 5))


def maxpool_backward_fast(dout, x, pool=2, stride=2):
    windows = _windows(x, pool, stride)
    N, C, H_out, W_out = windows.shape[:4]
    first = windows.reshape(N, C, H_out, W_out, pool * pool).argmax(axis=-1)
    n, c, i, j = np.indices((N, C, H_out, W_out))
    dx = np.zeros(x.shape)
    np.add.at(dx, (n, c, i * stride + first // pool, j * stride + first % pool), dout)
    return dx
'''

DICT_CACHE_NETWORK = '''
def cnn_forward(params, X):
    cache = {"X": X, "params": params}
    cache["z"] = conv_forward_fast(X, params["W1"], params["b1"], 1, 1)
    cache["a"] = np.where(cache["z"] > 0, cache["z"], 0.0)
    cache["p"] = maxpool_forward_fast(cache["a"])
    scores = np.dot(cache["p"].reshape(X.shape[0], -1), params["W2"]) + params["b2"]
    return scores, cache
'''

DICT_CACHE_BACKWARD = '''
def cnn_backward(dscores, cache):
    p, params = cache["p"], cache["params"]
    flat = p.reshape(p.shape[0], -1)
    dp = np.dot(dscores, params["W2"].T).reshape(p.shape)
    dz = np.where(cache["z"] > 0, maxpool_backward_fast(dp, cache["a"]), 0.0)
    dx, dW1, db1 = conv_backward_fast(dz, cache["X"], params["W1"], 1, 1)
    return {"W1": dW1, "b1": db1, "W2": np.dot(flat.T, dscores), "b2": np.sum(dscores, 0)}
'''

MODULE_CLASS = '''
class TwinCNN(nn.Module):
    def __init__(self, filters):
        super().__init__()
        self.conv = nn.Conv2d(1, filters, kernel_size=3, stride=1, padding=1)
        self.dense = nn.Linear(16 * filters, 10)

    def forward(self, x):
        return self.dense(torch.flatten(F.max_pool2d(F.relu(self.conv(x)), 2), 1))


def make_torch_cnn(params):
    model = TwinCNN(len(params["b1"]))
    with torch.no_grad():
        model.conv.weight[:] = torch.tensor(params["W1"])
        model.conv.bias[:] = torch.tensor(params["b1"])
        model.dense.weight[:] = torch.tensor(params["W2"]).t()
        model.dense.bias[:] = torch.tensor(params["b2"])
    return model
'''

WHILE_TRAINING = '''
import copy


def train_cnn(params, X, y, epochs, batch_size, lr, seed):
    params, history = copy.deepcopy(params), []
    rng = np.random.default_rng(seed)
    for _epoch in range(epochs):
        order, start = rng.permutation(X.shape[0]), 0
        while start < X.shape[0]:
            batch = order[start:start + batch_size]
            loss, grads = cnn_loss(params, X[batch], y[batch])
            params = {k: params[k] - lr * grads[k] for k in params}
            history.append(np.float64(loss))
            start += batch_size
    return params, history
'''

VARIANTS = [
    Variant(
        "output size by floor of a float; padding by slicing into zeros; a float32 forward pass",
        (Edit("conv_output_size", "return (size + 2 * pad - kernel) // stride + 1",
              "return int(np.floor((size + 2 * pad - kernel) / stride)) + 1"),
         Edit("zero_pad", "return np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))",
              "N, C, H, W = x.shape\n"
              "    out = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=x.dtype)\n"
              "    out[:, :, pad:pad + H, pad:pad + W] = x\n"
              "    return out"),
         Edit("conv_forward_naive", "out = np.zeros((N, n_filters, H_out, W_out))",
              "out = np.zeros((N, n_filters, H_out, W_out), dtype=np.float32)")),
    ),
    Variant(
        "loops in another order, all images and filters at once by einsum and tensordot; "
        "autograd by torch.autograd.grad",
        (Edit("conv_forward_naive", None, LOOPS_AND_EINSUM),
         Edit("conv_backward_naive", None, BACKWARD_BY_POSITION),
         Edit("torch_gradients", None, '''
def torch_gradients(fn, arrays, dout):
    tensors = [torch.from_numpy(np.asarray(a, dtype=np.float64)).requires_grad_() for a in arrays]
    out = fn(*tensors)
    grads = torch.autograd.grad((out * torch.from_numpy(np.asarray(dout))).sum(), tensors)
    return out.detach().numpy(), [g.numpy() for g in grads]
''')),
    ),
    Variant(
        "im2col as an as_strided view; the fast forward pass by einsum on a sliding window view; "
        "col2im by np.add.at",
        (Edit("im2col", None, STRIDED), Edit("conv_forward_fast", None, WINDOW_VIEW_FORWARD),
         Edit("col2im", None, ADD_AT)),
    ),
    Variant(
        "max pooling by a scan with a strict >, and fast pooling on a sliding window view",
        (Edit("maxpool_backward_naive", None, SCANNING_POOL), Edit("maxpool_fast", None, VIEW_POOL),
         Edit("maxpool_forward_naive", "out[n, c, i, j] = window.max()",
              "out[n, c, i, j] = np.max(window.reshape(-1))")),
    ),
    Variant(
        "receptive field by the recursion from the top down; multiply-adds by np.prod",
        (Edit("receptive_field", None, '''
def receptive_field(layers):
    size = 1
    for kernel, stride in reversed(layers):
        size = stride * size + (kernel - stride)
    return size
'''),
         Edit("conv_multiply_adds", "return N * n_filters * positions * C * HH * WW",
              "return int(np.prod([N, n_filters, positions, C, HH, WW]))")),
    ),
    Variant(
        "the network with a dict cache and np.where; its twin as an nn.Module class; "
        "training in a while loop on new dicts",
        (Edit("cnn_forward", None, DICT_CACHE_NETWORK),
         Edit("cnn_backward", None, DICT_CACHE_BACKWARD),
         Edit("make_torch_cnn", None, MODULE_CLASS),
         Edit("train_cnn", None, WHILE_TRAINING)),
    ),
]
