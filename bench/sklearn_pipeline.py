"""The scikit-learn pipeline the benchmarks measure Modeldesk against: mean imputation and
standardisation of numbers, a "(missing)" level and one-hot encoding of categories, then
L-BFGS logistic regression. Imported by train_peer.py and serve_peer.py (from their own
virtualenvs), so both time the same model."""


def logistic_pipeline(numeric, categorical, sparse=False):
    """`sparse`: the one-hot columns as a sparse matrix (what a Python user does with many
    levels); dense otherwise."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    recipe = ColumnTransformer(
        [
            ("numeric", make_pipeline(SimpleImputer(), StandardScaler()), numeric),
            (
                "categorical",
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value="(missing)"),
                    OneHotEncoder(handle_unknown="ignore", sparse_output=sparse),
                ),
                categorical,
            ),
        ]
    )
    return make_pipeline(recipe, LogisticRegression(solver="lbfgs"))
