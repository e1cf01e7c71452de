FROM python:3.11
RUN pip install flask
RUN pip install --no-cache-dir requests==2.32.3
RUN npm install express
RUN easy_install pip
ARG NPM_TOKEN
ENV NODE_ENV production
RUN echo $NPM_TOKEN > ~/.npmrc
HEALTHCHECK CMD curl -f http://localhost/ || exit 1
HEALTHCHECK CMD wget -q http://localhost/ || exit 1
