FROM php:8.3-apache
RUN apt-get update && apt-get install -y --no-install-recommends libzip-dev=1.7.3-1+b1 \
    && docker-php-ext-install zip \
    && rm -rf /var/lib/apt/lists/*
COPY . /var/www/html/
RUN chown -R www-data:www-data /var/www/html
USER root
