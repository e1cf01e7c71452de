FROM nginx:latest
MAINTAINER web-team@example.com
RUN rm /etc/nginx/conf.d/default.conf
ADD nginx.conf /etc/nginx/conf.d/
ADD site/ /usr/share/nginx/html/
EXPOSE 80
