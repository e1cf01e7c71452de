FROM fedora:40
RUN dnf install -y python3 python3-pip gcc redhat-rpm-config && dnf clean all
RUN dnf install -y postgresql-devel-16.3
RUN microdnf install -y shadow-utils-4.14.0 && microdnf clean all
RUN pip3 install --no-cache-dir psycopg2==2.9.9 flask
RUN useradd --create-home --uid 1000 web
COPY --chown=web:web app /home/web/app
USER web
WORKDIR /home/web/app
EXPOSE 5000
CMD ["python3", "-m", "flask", "run", "--host=0.0.0.0"]
