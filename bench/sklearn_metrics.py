#!/usr/bin/env python3
"""Write tests/fixtures/sklearn_metrics.json: inputs and scikit-learn's answers for them.

  bench/sklearn_metrics.py            (or: python3 bench/sklearn_metrics.py)

tests/metrics_parity.rs reads the fixture and checks that `modeldesk::ml::metrics` gives
the same numbers (to 1e-9) on the same inputs. Run this again only to refresh the fixture,
e.g. after a scikit-learn release; the version used is recorded in the JSON.

The script re-runs itself inside a virtualenv with scikit-learn and numpy, created on
first use at ${SKLEARN_VENV:-~/.cache/modeldesk-sklearn-venv}.

Encoding choices, so that Rust reads back exactly the numbers Python used:
- probabilities and scores are multiples of 1e-6 (or 0.05 for the tie case), so their
  decimal text parses to the same double in serde_json without its float_roundtrip feature;
- non-finite numbers are written as the strings "inf", "-inf" and "nan";
- metrics that modeldesk defines as undefined (ROC AUC / average precision when a class
  has no positives or no negatives, MAPE when y_true has a zero) are null.
"""
import json
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "tests" / "fixtures" / "sklearn_metrics.json"

from reference_venv import run_inside  # noqa: E402

run_inside(__file__, "sklearn", "numpy")

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn import metrics as skm  # noqa: E402
from sklearn.calibration import calibration_curve  # noqa: E402

CALIBRATION_BINS = (10, 7)


def num(x):
    """A float for JSON; non-finite values as strings, since JSON has no inf/nan."""
    x = float(x)
    if np.isnan(x):
        return "nan"
    if np.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def nums(xs):
    return [num(x) for x in xs]


def proba_from_logits(logits):
    """Softmax rows, snapped to multiples of 1e-6 that sum to exactly 1e6 units."""
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    units = np.floor(p * 1e6).astype(np.int64)
    top = units.argmax(axis=1)
    units[np.arange(len(units)), top] += 1_000_000 - units.sum(axis=1)
    return units / 1e6


def multiclass_case(seed, n, k, signal, never_predicted=None):
    rng = np.random.RandomState(seed)
    y_true = rng.randint(0, k, size=n)
    logits = rng.normal(size=(n, k))
    logits[np.arange(n), y_true] += signal
    if never_predicted is not None:
        logits[:, never_predicted] -= 8.0
    proba = proba_from_logits(logits)
    y_pred = proba.argmax(axis=1)
    if never_predicted is not None:
        assert not (y_pred == never_predicted).any()
        assert (y_true == never_predicted).any()
    return y_true, y_pred, proba


def binary_ties_case():
    """Scores on a 0.05 grid (many ties), including confident mistakes at exactly 0 and 1."""
    rng = np.random.RandomState(0)
    n = 200
    y_true = rng.randint(0, 2, size=n)
    steps = np.clip(np.round(10 + 6 * (y_true - 0.5) + rng.normal(scale=4, size=n)), 0, 20)
    steps[:3] = np.where(y_true[:3] == 1, 0, 20)
    p1 = steps.astype(np.int64) / 20
    proba = np.column_stack([(20 - steps.astype(np.int64)) / 20, p1])
    y_pred = proba.argmax(axis=1)
    return y_true, y_pred, proba


def binary_imbalanced_case():
    rng = np.random.RandomState(1)
    n = 300
    y_true = (rng.uniform(size=n) < 0.06).astype(np.int64)
    logit = -2.5 + 2.0 * y_true + rng.normal(size=n)
    proba = proba_from_logits(np.column_stack([np.zeros(n), logit]))
    y_pred = proba.argmax(axis=1)
    return y_true, y_pred, proba


def perfect_case():
    rng = np.random.RandomState(3)
    y_true = rng.randint(0, 3, size=60)
    proba = np.eye(3)[y_true]
    return y_true, y_true.copy(), proba


def absent_class_case():
    """Four labels, but class 2 is neither in y_true nor predicted (a rare class missing
    from a test split): macro averages run over the classes present, AUCs are undefined."""
    y_true, y_pred, proba = multiclass_case(5, 150, 3, 1.5)
    remap = np.array([0, 1, 3])
    proba4 = np.zeros((len(y_true), 4))
    proba4[:, remap] = proba
    return remap[y_true], remap[y_pred], proba4


def single_class_case(seed, all_same):
    """y_true has only class 0; with all_same, the predictions are all 0 too."""
    rng = np.random.RandomState(seed)
    n = 40
    y_true = np.zeros(n, dtype=np.int64)
    logit = rng.normal(loc=-1.0, size=n)
    if all_same:
        logit = -np.abs(logit) - 0.1
    proba = proba_from_logits(np.column_stack([np.zeros(n), logit]))
    return y_true, proba.argmax(axis=1), proba


def auc_undefined(y_true, k):
    """modeldesk's rule: undefined when some class has no positives or no negatives."""
    if k < 2:
        return True
    classes = [1] if k == 2 else range(k)
    return any((y_true == c).all() or not (y_true == c).any() for c in classes)


def curves(y_true_bool, scores):
    fpr, tpr, roc_thr = skm.roc_curve(y_true_bool, scores, drop_intermediate=True)
    precision, recall, pr_thr = skm.precision_recall_curve(y_true_bool, scores)
    calibration = []
    for bins in CALIBRATION_BINS:
        prob_true, prob_pred = calibration_curve(
            y_true_bool, scores, n_bins=bins, strategy="uniform"
        )
        # calibration_curve does not return counts: bin exactly as it does.
        edges = np.linspace(0.0, 1.0, bins + 1)
        counts = np.bincount(np.searchsorted(edges[1:-1], scores), minlength=bins)
        counts = counts[counts != 0]
        assert len(counts) == len(prob_true)
        calibration.append(
            {"bins": bins, "x": nums(prob_pred), "y": nums(prob_true), "thresholds": nums(counts)}
        )
    return {
        "roc": {"x": nums(fpr), "y": nums(tpr), "thresholds": nums(roc_thr)},
        "pr": {"x": nums(recall), "y": nums(precision), "thresholds": nums(pr_thr)},
        "calibration": calibration,
    }


def classification_expected(y_true, y_pred, proba, k):
    labels = list(range(k))
    p, r, f, s = skm.precision_recall_fscore_support(
        y_true, y_pred, labels=labels, average=None, zero_division=0
    )
    per_class = [
        {"label": f"class {c}", "precision": num(p[c]), "recall": num(r[c]), "f1": num(f[c]),
         "support": int(s[c])}
        for c in labels
    ]
    avg = {}
    for average in ("macro", "weighted"):
        # labels=None, as a plain sklearn call: averages over the classes present in
        # y_true or y_pred.
        ap, ar, af, _ = skm.precision_recall_fscore_support(
            y_true, y_pred, average=average, zero_division=0
        )
        avg[average] = (ap, ar, af)

    undefined = auc_undefined(y_true, k)
    if k == 2:
        roc = skm.roc_auc_score(y_true, proba[:, 1]) if not undefined else None
        ap = skm.average_precision_score(y_true, proba[:, 1], pos_label=1)
        brier = skm.brier_score_loss(y_true, proba[:, 1], pos_label=1)
    else:
        roc = skm.roc_auc_score(
            y_true, proba, multi_class="ovr", average="macro", labels=labels
        )
        assert np.isnan(roc) == undefined
        ap = None if undefined else skm.average_precision_score(y_true, proba, average="macro")
        brier = None
    if undefined:
        roc = ap = None

    return {
        "accuracy": num(skm.accuracy_score(y_true, y_pred)),
        "balanced_accuracy": num(skm.balanced_accuracy_score(y_true, y_pred)),
        "precision_macro": num(avg["macro"][0]),
        "recall_macro": num(avg["macro"][1]),
        "f1_macro": num(avg["macro"][2]),
        "precision_weighted": num(avg["weighted"][0]),
        "recall_weighted": num(avg["weighted"][1]),
        "f1_weighted": num(avg["weighted"][2]),
        "log_loss": num(skm.log_loss(y_true, proba, labels=labels)),
        "roc_auc": None if roc is None else num(roc),
        "average_precision": None if ap is None else num(ap),
        "brier": None if brier is None else num(brier),
        "mcc": num(skm.matthews_corrcoef(y_true, y_pred)),
        "cohen_kappa": num(skm.cohen_kappa_score(y_true, y_pred)),
        "per_class": per_class,
        "confusion": skm.confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }


def classification_cases():
    cases = [
        ("binary_ties", 2, binary_ties_case()),
        ("binary_imbalanced", 2, binary_imbalanced_case()),
        ("multiclass_3", 3, multiclass_case(2, 240, 3, 1.2)),
        ("multiclass_5_one_never_predicted", 5, multiclass_case(4, 250, 5, 1.5, never_predicted=3)),
        ("perfect_3", 3, perfect_case()),
        ("absent_class_4", 4, absent_class_case()),
        ("single_class_in_y_true", 2, single_class_case(6, all_same=False)),
        ("single_class_everywhere", 2, single_class_case(7, all_same=True)),
    ]
    out = []
    for name, k, (y_true, y_pred, proba) in cases:
        assert proba.shape == (len(y_true), k)
        # Curves per class one-vs-rest, where both outcomes occur (sklearn's curves are
        # meaningless otherwise; modeldesk returns an empty curve there).
        curve_classes = [1] if k == 2 else list(range(k))
        case_curves = []
        for c in curve_classes:
            positive = y_true == c
            if positive.all() or not positive.any():
                continue
            case_curves.append({"positive_class": c, **curves(positive, proba[:, c])})
        out.append(
            {
                "name": name,
                "labels": [f"class {c}" for c in range(k)],
                "y_true": y_true.tolist(),
                "y_pred": y_pred.tolist(),
                "proba": proba.tolist(),
                "expected": classification_expected(y_true, y_pred, proba, k),
                "curves": case_curves,
            }
        )
    return out


def regression_cases():
    rng = np.random.RandomState(10)
    y = np.round(rng.normal(50, 10, size=120), 3)
    basic = (y, np.round(y + rng.normal(0, 4, size=120), 3))
    rng = np.random.RandomState(11)
    y0 = np.round(rng.normal(0, 3, size=80), 2)
    y0[17] = 0.0
    with_zero = (y0, np.round(y0 + rng.normal(0, 1, size=80), 2))
    constant = (np.full(30, 7.5), np.round(7.5 + np.random.RandomState(12).normal(size=30), 3))
    perfect = (np.round(np.random.RandomState(13).normal(size=25), 3),) * 2
    single = (np.array([3.0]), np.array([2.5]))
    out = []
    for name, (y_true, y_pred) in [
        ("regression_basic", basic),
        ("regression_zero_in_y_true", with_zero),
        ("regression_constant_y_true", constant),
        ("regression_perfect", perfect),
        ("regression_single_row", single),
    ]:
        mape = None
        if not (y_true == 0).any():
            mape = num(skm.mean_absolute_percentage_error(y_true, y_pred))
        out.append(
            {
                "name": name,
                "y_true": y_true.tolist(),
                "y_pred": y_pred.tolist(),
                "expected": {
                    "rmse": num(skm.root_mean_squared_error(y_true, y_pred)),
                    "mae": num(skm.mean_absolute_error(y_true, y_pred)),
                    "r2": num(skm.r2_score(y_true, y_pred)),
                    "mape": mape,
                },
            }
        )
    return out


def main():
    # Degenerate cases are deliberate; sklearn's warnings about them are expected.
    warnings.simplefilter("ignore")
    fixture = {
        "generated_by": "bench/sklearn_metrics.py",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "calibration_bins": list(CALIBRATION_BINS),
        "classification": classification_cases(),
        "regression": regression_cases(),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(fixture, allow_nan=False, separators=(",", ":"))
    OUT.write_text(text + "\n")
    print(f"scikit-learn {sklearn.__version__}, numpy {np.__version__}")
    print(f"wrote {OUT} ({len(text) / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
