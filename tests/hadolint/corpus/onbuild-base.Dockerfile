FROM python:3.11-alpine
RUN apk add --no-cache build-base=0.5-r3
WORKDIR /usr/src/app
ONBUILD COPY requirements.txt /usr/src/app/
ONBUILD RUN pip install -r requirements.txt
ONBUILD RUN apk add git
ONBUILD RUN apt-get update && apt-get install -y curl
ONBUILD COPY . /usr/src/app
ONBUILD RUN sudo chown -R nobody /usr/src/app
CMD ["python", "app.py"]
