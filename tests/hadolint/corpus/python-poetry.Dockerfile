FROM python:3.12-slim AS builder
ENV PIP_NO_CACHE_DIR=1 \
    POETRY_VERSION=1.8.3
RUN pip install "poetry==$POETRY_VERSION"
WORKDIR /build
COPY pyproject.toml poetry.lock ./
RUN poetry export -f requirements.txt -o requirements.txt --without-hashes
RUN pip wheel --wheel-dir /wheels -r requirements.txt

FROM python:3.12-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5=15.8-0+deb12u1 && rm -rf /var/lib/apt/lists/*
COPY --from=builder /wheels /wheels
RUN pip install /wheels/*.whl
RUN pip install gunicorn uvicorn[standard]==0.30.1
RUN python -m pip install --upgrade pip
WORKDIR /app
COPY . .
RUN useradd -r app && chown -R app /app
USER app
CMD ["gunicorn", "-k", "uvicorn.workers.UvicornWorker", "main:app"]
