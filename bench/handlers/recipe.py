"""The predecessor's recipe moved to Lambda: pandas CSV store read and joblib pickles loaded at import,
the row filtered with pandas, scaled and scored by scikit-learn on each request, FastAPI behind Mangum.

SEED_MODEL_DIR names ../shared/data/seed-model (df_sample.csv, scaler.pkl, modele_retenu.pkl). The
pickles are the trusted copy the predecessor shipped; loading them here, in a benchmark, is the point.
"""

import os
from pathlib import Path

import joblib
import pandas as pd
from fastapi import FastAPI, HTTPException
from mangum import Mangum

SEED = Path(os.environ["SEED_MODEL_DIR"])
THRESHOLD = 0.5050505050505051

clients = pd.read_csv(SEED / "df_sample.csv")
scaler = joblib.load(SEED / "scaler.pkl")
model = joblib.load(SEED / "modele_retenu.pkl")
features = [column for column in clients.columns if column not in ("SK_ID_CURR", "TARGET")]

app = FastAPI()


@app.get("/predict/{client_id}")
def predict(client_id: int) -> dict:
    row = clients[clients["SK_ID_CURR"] == client_id]
    if row.empty:
        raise HTTPException(status_code=404, detail="Client not found")
    probability = float(model.predict_proba(scaler.transform(row[features]))[0, 1])
    return {"client_id": client_id, "prediction": int(probability >= THRESHOLD), "probability": probability}


handler = Mangum(app, lifespan="off")
