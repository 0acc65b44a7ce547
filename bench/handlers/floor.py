"""The floor: FastAPI behind Mangum answering GET /predict/{client_id} with a constant.

Nothing a scoring function can avoid (Python, FastAPI, pydantic, Mangum, one route with a path
parameter): the cold start and latency every handler of this kind pays before doing any work.
"""

from fastapi import FastAPI
from mangum import Mangum

app = FastAPI()


@app.get("/predict/{client_id}")
async def predict(client_id: int) -> dict:
    return {"client_id": client_id, "prediction": 0, "probability": 0.5}


handler = Mangum(app, lifespan="off")
